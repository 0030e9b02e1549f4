package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/whipcount/whipcount/internal/standin"
	"github.com/whipcount/whipcount/internal/testkit"
)

func TestRepsByAddress(t *testing.T) {
	g := testkit.Geocoder(t)
	e := newEnv(t, letterFlow(), withGeocoder(g))
	rec := e.get(t, "/reps?address="+url.QueryEscape("300 W 96th St, New York, NY 10025"), false)
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "private, no-store" {
		t.Fatalf("address lookup: %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	d := mustDoc(t, rec)
	if got := d.Find(`[data-testid="settled"]`).AttrOr("data-district", ""); got != "NY-12" {
		t.Errorf("settled district = %q, want NY-12", got)
	}
	if got := d.Find(`[data-testid="matched-address"]`).Text(); !strings.Contains(got, "300 W 96TH ST") {
		t.Errorf("matched address = %q", got)
	}
	write := d.Find(`[data-testid="write-link"]`).AttrOr("href", "")
	if !strings.Contains(write, "lat=40.7955") || !strings.Contains(write, "zip=10025") {
		t.Errorf("write link = %q", write)
	}
	// The letter form settles the same district again from the point.
	if d := mustDoc(t, e.get(t, write, false)); d.Find(`[data-testid="recipient"][data-bioguide="`+nadler+`"]`).Length() != 1 {
		t.Error("the letter form does not reach the address's representative")
	}
	if n := len(g.Requests()); n != 1 {
		t.Errorf("geocoder requests = %d", n)
	}

	// htmx gets the lookup region.
	rec = e.get(t, "/reps?address="+url.QueryEscape("490 Riverside Dr, New York, NY 10027"), true)
	if d := mustDoc(t, rec); d.Find(`html`).Length() != 0 && d.Find(`header.site-header`).Length() != 0 ||
		d.Find(`[data-testid="settled"]`).AttrOr("data-district", "") != "NY-13" {
		t.Errorf("htmx answer: %s", rec.Body.String()[:min(300, rec.Body.Len())])
	}
}

func TestRepsByAddressFallsBack(t *testing.T) {
	g := testkit.Geocoder(t)
	e := newEnv(t, letterFlow(), withGeocoder(g))

	// Not found, with the ZIP the split page carried: the map and list.
	rec := e.get(t, "/reps?zip=10025&address="+url.QueryEscape("1 Nowhere Lane"), false)
	d := mustDoc(t, rec)
	if rec.Code != http.StatusOK || d.Find(`[data-testid="split"]`).Length() != 1 ||
		!strings.Contains(d.Find(`[data-testid="address-note"]`).Text(), "could not find that street address") {
		t.Errorf("not found: %d, note %q", rec.Code, d.Find(`[data-testid="address-note"]`).Text())
	}
	if got := d.Find(`#address`).AttrOr("value", ""); got != "1 Nowhere Lane" {
		t.Errorf("the typed address was lost: %q", got)
	}

	// A geocoder that does not answer: the ZIP at the end of the address
	// gives the map and list, promptly.
	g.SetMode(standin.GeocoderHang)
	rec = e.get(t, "/reps?address="+url.QueryEscape("300 W 96th St, New York, NY 10025"), false)
	d = mustDoc(t, rec)
	if rec.Code != http.StatusOK || d.Find(`[data-testid="candidate"]`).Length() < 2 ||
		!strings.Contains(d.Find(`[data-testid="address-note"]`).Text(), "did not answer in time") {
		t.Errorf("service down: %d, note %q", rec.Code, d.Find(`[data-testid="address-note"]`).Text())
	}
	g.SetMode(standin.GeocoderFail)
	rec = e.get(t, "/reps?address="+url.QueryEscape("1 Main St"), false)
	if d := mustDoc(t, rec); !strings.Contains(d.Find(`[data-testid="address-note"]`).Text(), "or enter your ZIP code") {
		t.Errorf("no ZIP to fall back on: %q", d.Find(`[data-testid="address-note"]`).Text())
	}

	// Wrong input: a field error, nothing sent.
	before := len(g.Requests())
	rec = e.get(t, "/reps?address=", false)
	if rec.Code != http.StatusUnprocessableEntity || mustDoc(t, rec).Find(`[data-testid="address-error"]`).Length() != 1 {
		t.Errorf("empty address: %d", rec.Code)
	}
	if rec := e.get(t, "/reps?address="+strings.Repeat("x", 201), false); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("long address: %d", rec.Code)
	}
	if len(g.Requests()) != before {
		t.Error("bad input reached the geocoder")
	}
}

func TestRepresentativesAPIByAddress(t *testing.T) {
	g := testkit.Geocoder(t)
	e := newEnv(t, letterFlow(), withGeocoder(g))
	rec := e.get(t, "/api/v1/representatives?address="+url.QueryEscape("300 W 96th St, New York, NY 10025"), false)
	var out struct {
		Query struct {
			Address        string
			MatchedAddress string `json:"matched_address"`
			Zip            string
		}
		Districts []struct {
			State    string
			District int
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("API: %d %s", rec.Code, rec.Body)
	}
	if len(out.Districts) != 1 || out.Districts[0].District != 12 || out.Query.MatchedAddress == "" || out.Query.Zip != "10025" {
		t.Errorf("answer = %+v", out)
	}
	if rec.Header().Get("Cache-Control") != "private, no-store" {
		t.Error("an address answer may be cached")
	}
	if rec := e.get(t, "/api/v1/representatives?address="+url.QueryEscape("1 Nowhere Lane"), false); rec.Code != http.StatusNotFound {
		t.Errorf("unknown address: %d", rec.Code)
	}
	g.SetMode(standin.GeocoderHang)
	rec = e.get(t, "/api/v1/representatives?address="+url.QueryEscape("300 W 96th St, New York, NY 10025"), false)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("service down: %d", rec.Code)
	}
}

func TestAddressLookupOff(t *testing.T) {
	e := newEnv(t, letterFlow())
	d := mustDoc(t, e.get(t, "/", false))
	if d.Find(`[data-testid="address-form"]`).Length() != 0 {
		t.Error("the address form is offered while the geocoder is off")
	}
	if rec := e.get(t, "/reps?address=1+Main+St", false); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("address with the geocoder off: %d", rec.Code)
	}
	if got := mustDoc(t, e.get(t, "/privacy", false)).Find(`[data-testid="geocoder-privacy"]`).Text(); !strings.Contains(got, "turned off") {
		t.Errorf("privacy page: %q", got)
	}
	on := newEnv(t, letterFlow(), withGeocoder(testkit.Geocoder(t)))
	if got := mustDoc(t, on.get(t, "/privacy", false)).Find(`[data-testid="geocoder-privacy"]`).Text(); !strings.Contains(got, "geocoding.geo.census.gov") {
		t.Errorf("privacy page with the geocoder: %q", got)
	}
	if mustDoc(t, on.get(t, "/", false)).Find(`[data-testid="address-form"]`).Length() != 1 {
		t.Error("the home page does not offer the street address")
	}
}
