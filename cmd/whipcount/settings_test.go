package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/db/reference"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/congress"
	"github.com/whipcount/whipcount/internal/sqlite"
	"github.com/whipcount/whipcount/internal/standin"
	"github.com/whipcount/whipcount/internal/testkit"
)

// Every setting of serve must change what the running server does. This
// file walks each flag, through its WHIPCOUNT_* variable, to the behaviour
// it names: one row per flag in settingRows. A flag that serve declares
// without a row fails TestEverySettingHasARow, so a new setting cannot be
// added, or an old one dropped on the way to the server, unnoticed.
//
// To add a row: name it after the flag (or the variable, for settings that
// have no flag), give the settings in env (setup may start stand-ins or
// prepare the database first), and in check prove, against the running
// server, something that only that setting makes true.

// settingRow is one setting and how to see it take effect.
type settingRow struct {
	// name is the flag's name without the dash, or the variable's name.
	name string
	// env are the WHIPCOUNT_* variables of this run (besides the address
	// and database, which every run gets).
	env map[string]string
	// setup runs before the server starts; it may add to env.
	setup func(t *testing.T, h *settingHarness)
	// check runs against the started server.
	check func(t *testing.T, s *liveServer)
}

// settingRows is the table: one row per serve flag and per WHIPCOUNT_*
// variable that is not a flag.
var settingRows = []settingRow{
	{name: "addr", check: func(t *testing.T, s *liveServer) {
		// The harness put the server on a port of its own choosing.
		if code, _ := s.get(t, "/healthz"); code != 200 {
			t.Errorf("no answer at WHIPCOUNT_ADDR: %d", code)
		}
	}},
	{name: "db", check: func(t *testing.T, s *liveServer) {
		if _, err := os.Stat(s.dbPath); err != nil {
			t.Errorf("no database at WHIPCOUNT_DB: %v", err)
		}
		if n := s.count(t, "SELECT count(*) FROM campaigns"); n != 1 {
			t.Errorf("campaigns in WHIPCOUNT_DB = %d, want the seeded one", n)
		}
	}},
	{name: "data", setup: func(t *testing.T, h *settingHarness) {
		dir := t.TempDir()
		src, _ := filepath.Abs(filepath.Join("..", "..", "db", "reference"))
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() == "VERSION" || strings.HasSuffix(e.Name(), ".go") {
				continue
			}
			if err := os.Symlink(filepath.Join(src, e.Name()), filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "VERSION"), []byte("2031-02-03\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		h.env["WHIPCOUNT_DATA"] = dir
	}, check: func(t *testing.T, s *liveServer) {
		if _, body := s.get(t, "/about"); !strings.Contains(body, "2031-02-03") {
			t.Error("/about does not show the date of the data folder")
		}
	}},
	{name: "log-format", env: map[string]string{"WHIPCOUNT_LOG_FORMAT": "text"}, check: func(t *testing.T, s *liveServer) {
		if out := s.logs.String(); !strings.Contains(out, "msg=serving") || strings.Contains(out, `"msg":`) {
			t.Errorf("logs are not text: %.300s", out)
		}
	}},
	{name: "log-level", env: map[string]string{"WHIPCOUNT_LOG_LEVEL": "warn"}, check: func(t *testing.T, s *liveServer) {
		s.get(t, "/about")
		if out := s.logs.String(); strings.Contains(out, `"msg":"request"`) || strings.Contains(out, `"msg":"serving"`) {
			t.Errorf("info lines logged at level warn: %.300s", out)
		}
	}},
	{name: "shutdown-timeout", env: map[string]string{"WHIPCOUNT_SHUTDOWN_TIMEOUT": "20ms"}, check: func(t *testing.T, s *liveServer) {
		// A request still being sent keeps its connection busy; the
		// server gives up on it after the timeout instead of waiting.
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// The server says 100 Continue once the handler reads the body:
		// from then on the request is in flight.
		fmt.Fprintf(c, "POST /write/personal HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n", s.addr)
		if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.Contains(line, "100 Continue") {
			t.Fatalf("no 100 Continue: %q %v", line, err)
		}
		code, stderr := s.stop(t)
		if code != 1 || !strings.Contains(stderr, "shutdown: context deadline exceeded") {
			t.Errorf("exit %d, stderr %q: want the shutdown to give up", code, stderr)
		}
	}},
	{name: "cosponsors-stale-days", env: map[string]string{"WHIPCOUNT_COSPONSORS_STALE_DAYS": "7"},
		setup: func(t *testing.T, h *settingHarness) {
			h.seedAt(t, harnessNow.Add(-10*24*time.Hour)) // older than 7 days, younger than the default 14
		}, check: func(t *testing.T, s *liveServer) {
			if _, body := s.get(t, "/bills/hr5917-119"); !strings.Contains(body, `data-stale="true"`) {
				t.Error("ten-day-old cosponsors are not called stale with a limit of 7 days")
			}
		}},
	{name: "db-timeout", env: map[string]string{"WHIPCOUNT_DB_TIMEOUT": "1m"}, check: func(t *testing.T, s *liveServer) {
		// Longer than SQLite's own wait for a lock (5 s), the time-out lets
		// that wait run out first: the 503 then comes from the lock, where
		// the default (3 s) cuts the wait short.
		release := s.holdWriteLock(t)
		defer release()
		body := `{"campaign": "jackson-vanik", "recipients": ["G000599"], "prefix": "Ms.", "first_name": "Ada", "last_name": "Lovelace",
			"address1": "12 Orchard Street", "city": "New York", "state": "NY", "zip": "10002", "email": "ada@example.org", "consent": true}`
		res, err := http.Post("http://"+s.addr+"/api/v1/letters", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" {
			t.Fatalf("letter with the write lock held: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
		if out := s.logs.String(); !strings.Contains(out, "database is locked") {
			t.Errorf("the 503 did not come from the lock: %.2000s", out)
		}
	}},

	{name: "no-public-cache", env: map[string]string{"WHIPCOUNT_NO_PUBLIC_CACHE": "true"}, check: func(t *testing.T, s *liveServer) {
		// The public stats are otherwise reused for two seconds, so the
		// new letter would not show yet.
		s.get(t, "/api/v1/campaigns/jackson-vanik/stats")
		s.sendLetter(t, "ada@example.org", 201)
		if _, body := s.get(t, "/api/v1/campaigns/jackson-vanik/stats"); !strings.Contains(body, `"total":1,`) {
			t.Errorf("the stats do not show the new letter at once: %s", body)
		}
	}},

	// Letters: CWC, SMTP and links.
	{name: "cwc-url", setup: cwcSetup(nil), check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201)
		if m := s.cwc.wait(t, 1); !strings.Contains(m[0].body, "<MemberOffice>HNY10</MemberOffice>") {
			t.Errorf("CWC got: %.300s", m[0].body)
		}
	}},
	{name: "cwc-key", setup: cwcSetup(nil), check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201)
		if m := s.cwc.wait(t, 1); m[0].key != "house-key" {
			t.Errorf("CWC got the key %q", m[0].key)
		}
	}},
	{name: "cwc-senate-url", setup: cwcSetup(map[string]string{"WHIPCOUNT_CWC_URL": "", "WHIPCOUNT_CWC_KEY": "", "WHIPCOUNT_CWC_SENATE_KEY": "senate-key"}, "senate"),
		check: func(t *testing.T, s *liveServer) {
			s.sendLetter(t, "ada@example.org", 201)
			if m := s.cwc.wait(t, 1); !strings.Contains(m[0].body, "<MemberOffice>SNY") {
				t.Errorf("Senate CWC got: %.300s", m[0].body)
			}
		}},
	{name: "cwc-senate-key", setup: cwcSetup(map[string]string{"WHIPCOUNT_CWC_URL": "", "WHIPCOUNT_CWC_KEY": "", "WHIPCOUNT_CWC_SENATE_KEY": "senate-key"}, "senate"),
		check: func(t *testing.T, s *liveServer) {
			s.sendLetter(t, "ada@example.org", 201)
			if m := s.cwc.wait(t, 1); m[0].key != "senate-key" {
				t.Errorf("Senate CWC got the key %q", m[0].key)
			}
		}},
	cwcFieldRow("cwc-agent", "WHIPCOUNT_CWC_AGENT", "Agent Of Record", "<DeliveryAgent>Agent Of Record</DeliveryAgent>"),
	cwcFieldRow("cwc-agent-email", "WHIPCOUNT_CWC_AGENT_EMAIL", "acks@agent.example", "<DeliveryAgentAckEmailAddress>acks@agent.example</DeliveryAgentAckEmailAddress>"),
	cwcFieldRow("cwc-contact-name", "WHIPCOUNT_CWC_CONTACT_NAME", "Pat Operator", "<DeliveryAgentContactName>Pat Operator</DeliveryAgentContactName>"),
	cwcFieldRow("cwc-contact-email", "WHIPCOUNT_CWC_CONTACT_EMAIL", "pat@agent.example", "<DeliveryAgentContactEmail>pat@agent.example</DeliveryAgentContactEmail>"),
	cwcFieldRow("cwc-contact-phone", "WHIPCOUNT_CWC_CONTACT_PHONE", "(202) 555-0177", "<DeliveryAgentContactPhone>202-555-0177</DeliveryAgentContactPhone>"),
	cwcFieldRow("cwc-organization", "WHIPCOUNT_CWC_ORGANIZATION", "Friends of Trade", "<Organization>Friends of Trade</Organization>"),
	{name: "cwc-timeout", env: map[string]string{"WHIPCOUNT_CWC_TIMEOUT": "50ms"}, setup: func(t *testing.T, h *settingHarness) {
		cwcSetup(nil)(t, h)
		h.cwc.hang = true
	}, check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201)
		s.waitFor(t, "a CWC attempt cut short by the time-out", func() bool {
			return s.count(t, "SELECT count(*) FROM deliveries WHERE channel = 'cwc' AND attempts > 0 AND last_error LIKE '%timed out%'") > 0
		})
	}},
	{name: "cwc-lease", env: map[string]string{"WHIPCOUNT_CWC_LEASE": "3h"}, setup: func(t *testing.T, h *settingHarness) {
		cwcSetup(nil)(t, h)
		h.cwc.hang = true
	}, check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201)
		// The worker holds the delivery it is sending for the lease.
		later := harnessNow.Add(2 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
		s.waitFor(t, "a delivery leased for three hours", func() bool {
			return s.count(t, "SELECT count(*) FROM deliveries WHERE locked_until > ?", later) > 0
		})
		s.cwc.release()
	}},
	{name: "cwc-concurrency", env: map[string]string{"WHIPCOUNT_CWC_CONCURRENCY": "3"}, setup: func(t *testing.T, h *settingHarness) {
		cwcSetup(nil)(t, h)
		h.cwc.hang = true
	}, check: func(t *testing.T, s *liveServer) {
		for i := range 5 {
			s.sendLetter(t, fmt.Sprintf("ada%d@example.org", i), 201)
		}
		// Five letters are due at once; the worker sends three of them.
		s.waitFor(t, "three requests in flight", func() bool {
			return s.count(t, "SELECT count(*) FROM deliveries WHERE channel = 'cwc' AND locked_until IS NOT NULL") == 3
		})
		s.cwc.release()
	}},
	{name: "cwc-give-up-after", env: map[string]string{"WHIPCOUNT_CWC_GIVE_UP_AFTER": "2h"}, setup: func(t *testing.T, h *settingHarness) {
		down := standin.NewCWC(t, "house-key")
		down.SetMode(standin.CWCDown)
		cwcSetup(map[string]string{"WHIPCOUNT_CWC_URL": down.URL})(t, h)
		h.cwcLetterAt(t, harnessNow.Add(-3*time.Hour))
	}, check: func(t *testing.T, s *liveServer) {
		// Queued three hours ago, through an outage: past a two-hour budget
		// (not the default three days), it fails for good.
		s.waitFor(t, "a delivery given up after its time budget", func() bool {
			return s.count(t, "SELECT count(*) FROM deliveries WHERE status = 'failed' AND last_error LIKE 'gave up after 3 hours%'") == 1
		})
	}},
	{name: "smtp-addr", setup: smtpSetup(standin.SMTPOptions{}), check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201, `"receipt": true`)
		if m := s.smtp.WaitMails(t, 1, 20*time.Second); m[0].To[0] != "ada@example.org" {
			t.Errorf("mail went to %v", m[0].To)
		}
	}},
	{name: "smtp-from", setup: smtpSetup(standin.SMTPOptions{}), check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201, `"receipt": true`)
		m := s.smtp.WaitMails(t, 1, 20*time.Second)
		if m[0].From != "letters@whipcount.example" || !strings.Contains(m[0].Header().Get("From"), "Campaign Desk") {
			t.Errorf("sender %q, From %q", m[0].From, m[0].Header().Get("From"))
		}
	}},
	{name: "smtp-username", env: map[string]string{"WHIPCOUNT_SMTP_USERNAME": "mailer", "WHIPCOUNT_SMTP_PASSWORD": "s3cret"},
		setup: smtpSetup(standin.SMTPOptions{Users: map[string]string{"mailer": "s3cret"}}), check: func(t *testing.T, s *liveServer) {
			s.sendLetter(t, "ada@example.org", 201, `"receipt": true`)
			if m := s.smtp.WaitMails(t, 1, 20*time.Second); m[0].AuthUser != "mailer" {
				t.Errorf("authenticated as %q", m[0].AuthUser)
			}
		}},
	{name: "smtp-password", env: map[string]string{"WHIPCOUNT_SMTP_USERNAME": "mailer", "WHIPCOUNT_SMTP_PASSWORD": "wrong"},
		setup: smtpSetup(standin.SMTPOptions{Users: map[string]string{"mailer": "s3cret"}}), check: func(t *testing.T, s *liveServer) {
			// The stand-in takes only the right password: a wrong one
			// reaching it is what keeps the mail from being sent.
			s.sendLetter(t, "ada@example.org", 201, `"receipt": true`)
			s.waitLog(t, `"reason":"auth"`)
			if n := len(s.smtp.Mails()); n != 0 {
				t.Errorf("%d messages accepted with a wrong password", n)
			}
		}},
	{name: "base-url", env: map[string]string{"WHIPCOUNT_BASE_URL": "https://letters.example.org"}, check: func(t *testing.T, s *liveServer) {
		if body := s.sendLetter(t, "ada@example.org", 201); !strings.Contains(body, `"status_url":"https://letters.example.org/letters/`) {
			t.Errorf("status_url does not use the base URL: %s", body)
		}
	}},

	// Abuse controls and privacy.
	{name: "secret", env: map[string]string{"WHIPCOUNT_SECRET": base64.StdEncoding.EncodeToString([]byte("a secret of thirty-two bytes ok!"))},
		check: func(t *testing.T, s *liveServer) {
			_, page := s.get(t, "/write?zip=10002")
			m := regexp.MustCompile(`name="started" value="([0-9]+)\.([A-Za-z0-9_-]+)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no form stamp on /write")
			}
			mac := hmac.New(sha256.New, []byte("a secret of thirty-two bytes ok!"))
			mac.Write([]byte("form-started\x00" + m[1]))
			if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:12]); m[2] != want {
				t.Error("the form stamp is not signed with WHIPCOUNT_SECRET")
			}
		}},
	{name: "trust-proxy", env: map[string]string{"WHIPCOUNT_TRUST_PROXY": "true", "WHIPCOUNT_LIMIT_LOOKUP": "1/1h"},
		check: func(t *testing.T, s *liveServer) {
			for _, ip := range []string{"198.51.100.1", "198.51.100.2"} {
				if code := s.getFrom(t, "/reps?zip=10002", ip); code != 200 {
					t.Errorf("first lookup from %s: %d; clients behind the proxy share a limit", ip, code)
				}
			}
			if code := s.getFrom(t, "/reps?zip=10002", "198.51.100.1"); code != 429 {
				t.Errorf("second lookup from one forwarded address: %d, want 429", code)
			}
		}},
	{name: "limit-lookup", env: map[string]string{"WHIPCOUNT_LIMIT_LOOKUP": "2/1h"}, check: func(t *testing.T, s *liveServer) {
		codes := []int{}
		for range 3 {
			code, _ := s.get(t, "/reps?zip=10002")
			codes = append(codes, code)
		}
		if !slices.Equal(codes, []int{200, 200, 429}) {
			t.Errorf("three lookups: %v", codes)
		}
	}},
	{name: "limit-letter-ip", env: map[string]string{"WHIPCOUNT_LIMIT_LETTER_IP": "1/1h"}, check: func(t *testing.T, s *liveServer) {
		// Past the per-address limit letters wait for moderation: a shared
		// network is not cut off.
		s.sendLetter(t, "ada@example.org", 201)
		s.sendLetter(t, "grace@example.org", 201)
		if n := s.count(t, "SELECT count(*) FROM letters WHERE status = 'held' AND hold_reason LIKE '%network address%'"); n != 1 {
			t.Errorf("letters held past the per-address limit = %d, want 1", n)
		}
	}},
	{name: "limit-letter-ip-max", env: map[string]string{"WHIPCOUNT_LIMIT_LETTER_IP_MAX": "1/1h"}, check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201)
		s.sendLetter(t, "grace@example.org", 429)
	}},
	{name: "geocoder-url", setup: geocoderSetup(nil), check: func(t *testing.T, s *liveServer) {
		code, body := s.get(t, "/reps?address="+url.QueryEscape(standinAddress))
		if code != 200 || !strings.Contains(body, "300 W 96TH ST") || !strings.Contains(body, `data-district="NY-12"`) {
			t.Errorf("an address through WHIPCOUNT_GEOCODER_URL: %d", code)
		}
	}},
	{name: "geocoder", setup: geocoderSetup(map[string]string{"WHIPCOUNT_GEOCODER": "false"}), check: func(t *testing.T, s *liveServer) {
		if code, _ := s.get(t, "/reps?address="+url.QueryEscape(standinAddress)); code != 422 {
			t.Errorf("an address with WHIPCOUNT_GEOCODER=false: %d, want 422", code)
		}
		if _, body := s.get(t, "/privacy"); !strings.Contains(body, "turned off") {
			t.Error("the privacy page does not say address lookups are off")
		}
	}},
	{name: "limit-letter-email", env: map[string]string{"WHIPCOUNT_LIMIT_LETTER_EMAIL": "1/1h"}, check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201)
		s.sendLetter(t, "ada@example.org", 429)
		s.sendLetter(t, "grace@example.org", 201)
	}},
	{name: "letters-per-minute", env: map[string]string{"WHIPCOUNT_LETTERS_PER_MINUTE": "1"}, check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201)
		s.sendLetter(t, "grace@example.org", 201)
		if n := s.count(t, "SELECT count(*) FROM letters WHERE status = 'held'"); n != 1 {
			t.Errorf("held letters past a cap of one a minute = %d, want 1", n)
		}
	}},
	{name: "require-confirmation", env: map[string]string{"WHIPCOUNT_REQUIRE_CONFIRMATION": "true"},
		setup: smtpSetup(standin.SMTPOptions{}), check: func(t *testing.T, s *liveServer) {
			s.sendLetter(t, "ada@example.org", 201)
			if n := s.count(t, "SELECT count(*) FROM letters l JOIN letter_confirmations c ON c.letter_id = l.id WHERE l.status = 'held'"); n != 1 {
				t.Errorf("letters waiting for confirmation = %d, want 1", n)
			}
			m := s.smtp.WaitMails(t, 1, 20*time.Second)
			if !strings.Contains(m[0].Text(), "/confirm?t=") {
				t.Errorf("the mail has no confirmation link: %s", m[0].Text())
			}
			if _, body := s.get(t, "/api/v1/campaigns/jackson-vanik/stats"); !strings.Contains(body, `"total":0`) {
				t.Errorf("an unconfirmed letter is counted: %s", body)
			}
		}},
	{name: "retention-days", env: map[string]string{"WHIPCOUNT_RETENTION_DAYS": "30"}, setup: func(t *testing.T, h *settingHarness) {
		h.letterAt(t, harnessNow.Add(-40*24*time.Hour))
	}, check: func(t *testing.T, s *liveServer) {
		if _, body := s.get(t, "/privacy"); !strings.Contains(body, "30 days after") {
			t.Error("/privacy does not say 30 days")
		}
		s.waitFor(t, "the 40-day-old letter erased", func() bool {
			return s.count(t, "SELECT count(*) FROM letters WHERE erased_at IS NOT NULL AND first_name = ''") == 1
		})
	}},

	// Keeping up with Congress: member data and cosponsors.
	dataRefreshRow("data-refresh", func(t *testing.T, s *liveServer, up *standin.Legislators) {
		s.waitFor(t, "the new member of CA-14 after the server's own update", func() bool { return liveCA14(t, s) == "Z000999" })
	}),
	dataRefreshRow("data-from", func(t *testing.T, s *liveServer, up *standin.Legislators) {
		s.waitFor(t, "the member files fetched from WHIPCOUNT_DATA_FROM", func() bool { return len(up.Paths()) == 3 })
	}),
	{name: "data-stale-days", env: map[string]string{"WHIPCOUNT_DATA_STALE_DAYS": "1000"}, check: func(t *testing.T, s *liveServer) {
		// The built-in data is months old: past the default 30 days,
		// within 1000.
		if _, body := s.get(t, "/about"); strings.Contains(body, "changes to Congress since then may be missing") {
			t.Error("data within 1000 days is called stale")
		}
	}},
	congressGovRow("congress-api-key", nil, func(t *testing.T, s *liveServer, api *standin.CongressGov) {
		s.waitFor(t, "Congress.gov's latest action on the bill page", func() bool {
			_, body := s.get(t, "/bills/hr5917-119")
			return strings.Contains(body, "Referred to the House Committee on Ways and Means.")
		})
	}),
	congressGovRow("congress-api-url", nil, func(t *testing.T, s *liveServer, api *standin.CongressGov) {
		s.waitFor(t, "requests at WHIPCOUNT_CONGRESS_API_URL", func() bool { return len(api.Requests()) >= 6 })
	}),
	congressGovRow("congress-api-hourly", map[string]string{"WHIPCOUNT_CONGRESS_API_HOURLY": "1"}, func(t *testing.T, s *liveServer, api *standin.CongressGov) {
		// One request an hour: the first goes out, the second would wait
		// most of an hour, so the sync gives up and says why.
		s.waitFor(t, "the sync stopped by the hourly limit", func() bool {
			return s.count(t, "SELECT count(*) FROM cosponsor_syncs WHERE error LIKE '%hourly request limit is used up%'") > 0
		})
		if n := len(api.Requests()); n != 1 {
			t.Errorf("%d requests within a limit of 1", n)
		}
	}),
	congressGovRow("cosponsors-sync", map[string]string{"WHIPCOUNT_COSPONSORS_SYNC": "0"}, func(t *testing.T, s *liveServer, api *standin.CongressGov) {
		// 0: no sync of its own, at start or later; by hand only.
		s.waitLog(t, `"every":"0s"`)
		if n := len(api.Requests()); n != 0 {
			t.Errorf("%d requests with the schedule off", n)
		}
	}),

	// Variables that are not flags.
	// A date late in the 119th Congress, whose bills still take letters
	// (after 2027-01-03 they are dead and the campaign takes none).
	{name: "WHIPCOUNT_NOW", env: map[string]string{"WHIPCOUNT_NOW": "2026-12-24T12:00:00Z"}, check: func(t *testing.T, s *liveServer) {
		body := s.sendLetter(t, "ada@example.org", 201)
		url := regexp.MustCompile(`"status_url":"([^"]+)"`).FindStringSubmatch(body)
		if url == nil {
			t.Fatal(body)
		}
		if _, page := s.get(t, url[1]); !strings.Contains(page, "December 24, 2026") {
			t.Error("the letter is not dated at WHIPCOUNT_NOW")
		}
	}},
}

