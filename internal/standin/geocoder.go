package standin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Geocoder is a stand-in for the US Census Bureau's geocoder: GET
// {URL}/locations/onelineaddress?address=...&benchmark=...&format=json. It
// answers as the Census service does: 200 with result.input and
// result.addressMatches (empty when the address is not found); 400 with
// {"errors": [...], "status": "400"} when the address or benchmark is
// missing; or, when told, 500, a page that is not JSON, or no answer at
// all (Hang). Tests give it the addresses it knows.
type Geocoder struct {
	*httptest.Server
	// URL is the base to give the client: the server's address plus
	// /geocoder, as the real service's.
	URL string

	mu        sync.Mutex
	addresses map[string]GeocoderMatch
	mode      GeocoderMode
	requests  []url.Values
}

// GeocoderMode is how the stand-in answers.
type GeocoderMode int

// The stand-in's modes.
const (
	// GeocoderAnswer finds the addresses it was given.
	GeocoderAnswer GeocoderMode = iota
	// GeocoderFail answers 500 with an HTML page, as an outage does.
	GeocoderFail
	// GeocoderHang never answers; requests end when the client gives up.
	GeocoderHang
)

// GeocoderMatch is one address the stand-in knows.
type GeocoderMatch struct {
	Lat, Lon float64
	// Matched is how the service writes the address back:
	// "1 RIVERSIDE DR, NEW YORK, NY, 10024".
	Matched string
	Zip     string
	State   string
	City    string
}

// NewGeocoder starts a geocoder stand-in; it is closed when the test ends.
func NewGeocoder(t interface{ Cleanup(func()) }) *Geocoder {
	g := &Geocoder{addresses: map[string]GeocoderMatch{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	g.URL = g.Server.URL + "/geocoder"
	t.Cleanup(g.Server.Close)
	return g
}

// normAddress is how the stand-in compares addresses: case, commas and
// runs of spaces do not matter.
func normAddress(s string) string {
	return strings.Join(strings.Fields(strings.ToUpper(strings.ReplaceAll(s, ",", " "))), " ")
}

// Add teaches the stand-in an address.
func (g *Geocoder) Add(address string, m GeocoderMatch) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.addresses[normAddress(address)] = m
}

// SetMode changes how the stand-in answers.
func (g *Geocoder) SetMode(m GeocoderMode) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.mode = m
}

// Requests returns the queries the stand-in was sent, in order.
func (g *Geocoder) Requests() []url.Values {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]url.Values(nil), g.requests...)
}

func (g *Geocoder) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	g.mu.Lock()
	g.requests = append(g.requests, q)
	mode := g.mode
	m, found := g.addresses[normAddress(q.Get("address"))]
	g.mu.Unlock()
	switch mode {
	case GeocoderHang:
		<-r.Context().Done()
		return
	case GeocoderFail:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<html><body>Service Unavailable</body></html>"))
		return
	}
	if r.URL.Path != "/geocoder/locations/onelineaddress" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	var errs []string
	if strings.TrimSpace(q.Get("address")) == "" {
		errs = append(errs, "Address cannot be empty and cannot exceed 100 characters")
	}
	if q.Get("benchmark") == "" {
		errs = append(errs, "Benchmark must be provided")
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": errs, "status": "400"})
		return
	}
	matches := []any{}
	if found {
		matches = append(matches, map[string]any{
			"tigerLine":   map[string]any{"side": "L", "tigerLineId": "59653655"},
			"coordinates": map[string]any{"x": m.Lon, "y": m.Lat},
			"addressComponents": map[string]any{
				"zip": m.Zip, "streetName": "", "preType": "", "city": m.City, "preDirection": "",
				"suffixDirection": "", "fromAddress": "", "state": m.State, "suffixType": "", "toAddress": "",
				"suffixQualifier": "", "preQualifier": "",
			},
			"matchedAddress": m.Matched,
		})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"result": map[string]any{
		"input": map[string]any{
			"address": map[string]any{"address": q.Get("address")},
			"benchmark": map[string]any{"isDefault": false, "benchmarkDescription": "Public Address Ranges - Current Benchmark",
				"id": "4", "benchmarkName": q.Get("benchmark")},
		},
		"addressMatches": matches,
	}})
}
