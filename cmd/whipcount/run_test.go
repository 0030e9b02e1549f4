package main

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server's log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// givenPorts are the ports freeAddr has handed out in this process.
var givenPorts = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// freeAddr returns a local address nothing listens on, for a server the
// test starts. Its port lies below the range the kernel hands out for port
// 0 (from 32768 on Linux, 49152 elsewhere): serve listens only after it
// has opened and seeded its database, and in that time another test's
// listener on port 0 could otherwise take the same port. No port is
// handed out twice.
func freeAddr(t *testing.T) string {
	t.Helper()
	givenPorts.Lock()
	defer givenPorts.Unlock()
	for range 1000 {
		port := 20000 + rand.IntN(12000)
		if givenPorts.m[port] {
			continue
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue // in use
		}
		ln.Close()
		givenPorts.m[port] = true
		return addr
	}
	t.Fatal("no free port between 20000 and 32000")
	return ""
}

func TestServeStartsFromEnvironmentAndStopsGracefully(t *testing.T) {
	addr := freeAddr(t)
	dbPath := filepath.Join(t.TempDir(), "w.db")
	env := map[string]string{"WHIPCOUNT_ADDR": addr, "WHIPCOUNT_DB": dbPath}
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"whipcount", "serve"}, func(k string) string { return env[k] }, io.Discard, &logs)
	}()

	var res *http.Response
	for {
		var err error
		res, err = http.Get("http://" + addr + "/healthz")
		if err == nil {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before answering: %s", code, logs.String())
		default:
		}
		time.Sleep(10 * time.Millisecond) // polling for the listener, not timing anything
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("healthz = %d", res.StatusCode)
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Fatalf("database not created at WHIPCOUNT_DB: %v", err)
	}
	res, err := http.Get("http://" + addr + "/reps?zip=10002")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited with %d: %s", code, logs.String())
	}
	out := logs.String()
	for _, want := range []string{`"msg":"request"`, `"path":"/reps"`, `"msg":"stopped"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	if strings.Contains(out, "10002") {
		t.Error("the request log carries the ZIP code from the query string")
	}
}

func TestFlagsBeatEnvironment(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"whipcount", "serve", "-log-format", "yaml"},
		func(k string) string {
			if k == "WHIPCOUNT_LOG_FORMAT" {
				return "json"
			}
			return ""
		}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), `log format "yaml"`) {
		t.Errorf("code %d, stderr %q: the flag should win over the environment", code, stderr.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"whipcount", "frobnicate"}, func(string) string { return "" }, io.Discard, &errOut); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}

func TestClockFromEnvironment(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "WHIPCOUNT_NOW" {
				return v
			}
			return ""
		}
	}
	now, err := clockFrom(env(""))
	if err != nil || time.Since(now()).Abs() > time.Minute {
		t.Fatalf("no WHIPCOUNT_NOW: clock %v, %v", now(), err)
	}
	now, err = clockFrom(env("2027-01-04T12:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)
	if got := now(); got.Before(want) || got.Sub(want) > time.Minute {
		t.Errorf("WHIPCOUNT_NOW=2027-01-04T12:00:00Z: clock says %v", got)
	}
	if _, err := clockFrom(env("next tuesday")); err == nil || !strings.Contains(err.Error(), "WHIPCOUNT_NOW") {
		t.Errorf("a malformed WHIPCOUNT_NOW was accepted: %v", err)
	}
}