// dataRefreshRow is a row for the member data updates: a data folder
// never updated, a schedule, and upstream files with a new member for
// CA-14.
func dataRefreshRow(name string, check func(*testing.T, *liveServer, *standin.Legislators)) settingRow {
	var up *standin.Legislators
	return settingRow{name: name, setup: func(t *testing.T, h *settingHarness) {
		files := upstreamFiles(t)
		files["legislators-current.yaml"] = withNewMember(files["legislators-current.yaml"])
		up = standin.NewLegislators(t, files)
		h.env["WHIPCOUNT_DATA"] = t.TempDir()
		h.env["WHIPCOUNT_DATA_REFRESH"] = "24h"
		h.env["WHIPCOUNT_DATA_FROM"] = up.URL
	}, check: func(t *testing.T, s *liveServer) { check(t, s, up) }}
}

// liveCA14 is the member the running server names for CA-14.
func liveCA14(t *testing.T, s *liveServer) string {
	return ca14(t, "http://"+s.addr)
}

// congressGovRow is a row for a Congress.gov setting: a stand-in with the
// seeded bills, the key and its address, and env on top.
func congressGovRow(name string, env map[string]string, check func(*testing.T, *liveServer, *standin.CongressGov)) settingRow {
	var api *standin.CongressGov
	return settingRow{name: name, setup: func(t *testing.T, h *settingHarness) {
		api = standin.NewCongressGov(t, "gov-key", apiBill(), senateAPIBill())
		h.env["WHIPCOUNT_CONGRESS_API_KEY"] = "gov-key"
		h.env["WHIPCOUNT_CONGRESS_API_URL"] = api.URL
		for k, v := range env {
			h.env[k] = v
		}
	}, check: func(t *testing.T, s *liveServer) { check(t, s, api) }}
}

