package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/internal/standin"
	"github.com/whipcount/whipcount/internal/testkit"
)

// cwcEnv is the environment of a server or command that delivers through
// the CWC stand-in with key.
func cwcEnv(c *standin.CWC, key string, extra ...string) map[string]string {
	env := map[string]string{
		"WHIPCOUNT_CWC_URL": c.URL, "WHIPCOUNT_CWC_KEY": key,
		"WHIPCOUNT_CWC_AGENT": "Whipcount Test", "WHIPCOUNT_CWC_AGENT_EMAIL": "ack@whipcount.example",
		"WHIPCOUNT_CWC_CONTACT_NAME": "Test Operator", "WHIPCOUNT_CWC_CONTACT_EMAIL": "ops@whipcount.example",
		"WHIPCOUNT_CWC_CONTACT_PHONE": "(202) 555-0100",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

func runWith(ctx context.Context, env map[string]string, args ...string) (int, string) {
	var out strings.Builder
	code := run(ctx, append([]string{"whipcount"}, args...), func(k string) string { return env[k] }, &out, &out)
	return code, out.String()
}

func TestCWCCheck(t *testing.T) {
	c := standin.NewCWC(t, "house-key", "senate-key")
	ctx := context.Background()

	code, out := runWith(ctx, cwcEnv(c, "house-key"), "cwc", "check")
	if code != 0 || !strings.Contains(out, "valid") || !strings.Contains(out, "CWC accepted it (HTTP 200): Message Validated") ||
		!strings.Contains(out, "The settings work") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	r := c.Received()
	if len(r) != 0 {
		t.Fatalf("the check delivered a message: %+v", r)
	}

	// The Senate's testing route.
	code, out = runWith(ctx, cwcEnv(c, "house-key", "WHIPCOUNT_CWC_SENATE_URL", c.URL, "WHIPCOUNT_CWC_SENATE_KEY", "senate-key"),
		"cwc", "check", "-chamber", "senate", "-print")
	if code != 0 || !strings.Contains(out, "/api/testing-messages/") || !strings.Contains(out, "<MemberOffice>SNY03</MemberOffice>") {
		t.Fatalf("senate: exit %d:\n%s", code, out)
	}

	// A wrong key is told plainly, with the setting to fix.
	code, out = runWith(ctx, cwcEnv(c, "wrong-key"), "cwc", "check")
	if code != 1 || !strings.Contains(out, "refused our API key") || !strings.Contains(out, "WHIPCOUNT_CWC_KEY") ||
		strings.Contains(out, "wrong-key") {
		t.Fatalf("wrong key: exit %d:\n%s", code, out)
	}

	// CWC's own refusal is printed.
	c.Refuse("HDC00", "MemberOffice HDC00 is not accepting messages.")
	code, out = runWith(ctx, cwcEnv(c, "house-key"), "cwc", "check")
	if code != 1 || !strings.Contains(out, "CWC refused the message (HTTP 400): MemberOffice HDC00 is not accepting messages.") {
		t.Fatalf("refused: exit %d:\n%s", code, out)
	}
}

// Settings CWC's grammar would refuse stop serve (and the check) at start,
// naming the setting.
func TestCWCSettingsCheckedAtStart(t *testing.T) {
	c := standin.NewCWC(t, "house-key")
	tests := []struct{ key, value, want string }{
		{"WHIPCOUNT_CWC_AGENT", "Bob", "-cwc-agent: CWC Delivery/DeliveryAgent must have at least 4 characters"},
		{"WHIPCOUNT_CWC_CONTACT_NAME", "Pat", "-cwc-contact-name: CWC Delivery/DeliveryAgentContact/DeliveryAgentContactName must have at least 6 characters"},
		{"WHIPCOUNT_CWC_AGENT_EMAIL", "ops@localhost", "-cwc-agent-email"},
		{"WHIPCOUNT_CWC_ORGANIZATION", "ACLU", "-cwc-organization: CWC Delivery/Organization must have at least 6 characters"},
	}
	for _, tc := range tests {
		env := cwcEnv(c, "house-key", tc.key, tc.value, "WHIPCOUNT_ADDR", "127.0.0.1:0", "WHIPCOUNT_DB", filepath.Join(t.TempDir(), "w.db"))
		for _, cmd := range [][]string{{"serve"}, {"cwc", "check"}} {
			code, out := runWith(context.Background(), env, cmd...)
			if code != 1 || !strings.Contains(out, tc.want) {
				t.Errorf("%s=%q, %v: exit %d, %q; want %q", tc.key, tc.value, cmd, code, out, tc.want)
			}
		}
	}
}

func TestDeliveriesCommand(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "w.db")
	store := testkit.OpenDB(t, dbPath)
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	if err := sqlite.SeedCampaign(ctx, store, now); err != nil {
		t.Fatal(err)
	}
	camp, err := sqlite.NewCampaigns(store).Campaign(ctx, sqlite.SeedSlug)
	if err != nil {
		t.Fatal(err)
	}
	letters := sqlite.NewLetters(store, func() time.Time { return now }, rand.Reader)
	for _, email := range []string{"a@example.org", "b@example.org"} {
		_, err := letters.CreateLetter(ctx, advocacy.NewLetter{CampaignID: camp.ID, State: "NY", District: 10, SettledBy: advocacy.SettledByZIP,
			Input: advocacy.LetterInput{Prefix: "Ms.", FirstName: "Ada", LastName: "Lovelace", Address1: "12 Orchard Street",
				City: "New York", State: "NY", Zip: "10002", Email: email, Consent: true},
			Recipients: []advocacy.NewDelivery{{BioguideID: "G000599", OfficeCode: "HNY10", Chamber: advocacy.House,
				Channel: advocacy.ChannelCWC, Subject: "Please cosponsor H.R. 5917", TemplateText: "Dear Representative, please."}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := letters.Hold(ctx, advocacy.House, 0, "CWC refused our API key (HTTP 401).", now); err != nil {
		t.Fatal(err)
	}
	store.Close()

	env := map[string]string{"WHIPCOUNT_DB": dbPath, "WHIPCOUNT_NOW": "2026-03-02T16:00:00Z"}
	code, out := runWith(ctx, env, "deliveries", "status")
	if code != 0 || !strings.Contains(out, "house    0       2     0") || !strings.Contains(out, "house: HELD since 2026-03-02T15:00:00Z: CWC refused our API key") {
		t.Fatalf("status: exit %d:\n%s", code, out)
	}
	if code, out := runWith(ctx, env, "deliveries", "retry"); code != 2 || !strings.Contains(out, "-held, -failed or both") {
		t.Fatalf("retry without a choice: exit %d:\n%s", code, out)
	}
	code, out = runWith(ctx, env, "deliveries", "retry", "-held", "-chamber", "house", "-campaign", sqlite.SeedSlug)
	if code != 0 || !strings.Contains(out, "Queued 2 held letters again") {
		t.Fatalf("retry: exit %d:\n%s", code, out)
	}
	code, out = runWith(ctx, env, "deliveries", "status")
	if code != 0 || !strings.Contains(out, "house    2       0") || strings.Contains(out, "HELD since") {
		t.Fatalf("status after retry: exit %d:\n%s", code, out)
	}
	store = testkit.OpenDB(t, dbPath)
	defer store.Close()
	entries, err := sqlite.NewAudit(store).AuditLog(ctx, 0, 10)
	if err != nil || len(entries) == 0 || entries[0].Action != "deliveries.retry" || entries[0].UserID != 0 {
		t.Fatalf("audit %+v %v", entries, err)
	}
}

// serveUntil runs serve with env until stop is called, and returns its
// address and logs.
func serveUntil(t *testing.T, env map[string]string) (base string, logs *syncBuffer, stop func()) {
	t.Helper()
	addr := freeAddr(t)
	env["WHIPCOUNT_ADDR"] = addr
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		// As run does, with the built-in reference data loaded once for all
		// the servers of the tests.
		code := 0
		if err := serveWith(ctx, nil, func(k string) string { return env[k] }, logs, sharedData); err != nil {
			fmt.Fprintf(logs, "whipcount: %v\n", err)
			code = 1
		}
		done <- code
	}()
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, logs.String())
		default:
		}
		time.Sleep(10 * time.Millisecond) // polling for the listener, not timing anything
	}
	return "http://" + addr, logs, func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d: %s", code, logs.String())
		}
	}
}

