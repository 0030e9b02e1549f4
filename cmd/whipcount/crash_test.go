package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/sqlite"
)

// buildBinary compiles the real whipcount binary for tests that run it as
// a separate process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "whipcount")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build the binary: %v", err)
	}
	return bin
}

// process is a running whipcount serve.
type process struct {
	cmd  *exec.Cmd
	base string
	log  *syncBuffer
	done chan error
}

func startServer(t *testing.T, bin string, env []string) *process {
	t.Helper()
	addr := freeAddr(t)
	p := &process{base: "http://" + addr, log: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, "serve", "-addr", addr, "-log-level", "warn")
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(p.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("server exited (%v) before answering: %s", err, p.log.String())
		case <-time.After(20 * time.Millisecond): // waiting for the listener
		}
	}
	t.Fatalf("server never answered /healthz: %s", p.log.String())
	return nil
}

// TestCrashSafety runs the real binary, sends letters from several clients,
// kills it with SIGKILL in the middle, restarts it, and checks that every
// letter acknowledged with 201 is there, that the CWC outbox resumes and
// delivers them, and that the database passes PRAGMA integrity_check. Then
// SIGTERM stops the server cleanly.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dbPath := filepath.Join(t.TempDir(), "crash.db")

	// The CWC endpoint: records every DeliveryId it accepts.
	idRe := regexp.MustCompile(`<DeliveryId>([A-Za-z0-9]{32})</DeliveryId>`)
	var mu sync.Mutex
	received := map[string]int{}
	cwc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := idRe.FindSubmatch(body)
		if m == nil {
			http.Error(w, "no DeliveryId", http.StatusBadRequest)
			return
		}
		mu.Lock()
		received[string(m[1])]++
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer cwc.Close()

	env := []string{
		"WHIPCOUNT_DB=" + dbPath,
		"WHIPCOUNT_CWC_URL=" + cwc.URL, "WHIPCOUNT_CWC_KEY=test-key",
		"WHIPCOUNT_CWC_AGENT=Whipcount test", "WHIPCOUNT_CWC_AGENT_EMAIL=agent@example.org",
		"WHIPCOUNT_CWC_CONTACT_NAME=Pat Operator", "WHIPCOUNT_CWC_CONTACT_EMAIL=pat@example.org",
		"WHIPCOUNT_CWC_CONTACT_PHONE=202-555-0142",
		"WHIPCOUNT_CWC_LEASE=3s", "WHIPCOUNT_CWC_TIMEOUT=1s",
		"WHIPCOUNT_LIMIT_LETTER_IP=0", "WHIPCOUNT_LIMIT_LETTER_EMAIL=0", "WHIPCOUNT_LETTERS_PER_MINUTE=0",
		// While the recipients' terms run: the data's House terms end in January 2027.
		"WHIPCOUNT_NOW=2026-12-01T12:00:00Z",
		"WHIPCOUNT_DB_TIMEOUT=1m", // a loaded test machine must not turn slow writes into 503s
	}
	first := startServer(t, bin, env)

	// Several clients send letters until enough are acknowledged, then the
	// server is killed while they are still sending.
	const clients, enough = 8, 150
	var acked sync.Map
	var nAcked, seq atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := seq.Add(1)
				body := fmt.Sprintf(`{"campaign":"jackson-vanik","recipients":["G000599","S000148","G000555"],"prefix":"Mx.",
					"first_name":"Crash","last_name":"Test%d","address1":"12 Orchard Street","city":"New York","state":"NY",
					"zip":"10002","email":"crash%d@example.org","consent":true}`, n, n)
				res, err := client.Post(first.base+"/api/v1/letters", "application/json", strings.NewReader(body))
				if err != nil {
					continue // the server is gone; stop will come
				}
				var out struct {
					LetterID string `json:"letter_id"`
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusCreated && json.Unmarshal(b, &out) == nil && out.LetterID != "" {
					acked.Store(out.LetterID, true)
					nAcked.Add(1)
				} else if res.StatusCode != http.StatusCreated {
					t.Errorf("letter %d: status %d: %s", n, res.StatusCode, b)
					return
				}
			}
		}()
	}
	for nAcked.Load() < enough {
		select {
		case err := <-first.done:
			t.Fatalf("server died by itself: %v %s", err, first.log.String())
		case <-time.After(5 * time.Millisecond): // polling the counter
		}
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	close(stop)
	wg.Wait()
	var ids []string
	acked.Range(func(k, _ any) bool { ids = append(ids, k.(string)); return true })
	t.Logf("killed with %d letters acknowledged", len(ids))

	second := startServer(t, bin, env)
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check after the crash: %q %v", integrity, err)
	}
	missing := 0
	for _, id := range ids {
		var deliveries int
		if err := db.QueryRow("SELECT count(*) FROM deliveries d JOIN letters l ON l.id = d.letter_id WHERE l.public_id = ?", id).Scan(&deliveries); err != nil || deliveries != 3 {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged letters are missing or incomplete after the crash", missing, len(ids))
	}

	// The outbox resumes: every acknowledged letter's House copy reaches the
	// CWC endpoint (claims held by the killed worker come back after their
	// lease).
	deadline := time.Now().Add(60 * time.Second)
	for {
		var queued int
		db.QueryRow("SELECT count(*) FROM deliveries WHERE channel = 'cwc' AND status = 'queued'").Scan(&queued)
		if queued == 0 {
			break
		}
		if time.Now().After(deadline) {
			var attempts int
			var next, locked sql.NullString
			var lastErr string
			db.QueryRow("SELECT attempts, next_attempt_at, locked_until, last_error FROM deliveries WHERE channel = 'cwc' AND status = 'queued' LIMIT 1").Scan(&attempts, &next, &locked, &lastErr)
			t.Log("last error:", lastErr)
			t.Fatalf("%d CWC deliveries still queued a minute after the restart (one: attempts %d, next %s, locked %s); log: %s",
				queued, attempts, next.String, locked.String, second.log.String())
		}
		time.Sleep(50 * time.Millisecond) // polling the outbox's progress
	}
	rows, err := db.Query(`SELECT d.delivery_id, d.status FROM deliveries d JOIN letters l ON l.id = d.letter_id
		WHERE d.channel = 'cwc'`)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	for rows.Next() {
		var id, status string
		rows.Scan(&id, &status)
		if status != "sent" || received[id] == 0 {
			t.Errorf("delivery %s: status %s, received %d times", id, status, received[id])
		}
	}
	mu.Unlock()
	rows.Close()

	// SIGTERM: a clean stop.
	second.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-second.done:
		if err != nil {
			t.Errorf("SIGTERM exit: %v: %s", err, second.log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop on SIGTERM")
	}
	db.Close()
	if err := sqlite.Verify(context.Background(), dbPath); err != nil {
		t.Errorf("after a clean stop: %v", err)
	}
	if bytes.Contains([]byte(second.log.String()), []byte("crash")) {
		t.Error("the log carries a sender's name or email")
	}
}