// cwcFieldRow is a row for a CWC delivery-agent setting: its value must
// appear in the XML posted to CWC.
func cwcFieldRow(name, variable, value, want string) settingRow {
	return settingRow{name: name, setup: cwcSetup(map[string]string{variable: value}), check: func(t *testing.T, s *liveServer) {
		s.sendLetter(t, "ada@example.org", 201)
		if m := s.cwc.wait(t, 1); !strings.Contains(m[0].body, want) {
			t.Errorf("CWC message lacks %s: %.600s", want, m[0].body)
		}
	}}
}

// cwcSetup starts a CWC stand-in and configures the House endpoint (or
// the Senate one) with a complete delivery agent; extra overrides.
func cwcSetup(extra map[string]string, chamber ...string) func(t *testing.T, h *settingHarness) {
	return func(t *testing.T, h *settingHarness) {
		h.cwc = newCWCRecorder(t)
		env := map[string]string{
			"WHIPCOUNT_CWC_URL": h.cwc.url, "WHIPCOUNT_CWC_KEY": "house-key",
			"WHIPCOUNT_CWC_AGENT": "Whipcount Test", "WHIPCOUNT_CWC_AGENT_EMAIL": "ack@whipcount.example",
			"WHIPCOUNT_CWC_CONTACT_NAME": "Test Operator", "WHIPCOUNT_CWC_CONTACT_EMAIL": "ops@whipcount.example",
			"WHIPCOUNT_CWC_CONTACT_PHONE": "(202) 555-0100",
		}
		if len(chamber) > 0 && chamber[0] == "senate" {
			env["WHIPCOUNT_CWC_SENATE_URL"] = h.cwc.url
		}
		for k, v := range extra {
			env[k] = v
		}
		for k, v := range env {
			if _, ok := h.env[k]; !ok {
				h.env[k] = v
			}
		}
	}
}