// postLetter sends a letter from Ada in NY-10 to recipients through the
// JSON API, with extra JSON fields, and returns the 201 answer.
func postLetter(t *testing.T, base string, recipients string, extra ...string) string {
	t.Helper()
	body := `{"campaign": "jackson-vanik", "recipients": [` + recipients + `], "prefix": "Ms.",
		"first_name": "Ada", "last_name": "Lovelace", "address1": "12 Orchard Street", "city": "New York",
		"state": "NY", "zip": "10002", "email": "ada@example.org", "consent": true`
	for _, e := range extra {
		body += ", " + e
	}
	res, err := http.Post(base+"/api/v1/letters", "application/json", strings.NewReader(body+"}"))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST letter: %d %s", res.StatusCode, answer)
	}
	return string(answer)
}

// getUntil polls url until its body contains want (or fails after a
// generous deadline), returning the body.
func getUntil(t *testing.T, url, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a failure deadline, not a wait
	for {
		res, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if strings.Contains(string(b), want) {
				return string(b)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never said %q: %s", url, want, b)
			}
		}
		time.Sleep(20 * time.Millisecond) // polling the server's progress, not timing it
	}
}

// With a wrong key, letters are held (not failed), the operator is told in
// the log and /healthz; after the key is fixed and the server restarted,
// they go out with their DeliveryIds.
func TestServeHoldsLettersOnAWrongKeyAndResumesAfterRestart(t *testing.T) {
	c := standin.NewCWC(t, "house-key")
	env := cwcEnv(c, "wrong-key", "WHIPCOUNT_DB", filepath.Join(t.TempDir(), "w.db"))
	base, logs, stop := serveUntil(t, env)
	postLetter(t, base, `"G000599"`, `"address2": "#2"`)
	health := getUntil(t, base+"/healthz", "cwc house: held since")
	if !strings.Contains(health, "1 waiting") || !strings.Contains(health, "WHIPCOUNT_CWC_KEY") {
		t.Errorf("healthz: %s", health)
	}
	stop()
	if !strings.Contains(logs.String(), "CWC delivery to the House is held until the operator fixes it") || strings.Contains(logs.String(), "wrong-key") {
		t.Errorf("logs: %s", logs.String())
	}
	if len(c.Accepted()) != 0 {
		t.Fatal("a message was accepted with a wrong key")
	}

	env["WHIPCOUNT_CWC_KEY"] = "house-key"
	base, _, stop = serveUntil(t, env)
	defer stop()
	getUntil(t, base+"/healthz", "cwc house: ok, 0 queued, 0 failed")
	acc := c.Accepted()
	var first string
	for _, r := range c.Received() {
		first = r.DeliveryID
		break
	}
	if len(acc) != 1 || acc[first] != 1 {
		t.Fatalf("accepted %v, first try %s", acc, first)
	}
	last := c.Received()[len(c.Received())-1]
	if !strings.Contains(string(last.Body), "<Address1>12 Orchard Street #2</Address1>") {
		t.Errorf("the short unit line was not folded: %s", last.Body)
	}
}

