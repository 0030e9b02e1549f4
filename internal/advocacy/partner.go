package advocacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the rules of partner widgets: which sites may frame them,
// the options a partner picks when embedding them, the accent colour's
// contrast, and the signed token that stands in for cookies in the action
// widget's form.

// MaxPartnerOrigins bounds a partner's allowed origins: the list goes into
// a response header on every widget answer.
const MaxPartnerOrigins = 20

var originHostRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// loopbackHost reports whether host names this machine: localhost or
// 127.0.0.0/8. Plain http is allowed only there, for testing.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.To4() != nil && ip.IsLoopback()
}

// NormalizeOrigin checks that s is a web origin a browser would send (a
// scheme, a host and an optional port, nothing else) and returns it in the
// form browsers serialise it: lower case, without a default port. Only
// https is accepted, except http for localhost and 127.x.x.x, which tests
// use. Wildcards are not accepted.
func NormalizeOrigin(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	bad := fmt.Errorf("%q is not an origin like https://example.org", s)
	if s == "" || strings.ContainsAny(s, " \t\r\n;,'\"*\\") {
		return "", bad
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", bad
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if host == "" || (!originHostRe.MatchString(host) && net.ParseIP(host) == nil) || strings.Contains(host, ":") {
		return "", bad
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return "", bad
		}
	}
	switch {
	case scheme == "https":
		if port == "443" {
			port = ""
		}
	case scheme == "http" && loopbackHost(host):
		if port == "80" {
			port = ""
		}
	case scheme == "http":
		return "", fmt.Errorf("%q must use https (plain http is only for localhost)", s)
	default:
		return "", bad
	}
	out := scheme + "://" + host
	if port != "" {
		out += ":" + port
	}
	return out, nil
}

