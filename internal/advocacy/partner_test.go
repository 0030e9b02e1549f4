package advocacy

import (
	"encoding/base64"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestNormalizeOrigin(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://example.org", "https://example.org", true},
		{" HTTPS://Example.ORG/ ", "https://example.org", true},
		{"https://example.org:443", "https://example.org", true},
		{"https://shop.example.co.uk:8443", "https://shop.example.co.uk:8443", true},
		{"http://localhost:5173", "http://localhost:5173", true},
		{"http://127.0.0.2:8080", "http://127.0.0.2:8080", true},
		{"http://127.0.0.1:80", "http://127.0.0.1", true},
		{"https://203.0.113.9", "https://203.0.113.9", true},
		{"http://example.org", "", false},
		{"http://10.0.0.1", "", false},
		{"ftp://example.org", "", false},
		{"javascript:alert(1)", "", false},
		{"https://example.org/path", "", false},
		{"https://example.org?x=1", "", false},
		{"https://example.org#top", "", false},
		{"https://user@example.org", "", false},
		{"https://*.example.org", "", false},
		{"https://example.org; script-src *", "", false},
		{"https://exa'mple.org", "", false},
		{"https://example.org:0", "", false},
		{"https://example.org:99999", "", false},
		{"https://example.org:08080", "", false},
		{"https://-bad.example.org", "", false},
		{"example.org", "", false},
		{"https://", "", false},
		{"", "", false},
		{"https://[::1]", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeOrigin(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestCheckPartner(t *testing.T) {
	p, err := CheckPartner(Partner{Name: "Business Council", Slug: "business-council", SourceCode: "bizco",
		AllowedOrigins: []string{"https://Example.org/", "", "https://example.org", "http://localhost:3000"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.AllowedOrigins, " ") != "https://example.org http://localhost:3000" {
		t.Errorf("origins = %v", p.AllowedOrigins)
	}
	for name, bad := range map[string]Partner{
		"plain http":  {Name: "A", Slug: "a", SourceCode: "a", AllowedOrigins: []string{"http://example.org"}},
		"path":        {Name: "A", Slug: "a", SourceCode: "a", AllowedOrigins: []string{"https://example.org/x"}},
		"no name":     {Slug: "a", SourceCode: "a"},
		"wildcard":    {Name: "A", Slug: "a", SourceCode: "a", AllowedOrigins: []string{"https://*.example.org"}},
		"csp escapes": {Name: "A", Slug: "a", SourceCode: "a", AllowedOrigins: []string{"https://a.org;"}},
	} {
		_, err := CheckPartner(bad)
		if ErrorCode(err) != CodeInvalid {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
	many := Partner{Name: "A", Slug: "a", SourceCode: "a"}
	for i := range MaxPartnerOrigins + 1 {
		many.AllowedOrigins = append(many.AllowedOrigins, "https://s"+strings.Repeat("x", i+1)+".example.org")
	}
	if _, err := CheckPartner(many); err == nil {
		t.Error("too many origins accepted")
	}
	_, err = CheckPartner(Partner{Name: "A", Slug: "a", SourceCode: "a", AllowedOrigins: []string{"http://shop.example"}})
	var de *Error
	if !errors.As(err, &de) || !strings.Contains(de.Fields["allowed_origins"], "https") {
		t.Errorf("message for plain http = %v", err)
	}
}

func TestParseOrigins(t *testing.T) {
	got := ParseOrigins("https://a.org\r\nhttps://b.org, https://c.org  \n\n")
	if strings.Join(got, "|") != "https://a.org|https://b.org|https://c.org" {
		t.Errorf("ParseOrigins = %q", got)
	}
}

func TestFrameAncestors(t *testing.T) {
	tests := []struct {
		name string
		p    *Partner
		want string
	}{
		{"no partner", nil, "'self'"},
		{"none listed", &Partner{}, "'self'"},
		{"listed", &Partner{AllowedOrigins: []string{"https://a.org", "http://127.0.0.2:8080"}}, "'self' https://a.org http://127.0.0.2:8080"},
		{"bad stored origin dropped", &Partner{AllowedOrigins: []string{"https://a.org; script-src *"}}, "'self'"},
		{"any", &Partner{AllowAnyOrigin: true, AllowedOrigins: []string{"https://a.org"}}, "*"},
	}
	for _, tt := range tests {
		if got := FrameAncestors(tt.p); got != tt.want {
			t.Errorf("%s: FrameAncestors = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParseAccent(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"#1D4ED8", "#1d4ed8", true},
		{"1d4ed8", "#1d4ed8", true},
		{"#000000", "#000000", true},
		{"#767676", "#767676", true}, // 4.54:1, the lightest grey that passes
		{"#777777", "", false},       // 4.48:1
		{"#ffff00", "", false},
		{"#fff", "", false},
		{"red", "", false},
		{"#1d4ed8; color: red", "", false},
	}
	for _, tt := range tests {
		got, err := ParseAccent(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAccent(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if _, err := ParseAccent("#ffff00"); err == nil || !strings.Contains(err.Error(), "too light") {
		t.Errorf("light colour message = %v", err)
	}
}

func TestContrastRatio(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#000000", 21},
		{"#ffffff", "#ffffff", 1},
		{"#767676", "#ffffff", 4.54},
		{"bad", "#ffffff", 1},
	} {
		if got := ContrastRatio(tt.a, tt.b); math.Abs(got-tt.want) > 0.01 {
			t.Errorf("ContrastRatio(%s, %s) = %.3f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseWidgetOptions(t *testing.T) {
	o, err := ParseWidgetOptions("jackson-vanik", WidgetAction, " bizco ", "Compact", "#1D4ED8")
	if err != nil {
		t.Fatal(err)
	}
	if o.Layout != LayoutCompact || o.Accent != "#1d4ed8" || o.Partner != "bizco" {
		t.Errorf("options = %+v", o)
	}
	if got := o.Path("/preview"); got != "/widgets/jackson-vanik/action/preview?accent=1d4ed8&layout=compact&partner=bizco" {
		t.Errorf("Path = %q", got)
	}
	d, err := ParseWidgetOptions("jackson-vanik", WidgetProgress, "", "", "")
	if err != nil || d.Layout != LayoutFull || d.Path("") != "/widgets/jackson-vanik/progress" {
		t.Errorf("defaults = %+v, %v, path %q", d, err, d.Path(""))
	}
	for name, f := range map[string]func() error{
		"layout": func() error { _, err := ParseWidgetOptions("c", WidgetProgress, "", "tiny", ""); return err },
		"kind":   func() error { _, err := ParseWidgetOptions("c", "banner", "", "", ""); return err },
		"accent": func() error { _, err := ParseWidgetOptions("c", WidgetProgress, "", "", "#eeeeee"); return err },
	} {
		if err := f(); ErrorCode(err) != CodeInvalid {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
}

func TestWidgetToken(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	issued := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	claims := WidgetClaims{Campaign: "jackson-vanik", Partner: "bizco", IssuedAt: issued, Nonce: "AAAAAAAAAAAAAAAAAAAAAA"}
	tok, err := SignWidgetToken(secret, claims)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(tok, "+/=& ") {
		t.Errorf("token %q is not URL-safe", tok)
	}
	got, err := VerifyWidgetToken(secret, tok, issued.Add(time.Hour), WidgetTokenMaxAge)
	if err != nil || got != claims {
		t.Fatalf("verify = %+v, %v", got, err)
	}
	noPartner, _ := SignWidgetToken(secret, WidgetClaims{Campaign: "c", IssuedAt: issued, Nonce: "n"})
	if c, err := VerifyWidgetToken(secret, noPartner, issued, WidgetTokenMaxAge); err != nil || c.Partner != "" {
		t.Errorf("token without partner: %+v, %v", c, err)
	}

	p64, m64, _ := strings.Cut(tok, ".")
	forged := strings.Replace(string(mustB64(t, p64)), "bizco", "other", 1)
	tests := []struct {
		name  string
		token string
		now   time.Time
		want  error
	}{
		{"expired", tok, issued.Add(WidgetTokenMaxAge + time.Second), ErrWidgetTokenExpired},
		{"from the future", tok, issued.Add(-2 * time.Minute), ErrWidgetTokenExpired},
		{"other partner", b64(forged) + "." + m64, issued, errWidgetToken},
		{"no signature", p64, issued, errWidgetToken},
		{"bad base64", p64 + ".!!", issued, errWidgetToken},
		{"empty", "", issued, errWidgetToken},
	}
	for _, tt := range tests {
		if _, err := VerifyWidgetToken(secret, tt.token, tt.now, WidgetTokenMaxAge); err != tt.want {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := VerifyWidgetToken([]byte("another secret, just as long..."), tok, issued, WidgetTokenMaxAge); err != errWidgetToken {
		t.Errorf("other secret: err = %v", err)
	}
	if _, err := SignWidgetToken([]byte("short"), claims); err == nil {
		t.Error("signed with a short secret")
	}
	if _, err := SignWidgetToken(secret, WidgetClaims{Campaign: "a|b", Nonce: "n"}); err == nil {
		t.Error("signed a claim with the separator")
	}
}

func TestReachOf(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(DateLayout, s); return d }
	bills := []Bill{
		{ID: "hr1-119", Cosponsors: []Cosponsor{
			{BioguideID: "A000001", JoinedOn: day("2026-03-10")},
			{BioguideID: "B000002", JoinedOn: day("2026-01-01")},
			{BioguideID: "C000003", JoinedOn: day("2026-01-01"), WithdrawnOn: day("2026-02-01")},
		}},
		{ID: "s1-119", Cosponsors: []Cosponsor{{BioguideID: "D000004", JoinedOn: day("2026-03-05")}}},
	}
	byOffice := map[string]int{"A000001": 2, "B000002": 5, "C000003": 1, "D000004": 1, "E000005": 9, "Z000000": 0}
	first := map[string]time.Time{
		"A000001": time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC),
		"B000002": time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		"C000003": time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		"D000004": time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC), // the same day: not before
		"E000005": time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
	r := ReachOf(bills, byOffice, first)
	if r.Offices != 5 || r.Cosponsors != 3 || r.JoinedAfter != 1 {
		t.Errorf("reach = %d offices, %d cosponsors, %d joined after", r.Offices, r.Cosponsors, r.JoinedAfter)
	}
	var order []string
	for _, m := range r.Members {
		order = append(order, m.BioguideID)
	}
	if strings.Join(order, " ") != "B000002 A000001 D000004 E000005 C000003" {
		t.Errorf("order = %v", order)
	}
	if !r.Members[1].JoinedAfter || r.Members[0].JoinedAfter || r.Members[2].JoinedAfter {
		t.Errorf("joined after = %+v", r.Members)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
