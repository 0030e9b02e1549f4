package main

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLetterFlagsChecked(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"url without key", map[string]string{"WHIPCOUNT_CWC_URL": "https://cwc.example"}, "set both the URL and the key"},
		{"CWC without agent", map[string]string{"WHIPCOUNT_CWC_URL": "https://cwc.example", "WHIPCOUNT_CWC_KEY": "k"}, "-cwc-agent"},
		{"bad base URL", map[string]string{"WHIPCOUNT_BASE_URL": "whipcount.example"}, "-base-url"},
		{"SMTP without sender", map[string]string{"WHIPCOUNT_SMTP_ADDR": "localhost:25"}, "-smtp-from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"WHIPCOUNT_ADDR": "127.0.0.1:0", "WHIPCOUNT_DB": filepath.Join(t.TempDir(), "w.db")}
			for k, v := range tt.env {
				env[k] = v
			}
			var stderr strings.Builder
			code := run(context.Background(), []string{"whipcount", "serve"}, func(k string) string { return env[k] }, io.Discard, &stderr)
			if code != 1 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr.String(), tt.want)
			}
		})
	}
}

// TestServeDeliversThroughCWC runs serve with a House CWC endpoint from the
// environment, sends a letter through the JSON API, and waits for the
// outbox worker, woken by the letter, to post it to the endpoint.
func TestServeDeliversThroughCWC(t *testing.T) {
	type message struct {
		Office     string `xml:"Recipient>MemberOffice"`
		DeliveryID string `xml:"Delivery>DeliveryId"`
	}
	got := make(chan message, 4)
	cwc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m message
		if r.URL.Path != "/v2/message" || r.URL.Query().Get("apikey") != "house-key" || xml.NewDecoder(r.Body).Decode(&m) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		got <- m
	}))
	defer cwc.Close()

	env := map[string]string{
		"WHIPCOUNT_DB":      filepath.Join(t.TempDir(), "w.db"),
		"WHIPCOUNT_CWC_URL": cwc.URL, "WHIPCOUNT_CWC_KEY": "house-key",
		"WHIPCOUNT_CWC_AGENT": "Whipcount Test", "WHIPCOUNT_CWC_AGENT_EMAIL": "ack@whipcount.example",
		"WHIPCOUNT_CWC_CONTACT_NAME": "Test Operator", "WHIPCOUNT_CWC_CONTACT_EMAIL": "ops@whipcount.example",
		"WHIPCOUNT_CWC_CONTACT_PHONE": "(202) 555-0100", "WHIPCOUNT_BASE_URL": "https://whipcount.example",
	}
	base, logs, stop := serveUntil(t, env)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	answer := postLetter(t, base, `"G000599", "S000148"`)
	for _, want := range []string{`"office":"HNY10","channel":"cwc"`, `"office":"SNY03","channel":"assisted"`, `"status_url":"https://whipcount.example/letters/`} {
		if !strings.Contains(answer, want) {
			t.Errorf("answer lacks %s: %s", want, answer)
		}
	}

	select {
	case m := <-got:
		if m.Office != "HNY10" || len(m.DeliveryID) != 32 {
			t.Errorf("CWC got office %q, delivery %q", m.Office, m.DeliveryID)
		}
	case <-time.After(30 * time.Second): // a failure deadline, not a wait
		t.Fatalf("the outbox never delivered: %s", logs.String())
	}

	stop()
	stopped = true
	out := logs.String()
	if !strings.Contains(out, `"msg":"cwc delivery sent"`) || strings.Contains(out, "house-key") || strings.Contains(out, "Lovelace") {
		t.Errorf("logs: %s", out)
	}
	select {
	case m := <-got:
		t.Errorf("a second message reached CWC: %+v", m)
	default:
	}
}