// CheckPartner validates a partner as ValidatePartner does and, on top,
// holds its allowed origins to NormalizeOrigin: they end up in the widgets'
// Content-Security-Policy header. Origins are deduplicated in order.
func CheckPartner(p Partner) (Partner, error) {
	out, err := ValidatePartner(p)
	var de *Error
	fields := map[string]string{}
	if err != nil {
		if !errors.As(err, &de) {
			return out, err
		}
		for k, v := range de.Fields {
			fields[k] = v
		}
	}
	if _, ok := fields["allowed_origins"]; !ok {
		origins := make([]string, 0, len(p.AllowedOrigins))
		for _, o := range p.AllowedOrigins {
			if strings.TrimSpace(o) == "" {
				continue
			}
			n, oerr := NormalizeOrigin(o)
			if oerr != nil {
				fields["allowed_origins"] = capitalise(oerr.Error()) + "."
				break
			}
			if !slices.Contains(origins, n) {
				origins = append(origins, n)
			}
		}
		if len(origins) > MaxPartnerOrigins {
			fields["allowed_origins"] = fmt.Sprintf("List at most %d sites.", MaxPartnerOrigins)
		}
		out.AllowedOrigins = origins
	}
	if len(fields) > 0 {
		return out, &Error{Code: CodeInvalid, Message: "Please correct the highlighted fields.", Fields: fields}
	}
	return out, nil
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	if s[0] == '"' {
		return "The site " + s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ParseOrigins splits the text of an "allowed sites" box (one per line, or
// separated by commas or spaces) into its entries, unchecked.
func ParseOrigins(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t'
	})
}

// FrameAncestors is the value of the frame-ancestors directive for a
// widget embedded by partner p (nil for no partner, or an unknown one):
// this site itself plus the partner's allowed origins; any site ("*") only
// when an admin chose that for the partner.
func FrameAncestors(p *Partner) string {
	if p == nil {
		return "'self'"
	}
	if p.AllowAnyOrigin {
		return "*"
	}
	out := "'self'"
	for _, o := range p.AllowedOrigins {
		// Stored origins were checked when saved; check again, since this
		// goes into a header.
		if n, err := NormalizeOrigin(o); err == nil {
			out += " " + n
		}
	}
	return out
}

// WidgetKind names a widget.
type WidgetKind string

// The widgets a partner can embed.
const (
	WidgetProgress WidgetKind = "progress"
	WidgetAction   WidgetKind = "action"
)

// WidgetLayout is how much a widget shows.
type WidgetLayout string

// Widget layouts: full shows the campaign's title and explanations,
// compact only the essentials.
const (
	LayoutFull    WidgetLayout = "full"
	LayoutCompact WidgetLayout = "compact"
)

// WidgetOptions are what a partner chooses when embedding a widget. The
// zero Layout and Accent are the defaults.
type WidgetOptions struct {
	Campaign string
	Kind     WidgetKind
	Partner  string
	Layout   WidgetLayout
	// Accent is the colour of bars and buttons, "#rrggbb"; "" for the
	// default.
	Accent string
}

// MinAccentContrast is the contrast an accent colour needs against white:
// white button text sits on it and it sits on a white page (WCAG AA for
// normal text).
const MinAccentContrast = 4.5

var accentRe = regexp.MustCompile(`^#?([0-9a-fA-F]{6})$`)

// ParseAccent checks an accent colour, "#rrggbb" or "rrggbb", and returns it
// as "#rrggbb" in lower case; "" stays "". A colour too light to read white
// text on (contrast with white under MinAccentContrast) is refused.
func ParseAccent(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	m := accentRe.FindStringSubmatch(s)
	if m == nil {
		return "", Invalid("accent", "Give the accent colour as six hexadecimal digits, like #1d4ed8.")
	}
	hex := "#" + strings.ToLower(m[1])
	if r := ContrastRatio(hex, "#ffffff"); r < MinAccentContrast {
		return "", Invalid("accent", fmt.Sprintf(
			"The colour %s is too light: white text on it has a contrast of %.1f:1, and it needs at least %.1f:1. Choose a darker colour.",
			hex, math.Floor(r*10)/10, MinAccentContrast))
	}
	return hex, nil
}

// ContrastRatio is the WCAG 2 contrast ratio of two "#rrggbb" colours,
// from 1 to 21; 1 when either does not parse.
func ContrastRatio(a, b string) float64 {
	la, ok1 := relativeLuminance(a)
	lb, ok2 := relativeLuminance(b)
	if !ok1 || !ok2 {
		return 1
	}
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func relativeLuminance(hex string) (float64, bool) {
	if len(hex) != 7 || hex[0] != '#' {
		return 0, false
	}
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		return 0, false
	}
	channel := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	r, g, b := channel(v>>16&0xff), channel(v>>8&0xff), channel(v&0xff)
	return 0.2126*r + 0.7152*g + 0.0722*b, true
}

// ParseWidgetOptions reads a widget's options as its URL carries them:
// layout "full" (the default) or "compact", and an accent colour.
func ParseWidgetOptions(campaign string, kind WidgetKind, partner, layout, accent string) (WidgetOptions, error) {
	o := WidgetOptions{Campaign: campaign, Kind: kind, Partner: strings.TrimSpace(partner)}
	switch WidgetLayout(strings.ToLower(strings.TrimSpace(layout))) {
	case "", LayoutFull:
		o.Layout = LayoutFull
	case LayoutCompact:
		o.Layout = LayoutCompact
	default:
		return o, Invalid("layout", "The layout is either full or compact.")
	}
	switch kind {
	case WidgetProgress, WidgetAction:
	default:
		return o, Invalid("widget", "The widget is either progress or action.")
	}
	a, err := ParseAccent(accent)
	if err != nil {
		return o, err
	}
	o.Accent = a
	return o, nil
}

// Query is the options as URL parameters, leaving out the defaults.
func (o WidgetOptions) Query() url.Values {
	q := url.Values{}
	if o.Partner != "" {
		q.Set("partner", o.Partner)
	}
	if o.Layout == LayoutCompact {
		q.Set("layout", string(LayoutCompact))
	}
	if o.Accent != "" {
		q.Set("accent", strings.TrimPrefix(o.Accent, "#"))
	}
	return q
}

// Path is the widget's path on this site, with its options.
func (o WidgetOptions) Path(suffix string) string {
	p := "/widgets/" + url.PathEscape(o.Campaign) + "/" + string(o.Kind) + suffix
	if q := o.Query().Encode(); q != "" {
		p += "?" + q
	}
	return p
}

// WidgetTokenMaxAge is how long an action widget's form stays valid.
const WidgetTokenMaxAge = 2 * time.Hour

// widgetTokenSkew tolerates a token issued slightly "in the future" by
// another server with a clock a little ahead.
const widgetTokenSkew = time.Minute

// WidgetClaims are what an action widget's signed token vouches for: the
// form was issued by this site, for this campaign and partner, at
// IssuedAt; Nonce is the form's idempotency token, so the signature also
// binds the letter that form can send.
type WidgetClaims struct {
	Campaign string
	Partner  string
	IssuedAt time.Time
	Nonce    string
}

var errWidgetToken = &Error{Code: CodeInvalid, Message: "This form did not come from this widget. Reload the widget and try again.",
	Fields: map[string]string{"widget_token": "This form did not come from this widget. Reload the widget and try again."}}

// ErrWidgetTokenExpired says an action widget's form was open too long.
var ErrWidgetTokenExpired = &Error{Code: CodeInvalid, Message: "This form was open for more than two hours, so for your security we need you to check it again.",
	Fields: map[string]string{"widget_token": "This form was open for more than two hours, so for your security we need you to check it again."}}

func widgetMAC(secret []byte, payload string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("whipcount-widget-v1\x00"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// widgetFieldOK keeps the separator out of the signed fields.
func widgetFieldOK(s string) bool { return !strings.ContainsAny(s, "|") && len(s) <= 200 }

// SignWidgetToken signs c with secret (HMAC-SHA256 over
// campaign|partner|issued-at|nonce). The token is URL- and form-safe.
func SignWidgetToken(secret []byte, c WidgetClaims) (string, error) {
	if len(secret) < 16 {
		return "", errors.New("sign widget token: the secret is too short")
	}
	if !widgetFieldOK(c.Campaign) || !widgetFieldOK(c.Partner) || !widgetFieldOK(c.Nonce) || c.Campaign == "" || c.Nonce == "" {
		return "", errors.New("sign widget token: bad claims")
	}
	payload := c.Campaign + "|" + c.Partner + "|" + strconv.FormatInt(c.IssuedAt.Unix(), 10) + "|" + c.Nonce
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." +
		base64.RawURLEncoding.EncodeToString(widgetMAC(secret, payload)), nil
}

// VerifyWidgetToken checks token's signature and age at now and returns
// its claims. A bad token is an *Error with CodeInvalid; an expired one is
// ErrWidgetTokenExpired.
func VerifyWidgetToken(secret []byte, token string, now time.Time, maxAge time.Duration) (WidgetClaims, error) {
	if len(secret) < 16 || len(token) > 1000 {
		return WidgetClaims{}, errWidgetToken
	}
	p64, m64, ok := strings.Cut(token, ".")
	if !ok {
		return WidgetClaims{}, errWidgetToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, widgetMAC(secret, string(payload))) {
		return WidgetClaims{}, errWidgetToken
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 4 {
		return WidgetClaims{}, errWidgetToken
	}
	secs, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return WidgetClaims{}, errWidgetToken
	}
	c := WidgetClaims{Campaign: parts[0], Partner: parts[1], IssuedAt: time.Unix(secs, 0).UTC(), Nonce: parts[3]}
	if c.IssuedAt.After(now.Add(widgetTokenSkew)) || now.Sub(c.IssuedAt) > maxAge {
		return c, ErrWidgetTokenExpired
	}
	return c, nil
}

// WidgetCounts are the public figures count.json gives a partner: the
// campaign's active letters, those of the last 24 hours, and those that
// came through the partner's code.
type WidgetCounts struct {
	Letters    int
	Last24h    int
	RefLetters int
}

// PartnerMember is a member of Congress that a partner's supporters wrote
// to, with where they stand now.
type PartnerMember struct {
	BioguideID string
	// Letters is how many of the partner's letters went to their office.
	Letters int
	// FirstLetter is when the first of them was written.
	FirstLetter time.Time
	// Cosponsor is set when they are an active cosponsor of their
	// chamber's bill; JoinedOn is then when they signed on.
	Cosponsor bool
	JoinedOn  time.Time
	// JoinedAfter is set when they signed on after the partner's first
	// letter reached them.
	JoinedAfter bool
}

// PartnerReach sums up the members a partner's supporters wrote to: per
// office letter counts and first letters come from the partner's letters
// only, cosponsorship from the campaign's bills.
type PartnerReach struct {
	Offices     int
	Cosponsors  int
	JoinedAfter int
	// Members lists the offices, cosponsors first, then by letters.
	Members []PartnerMember
}

// ReachOf works out a partner's reach from its letters per office and the
// campaign's bills. A member counts (as "Cosponsor") when they moved the
// campaign's way on any of the bills (see Bill.MovedOn): an active cosponsor
// of a bill it supports, or a member who withdrew from one it opposes.
func ReachOf(bills []Bill, byOffice map[string]int, firstLetter map[string]time.Time) PartnerReach {
	var r PartnerReach
	for id, n := range byOffice {
		if n <= 0 {
			continue
		}
		pm := PartnerMember{BioguideID: id, Letters: n, FirstLetter: firstLetter[id]}
		for _, b := range bills {
			if moved, ok := b.MovedOn(id); ok {
				pm.Cosponsor, pm.JoinedOn = true, moved
				// Letters carry a time and joining only a date: a letter
				// counts as before joining only on an earlier day.
				first := pm.FirstLetter.UTC().Truncate(24 * time.Hour)
				pm.JoinedAfter = !pm.FirstLetter.IsZero() && first.Before(moved)
				break
			}
		}
		r.Offices++
		if pm.Cosponsor {
			r.Cosponsors++
		}
		if pm.JoinedAfter {
			r.JoinedAfter++
		}
		r.Members = append(r.Members, pm)
	}
	slices.SortFunc(r.Members, func(a, b PartnerMember) int {
		switch {
		case a.Cosponsor != b.Cosponsor:
			if a.Cosponsor {
				return -1
			}
			return 1
		case a.Letters != b.Letters:
			return b.Letters - a.Letters
		}
		return strings.Compare(a.BioguideID, b.BioguideID)
	})
	return r
}