// smtpSetup starts an SMTP stand-in and points the receipts at it.
func smtpSetup(opts standin.SMTPOptions) func(t *testing.T, h *settingHarness) {
	return func(t *testing.T, h *settingHarness) {
		h.smtp = standin.NewSMTP(t, opts)
		h.env["WHIPCOUNT_SMTP_ADDR"] = h.smtp.Addr
		h.env["WHIPCOUNT_SMTP_FROM"] = "Campaign Desk <letters@whipcount.example>"
	}
}

// TestEverySettingHasARow fails when serve has a flag, or reads a
// WHIPCOUNT_* variable, that settingRows does not cover.
func TestEverySettingHasARow(t *testing.T) {
	rows := map[string]bool{}
	for _, r := range settingRows {
		if rows[r.name] {
			t.Errorf("two rows for %s", r.name)
		}
		rows[r.name] = true
	}
	set := newServeSettings(io.Discard)
	flags := map[string]bool{}
	set.fs.VisitAll(func(f *flag.Flag) {
		flags[f.Name] = true
		if !rows[f.Name] {
			t.Errorf("serve flag -%s has no row in settingRows: show that it takes effect", f.Name)
		}
	})
	// Every variable serve asks for: the flags' and any others.
	var mu sync.Mutex
	asked := map[string]bool{}
	getenv := func(k string) string {
		mu.Lock()
		asked[k] = true
		mu.Unlock()
		return ""
	}
	// An address it cannot listen on stops serve after it has read all
	// its settings.
	var stderr strings.Builder
	code := run(context.Background(), []string{"whipcount", "serve", "-addr", "256.0.0.1:1", "-db", filepath.Join(t.TempDir(), "w.db")}, getenv, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "listen on 256.0.0.1:1") {
		t.Fatalf("serve did not stop at the listener: %d %s", code, stderr.String())
	}
	for k := range asked {
		if !strings.HasPrefix(k, "WHIPCOUNT_") {
			continue
		}
		name := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(k, "WHIPCOUNT_"), "_", "-"))
		if !flags[name] && !rows[k] {
			t.Errorf("serve reads %s, which has no row in settingRows", k)
		}
	}
	for name := range rows {
		if !flags[name] && !asked[name] {
			t.Errorf("settingRows has a row for %s, which serve neither declares nor reads", name)
		}
	}
}

