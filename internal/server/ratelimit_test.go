package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l := newLimiter(Limit{PerMinute: 6, Burst: 3}, clock)
	for i := range 3 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d within the burst refused", i+1)
		}
	}
	ok, wait := l.allow("a")
	if ok || wait != 10*time.Second {
		t.Fatalf("over the burst: ok=%v wait=%v; want refused for 10s", ok, wait)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("another key shares the first key's bucket")
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("a token did not come back after 10 s")
	}
	if ok, _ := l.allow("a"); ok {
		t.Fatal("more than one token came back")
	}
	now = now.Add(time.Hour)
	for i := range 3 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("after an hour, request %d refused: the bucket should be full", i+1)
		}
	}
	if ok, _ := l.allow("a"); ok {
		t.Fatal("the bucket grew past its burst")
	}
	off := newLimiter(Limit{}, clock)
	for range 100 {
		if ok, _ := off.allow("x"); !ok {
			t.Fatal("a zero limit refused a request")
		}
	}
}

func TestKeyedHash(t *testing.T) {
	a := keyedHash([]byte("secret-one"), "ip", "203.0.113.7")
	if a != keyedHash([]byte("secret-one"), "ip", "203.0.113.7") {
		t.Error("not stable")
	}
	if a == keyedHash([]byte("secret-two"), "ip", "203.0.113.7") {
		t.Error("does not depend on the secret")
	}
	if a == keyedHash([]byte("secret-one"), "email", "203.0.113.7") {
		t.Error("does not depend on the kind")
	}
	if len(a) != 22 {
		t.Errorf("length %d", len(a))
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, letterFlow())
	big := strings.Repeat("x", maxBody+1)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/letters", strings.NewReader(`{"personal_message":"`+big+`"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized JSON: %d", rec.Code)
	}
	// Without a Content-Length the reader stops at the limit all the same.
	req = httptest.NewRequest(http.MethodPost, "/write/preview", io.MultiReader(strings.NewReader("first_name="), strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.Code < 400 || rec.Code >= 500 {
		t.Errorf("oversized form without length: %d", rec.Code)
	}
	if n := e.count(t, "SELECT count(*) FROM letters"); n != 0 {
		t.Errorf("%d letters stored", n)
	}
}