// With a Senate endpoint, the Senate's active office list routes copies:
// a listed senator's copy goes through CWC under the list's code, an
// unlisted office's copy through its sender; the disagreement is logged.
func TestServeRoutesSenateCopiesByTheSenatesList(t *testing.T) {
	c := standin.NewCWC(t, "house-key", "senate-key")
	c.SetActiveOffices(standin.CWCOffice{Code: "SNY03", BioguideID: "S000148", Name: "Charles E. Schumer"})
	env := cwcEnv(c, "house-key", "WHIPCOUNT_DB", filepath.Join(t.TempDir(), "w.db"),
		"WHIPCOUNT_CWC_SENATE_URL", c.URL, "WHIPCOUNT_CWC_SENATE_KEY", "senate-key")
	base, logs, stop := serveUntil(t, env)
	defer stop()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(logs.String(), "Senate active office list refreshed"); {
		if time.Now().After(deadline) { // a failure deadline, not a wait
			t.Fatalf("the office list was never fetched: %s", logs.String())
		}
		time.Sleep(10 * time.Millisecond) // polling the server's progress, not timing it
	}
	if !strings.Contains(logs.String(), `"bioguide":"G000555","derived":"SNY01"`) {
		t.Errorf("the unlisted office was not logged: %s", logs.String())
	}
	answer := postLetter(t, base, `"S000148", "G000555"`)
	for _, want := range []string{`"office":"SNY03","channel":"cwc"`, `"office":"SNY01","channel":"assisted"`} {
		if !strings.Contains(answer, want) {
			t.Errorf("answer lacks %s: %s", want, answer)
		}
	}
	getUntil(t, base+"/healthz", "cwc senate: ok, 0 queued")
	if r := c.Received(); len(r) != 1 || r[0].Office != "SNY03" || r[0].Path != "/api/messages/" {
		t.Errorf("CWC received %+v", r)
	}
}