func isDuration(v string) bool {
	_, err := time.ParseDuration(v)
	return err == nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// TestFlagsAndVariablesAgree: every flag given as its WHIPCOUNT_* variable
// parses to the same value as on the command line.
func TestFlagsAndVariablesAgree(t *testing.T) {
	values := map[string]string{}
	newServeSettings(io.Discard).fs.VisitAll(func(f *flag.Flag) {
		v := "7"
		switch {
		case isBoolFlag(f) && f.DefValue == "true":
			v = "false"
		case isBoolFlag(f):
			v = "true"
		case strings.Contains(f.Name, "timeout"), strings.Contains(f.Name, "lease"), strings.Contains(f.Name, "give-up"):
			v = "42s"
		case isDuration(f.DefValue): // schedules
			v = "42h0m0s"
		case strings.HasPrefix(f.Name, "limit-"):
			v = "3/1m0s"
		case f.Name == "log-format":
			v = "text"
		case f.Name == "log-level":
			v = "WARN"
		case f.Name == "secret":
			v = base64.StdEncoding.EncodeToString(make([]byte, 32))
		case strings.HasSuffix(f.Name, "url"):
			v = "https://example.org/x"
		}
		values[f.Name] = v
	})
	byFlag, byEnv := newServeSettings(io.Discard), newServeSettings(io.Discard)
	var args []string
	env := map[string]string{}
	for name, v := range values {
		args = append(args, "-"+name+"="+v)
		env[envName(name)] = v
	}
	if err := parseFlags(byFlag.fs, args, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := parseFlags(byEnv.fs, nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	byFlag.fs.VisitAll(func(f *flag.Flag) {
		if got, want := byEnv.fs.Lookup(f.Name).Value.String(), f.Value.String(); got != want || got == f.DefValue {
			t.Errorf("-%s: %s gives %q, the flag %q (default %q)", f.Name, envName(f.Name), got, want, f.DefValue)
		}
	})
}

// TestSettingsReachTheServer runs serve once per row with that row's
// settings and checks what they change.
func TestSettingsReachTheServer(t *testing.T) {
	for _, row := range settingRows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			h := &settingHarness{env: map[string]string{
				"WHIPCOUNT_ADDR": freeAddr(t), "WHIPCOUNT_DB": filepath.Join(t.TempDir(), "w.db"),
				// Every run happens on one day, while the letters'
				// recipients serve: members whose term has ended take no
				// letters, and the built-in data's House terms end in
				// January 2027.
				"WHIPCOUNT_NOW": harnessNow.Format(time.RFC3339),
				// The rows see one setting at a time: the other limits stay
				// out of the way, and a loaded test machine does not turn
				// slow writes into 503s.
				"WHIPCOUNT_LIMIT_LETTER_EMAIL": "0", "WHIPCOUNT_DB_TIMEOUT": "1m",
			}}
			for k, v := range row.env {
				h.env[k] = v
			}
			if row.setup != nil {
				row.setup(t, h)
			}
			s := h.start(t)
			row.check(t, s)
		})
	}
}

