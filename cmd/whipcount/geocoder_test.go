package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/standin"
)

// serveWith runs serve with env until the test ends and returns its base
// URL once it answers.
func serveWith(t *testing.T, env map[string]string) string {
	t.Helper()
	addr := freeAddr(t)
	env["WHIPCOUNT_ADDR"] = addr
	env["WHIPCOUNT_DB"] = filepath.Join(t.TempDir(), "w.db")
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"whipcount", "serve"}, func(k string) string { return env[k] }, io.Discard, &logs)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			return "http://" + addr
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, logs.String())
		default:
		}
		time.Sleep(10 * time.Millisecond) // polling for the listener, not timing anything
	}
}

// TestGeocoderSettingsReachTheServer: WHIPCOUNT_GEOCODER_URL sends street
// addresses to that service, and WHIPCOUNT_GEOCODER=false turns the lookup
// off.
func TestGeocoderSettingsReachTheServer(t *testing.T) {
	g := standin.NewGeocoder(t)
	g.Add("300 W 96th St, New York, NY 10025", standin.GeocoderMatch{Lat: 40.7955, Lon: -73.9745,
		Matched: "300 W 96TH ST, NEW YORK, NY, 10025", Zip: "10025", State: "NY", City: "NEW YORK"})
	q := "/reps?address=" + url.QueryEscape("300 W 96th St, New York, NY 10025")

	on := serveWith(t, map[string]string{"WHIPCOUNT_GEOCODER_URL": g.URL})
	res, err := http.Get(on + q)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || len(g.Requests()) != 1 {
		t.Errorf("with the stand-in: %d, %d requests", res.StatusCode, len(g.Requests()))
	}

	off := serveWith(t, map[string]string{"WHIPCOUNT_GEOCODER_URL": g.URL, "WHIPCOUNT_GEOCODER": "false"})
	res, err = http.Get(off + q)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || len(g.Requests()) != 1 {
		t.Errorf("turned off: %d, %d requests", res.StatusCode, len(g.Requests()))
	}

	var logs syncBuffer
	if code := run(context.Background(), []string{"whipcount", "serve", "-geocoder-url", "ftp://x"}, func(string) string { return "" }, io.Discard, &logs); code != 1 {
		t.Errorf("a bad -geocoder-url: exit %d", code)
	}
}
