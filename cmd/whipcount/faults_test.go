package main

import (
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOutsideServicesDown runs the server with its CWC endpoint and its
// mail server unreachable. The person's letter is accepted and its page
// says where it stands; the operator reads why in the logs; the letter and
// its queued CWC copy are in the database, waiting for the retry.
func TestOutsideServicesDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String() // nothing listens here once closed
	ln.Close()
	h := &settingHarness{env: map[string]string{
		"WHIPCOUNT_ADDR": freeAddr(t), "WHIPCOUNT_DB": filepath.Join(t.TempDir(), "w.db"),
		"WHIPCOUNT_CWC_URL": "http://" + down, "WHIPCOUNT_CWC_KEY": "house-key",
		"WHIPCOUNT_CWC_AGENT": "Whipcount Test", "WHIPCOUNT_CWC_AGENT_EMAIL": "ack@whipcount.example",
		"WHIPCOUNT_CWC_CONTACT_NAME": "Test Operator", "WHIPCOUNT_CWC_CONTACT_EMAIL": "ops@whipcount.example",
		"WHIPCOUNT_CWC_CONTACT_PHONE": "(202) 555-0100",
		"WHIPCOUNT_SMTP_ADDR":         down, "WHIPCOUNT_SMTP_FROM": "letters@whipcount.example",
		"WHIPCOUNT_DB_TIMEOUT": "1m",
	}}
	s := h.start(t)
	body := s.sendLetter(t, "ada@example.org", 201, `"receipt": true`)
	url := regexp.MustCompile(`"status_url":"([^"]+)"`).FindStringSubmatch(body)
	if url == nil {
		t.Fatal(body)
	}
	if _, page := s.get(t, url[1]); !strings.Contains(page, "Queued") {
		t.Error("the letter's page does not say the CWC copy is queued")
	}
	s.waitLog(t, `"msg":"cwc delivery will be retried"`)
	s.waitLog(t, `"msg":"confirmation not sent"`)
	if !strings.Contains(s.logs.String(), `"reason":"connect"`) {
		t.Errorf("the mail failure is not classified: %.2000s", s.logs.String())
	}
	if n := s.count(t, "SELECT count(*) FROM deliveries WHERE channel = 'cwc' AND status = 'queued' AND attempts >= 1"); n != 1 {
		t.Errorf("CWC copies queued for a retry = %d, want 1", n)
	}
	if n := s.count(t, "SELECT count(*) FROM letters WHERE status = 'active'"); n != 1 {
		t.Errorf("letters = %d", n)
	}
}