// harnessNow is when the servers of these tests think it is (rows may set
// WHIPCOUNT_NOW otherwise).
var harnessNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// settingHarness prepares one run of serve.
type settingHarness struct {
	env  map[string]string
	cwc  *cwcRecorder
	smtp *standin.SMTP
}

// seedAt creates the database with the campaign seeded at a past time.
func (h *settingHarness) seedAt(t *testing.T, at time.Time) *sqlite.DB {
	t.Helper()
	store := testkit.OpenDB(t, h.env["WHIPCOUNT_DB"])
	if err := sqlite.SeedCampaign(context.Background(), store, at); err != nil {
		t.Fatal(err)
	}
	return store
}

// letterAt stores one letter, with an assisted copy for the House member
// of NY-10, as if sent at a past time.
func (h *settingHarness) letterAt(t *testing.T, at time.Time) {
	h.letterVia(t, at, advocacy.ChannelAssisted)
}

// cwcLetterAt stores, before the server starts, a letter written at a
// past time whose House copy waits for CWC.
func (h *settingHarness) cwcLetterAt(t *testing.T, at time.Time) {
	h.letterVia(t, at, advocacy.ChannelCWC)
}

func (h *settingHarness) letterVia(t *testing.T, at time.Time, ch advocacy.Channel) {
	t.Helper()
	store := h.seedAt(t, at)
	var campaignID int64
	if err := store.R.QueryRow("SELECT id FROM campaigns").Scan(&campaignID); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.NewLetters(store, func() time.Time { return at }, rand.Reader).CreateLetter(context.Background(), advocacy.NewLetter{
		CampaignID: campaignID, State: "NY", District: 10, SettledBy: advocacy.SettledByZIP,
		Input: advocacy.LetterInput{Prefix: "Ms.", FirstName: "Ada", LastName: "Lovelace", Address1: "12 Orchard Street",
			City: "New York", State: "NY", Zip: "10002", Email: "ada@example.org", Consent: true},
		Recipients: []advocacy.NewDelivery{{BioguideID: "G000599", OfficeCode: "HNY10", Chamber: advocacy.House,
			Channel: ch, Subject: "Please cosponsor H.R. 5917", TemplateText: "Dear Representative, please cosponsor."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
}

var builtinData = sync.OnceValues(func() (*congress.Data, error) { return loadData("") })

// sharedData loads the built-in reference data once for every server the
// tests start. A data folder's member files are read over it, as a running
// server reads new ones (its ZIP codes and boundaries are the built-in ones
// in these tests), which spares parsing the boundaries again.
func sharedData(dir string) (*congress.Data, error) {
	base, err := builtinData()
	if err != nil || dir == "" {
		return base, err
	}
	l := congress.NewLive(base, congress.VersionInfo{}, nil)
	if _, err := l.Reload(dir, reference.FS); err != nil {
		return nil, err
	}
	d, _ := l.Data()
	return d, nil
}

// liveServer is serve running in this process.
type liveServer struct {
	addr, dbPath string
	logs         *syncBuffer
	cwc          *cwcRecorder
	smtp         *standin.SMTP
	cancel       func()
	done         chan int
	stopped      bool
}

func (h *settingHarness) start(t *testing.T) *liveServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &liveServer{addr: h.env["WHIPCOUNT_ADDR"], dbPath: h.env["WHIPCOUNT_DB"], logs: &syncBuffer{},
		cwc: h.cwc, smtp: h.smtp, cancel: cancel, done: make(chan int, 1)}
	env := h.env
	go func() {
		// As run does, with the built-in reference data loaded once for
		// all the rows.
		err := serveWith(ctx, nil, func(k string) string { return env[k] }, s.logs, sharedData)
		code := 0
		if err != nil {
			fmt.Fprintf(s.logs, "whipcount: %v\n", err)
			code = 1
		}
		s.done <- code
	}()
	t.Cleanup(func() {
		if !s.stopped {
			if code, out := s.stop(t); code != 0 {
				t.Errorf("serve exited with %d: %.2000s", code, out)
			}
		}
	})
	for {
		res, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			res.Body.Close()
			return s
		}
		select {
		case code := <-s.done:
			s.stopped = true
			t.Fatalf("serve exited with %d before answering: %s", code, s.logs.String())
		default:
		}
		time.Sleep(10 * time.Millisecond) // polling for the listener, not timing anything
	}
}

// stop ends the server and returns its exit code and output.
func (s *liveServer) stop(t *testing.T) (int, string) {
	t.Helper()
	s.stopped = true
	s.cancel()
	select {
	case code := <-s.done:
		return code, s.logs.String()
	case <-time.After(60 * time.Second): // a failure deadline, not a wait
		t.Fatal("serve did not stop")
		return -1, ""
	}
}

func (s *liveServer) get(t *testing.T, path string) (int, string) {
	t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = "http://" + s.addr + path
	}
	u := strings.Replace(path, "https://letters.example.org", "http://"+s.addr, 1)
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (s *liveServer) getFrom(t *testing.T, path, forwardedFor string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.addr+path, nil)
	req.Header.Set("X-Forwarded-For", forwardedFor)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// sendLetter posts a letter from email to the House member and a senator
// of NY-10 through the JSON API and checks the status; extra are more JSON
// members.
func (s *liveServer) sendLetter(t *testing.T, email string, want int, extra ...string) string {
	t.Helper()
	recipients := `"recipients": ["G000599", "S000148"]`
	for _, e := range extra {
		if strings.HasPrefix(e, `"recipients"`) {
			recipients = e // the caller's, instead of the House member and a senator
		}
	}
	body := `{"campaign": "jackson-vanik", ` + recipients + `, "prefix": "Ms.",
		"first_name": "Ada", "last_name": "Lovelace", "address1": "12 Orchard Street", "city": "New York",
		"state": "NY", "zip": "10002", "email": "` + email + `", "consent": true`
	for _, e := range extra {
		if !strings.HasPrefix(e, `"recipients"`) {
			body += ", " + e
		}
	}
	body += "}"
	res, err := http.Post("http://"+s.addr+"/api/v1/letters", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("POST letter from %s: %d, want %d: %s", email, res.StatusCode, want, b)
	}
	return string(b)
}

// count runs a counting query on the server's database, read-only.
func (s *liveServer) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+s.dbPath+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// holdWriteLock takes the database's write lock from another connection,
// as another process would, until release is called.
func (s *liveServer) holdWriteLock(t *testing.T) (release func()) {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+s.dbPath+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	return func() { tx.Rollback(); d.Close() }
}

// waitFor polls cond until it holds, failing after a generous deadline
// (a bound on failure, not a timing the test relies on).
func (s *liveServer) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("never saw %s; logs: %.3000s", what, s.logs.String())
		}
		time.Sleep(20 * time.Millisecond) // polling, not timing
	}
}

