package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestSendRefusedInsideTheStep: a send refused for going too fast answers
// htmx with a notice aimed at the step's alert region (the step and what
// was typed stay), and a plain form with the preview again, every value
// kept, saying when to retry.
func TestSendRefusedInsideTheStep(t *testing.T) {
	e := newEnv(t, letterFlow(), withConfig(func(c *Config) { c.Limits.LetterEmail = Limit{PerMinute: 1.0 / 60, Burst: 1} }))
	e.sendOne(t, with(validForm(e.formToken(t)), "recipients", goldman))
	form := with(validForm(e.formToken(t)), "recipients", schumer)

	req := e.post(t, "/write/send", form, true)
	if req.Code != http.StatusTooManyRequests || req.Header().Get("Retry-After") == "" {
		t.Fatalf("htmx send: %d, Retry-After %q", req.Code, req.Header().Get("Retry-After"))
	}
	if got := req.Header().Get("HX-Retarget"); got != "#page-alert" && got != "#flow-alert" {
		t.Errorf("HX-Retarget = %q", got)
	}
	if strings.Contains(req.Body.String(), "<html") || strings.Contains(req.Body.String(), "site-header") {
		t.Error("an htmx error answer carries a whole page")
	}
	if !strings.Contains(req.Body.String(), "wait") || !strings.Contains(req.Body.String(), "Nothing you typed has been lost") {
		t.Errorf("notice = %s", req.Body)
	}

	plain := e.post(t, "/write/send", form, false)
	if plain.Code != http.StatusTooManyRequests || plain.Header().Get("Retry-After") == "" {
		t.Fatalf("plain send: %d", plain.Code)
	}
	d := mustDoc(t, plain)
	if d.Find(`[data-testid="letter-flow"][data-step="preview"] #flow-alert [data-testid="alert"]`).Length() != 1 {
		t.Error("the preview did not come back with the notice")
	}
	if v := d.Find(`[data-testid="preview-form"] input[name="personal_message"]`).AttrOr("value", ""); !strings.Contains(v, "Orchard Street") {
		t.Errorf("the letter was lost: %q", v)
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 1 {
		t.Errorf("letters stored = %d", n)
	}
}

// TestHTMXErrorAimsAtTheRegion: the notice goes to the alert region of the
// region the request was updating.
func TestHTMXErrorAimsAtTheRegion(t *testing.T) {
	e := newEnv(t, letterFlow())
	req := e.post(t, "/write/send", with(validForm(e.formToken(t)), "campaign", "no-such-campaign"), true)
	if req.Code != http.StatusNotFound {
		t.Fatalf("unknown campaign: %d", req.Code)
	}
	for target, want := range map[string]string{"letter-flow": "#flow-alert", "lookup": "#lookup-alert", "delivery-x": "#page-alert"} {
		if got := alertRegion(target); got != want {
			t.Errorf("alertRegion(%q) = %q, want %q", target, got, want)
		}
	}
}

// TestStepsNameThemselves: each htmx step's answer starts with its title,
// which htmx gives the document.
func TestStepsNameThemselves(t *testing.T) {
	e := newEnv(t, letterFlow())
	for path, want := range map[string]string{
		"/reps?zip=10025":  "<title>Members for ZIP 10025 · Whipcount</title>",
		"/reps?zip=10002":  "<title>Your members for New York’s 10th district · Whipcount</title>",
		"/reps?zip=abc":    "<title>Error: Find your members of Congress · Whipcount</title>",
		"/write?zip=10002": "<title>Write to your members · Whipcount</title>",
	} {
		if body := e.get(t, path, true).Body.String(); !strings.HasPrefix(body, want) {
			t.Errorf("%s starts %q", path, body[:min(len(body), 90)])
		}
	}
	rec := e.post(t, "/write/preview", validForm(e.formToken(t)), true)
	if !strings.HasPrefix(rec.Body.String(), "<title>Check your letter · Whipcount</title>") {
		t.Errorf("preview starts %q", rec.Body.String()[:90])
	}
}