// waitLog waits until the logs hold want.
func (s *liveServer) waitLog(t *testing.T, want string) {
	t.Helper()
	s.waitFor(t, "the log line "+want, func() bool { return strings.Contains(s.logs.String(), want) })
}

// cwcRecorder is a CWC endpoint that records what it is sent, or hangs.
type cwcRecorder struct {
	url  string
	hang bool

	mu       sync.Mutex
	messages []cwcMessage
	arrived  chan struct{}
	released chan struct{}
	once     sync.Once
}

// release ends the requests the recorder is hanging on.
func (r *cwcRecorder) release() { r.once.Do(func() { close(r.released) }) }

type cwcMessage struct{ key, body string }

func newCWCRecorder(t *testing.T) *cwcRecorder {
	r := &cwcRecorder{arrived: make(chan struct{}, 16), released: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			// Only messages are recorded (not the Senate's office list).
			http.NotFound(w, req)
			return
		}
		b, _ := io.ReadAll(req.Body)
		if r.hang {
			// With the body read, the server notices the client giving up.
			select {
			case <-req.Context().Done():
			case <-r.released:
			}
			return
		}
		r.mu.Lock()
		r.messages = append(r.messages, cwcMessage{key: req.URL.Query().Get("apikey"), body: string(b)})
		r.mu.Unlock()
		select {
		case r.arrived <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(func() { r.release(); srv.Close() })
	r.url = srv.URL
	return r
}

func (r *cwcRecorder) wait(t *testing.T, n int) []cwcMessage {
	t.Helper()
	end := time.After(30 * time.Second) // a failure deadline, not a wait
	for {
		r.mu.Lock()
		got := append([]cwcMessage(nil), r.messages...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.arrived:
		case <-end:
			t.Fatalf("CWC got %d of %d messages", len(got), n)
		}
	}
}

// standinAddress is the address the geocoder stand-in of geocoderSetup
// knows: a street of New York's 12th district in the split ZIP 10025.
const standinAddress = "300 W 96th St, New York, NY 10025"

// geocoderSetup starts a geocoder stand-in that knows standinAddress and
// points WHIPCOUNT_GEOCODER_URL at it, with env on top.
func geocoderSetup(env map[string]string) func(t *testing.T, h *settingHarness) {
	return func(t *testing.T, h *settingHarness) {
		g := standin.NewGeocoder(t)
		g.Add(standinAddress, standin.GeocoderMatch{Lat: 40.7955, Lon: -73.9745,
			Matched: "300 W 96TH ST, NEW YORK, NY, 10025", Zip: "10025", State: "NY", City: "NEW YORK"})
		h.env["WHIPCOUNT_GEOCODER_URL"] = g.URL
		for k, v := range env {
			h.env[k] = v
		}
	}
}
