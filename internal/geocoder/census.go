// Package geocoder turns a one-line street address into a point through the
// US Census Bureau's public geocoder (Geocoding Services, "locations"
// search, one-line address). It is an outside-service adapter: the HTTP
// layer declares the interface it needs and cmd/whipcount wires this in.
package geocoder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// DefaultURL is the Census geocoder's base; the client adds
// /locations/onelineaddress.
const DefaultURL = "https://geocoding.geo.census.gov/geocoder"

// DefaultTimeout bounds one request: past it the person gets the map and
// the list of districts instead.
const DefaultTimeout = 3 * time.Second

// Benchmark is the Census address-range release the search runs against:
// the current one.
const Benchmark = "Public_AR_Current"

// ErrUnavailable means the service did not give a usable answer in time:
// it was down, slow, refused the request or answered something else.
var ErrUnavailable = errors.New("the address service is unavailable")

// Census is a client of the Census geocoder.
type Census struct {
	// BaseURL is the service's base, DefaultURL in production.
	BaseURL string
	// Client makes the requests; nil means a client with Timeout.
	Client *http.Client
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
}

// maxAnswer bounds the answer read: a match is a few hundred bytes.
const maxAnswer = 256 << 10

// censusAnswer is the part of the geocoder's JSON the client reads.
type censusAnswer struct {
	Result struct {
		AddressMatches []struct {
			MatchedAddress string `json:"matchedAddress"`
			Coordinates    struct {
				X *float64 `json:"x"`
				Y *float64 `json:"y"`
			} `json:"coordinates"`
			AddressComponents struct {
				Zip   string `json:"zip"`
				State string `json:"state"`
				City  string `json:"city"`
			} `json:"addressComponents"`
		} `json:"addressMatches"`
	} `json:"result"`
	Errors []string `json:"errors"`
}

// Geocode finds the point of a one-line address ("1 Riverside Dr, New York,
// NY 10025"). An address the service does not find is an *advocacy.Error
// with CodeNotFound; a service that is down, slow or answers something
// unexpected gives an error wrapping ErrUnavailable.
func (g *Census) Geocode(ctx context.Context, address string) (advocacy.GeocodeMatch, error) {
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	q := url.Values{"address": {address}, "benchmark": {Benchmark}, "format": {"json"}}
	base := strings.TrimRight(g.BaseURL, "/")
	if base == "" {
		base = DefaultURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/locations/onelineaddress?"+q.Encode(), nil)
	if err != nil {
		return advocacy.GeocodeMatch{}, fmt.Errorf("geocode: %w: %v", ErrUnavailable, err)
	}
	req.Header.Set("Accept", "application/json")
	client := g.Client
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	res, err := client.Do(req)
	if err != nil {
		return advocacy.GeocodeMatch{}, fmt.Errorf("geocode: %w: %v", ErrUnavailable, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return advocacy.GeocodeMatch{}, fmt.Errorf("geocode: %w: read answer: %v", ErrUnavailable, err)
	}
	var a censusAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return advocacy.GeocodeMatch{}, fmt.Errorf("geocode: %w: status %d, not JSON", ErrUnavailable, res.StatusCode)
	}
	switch {
	case res.StatusCode == http.StatusBadRequest && len(a.Errors) > 0:
		// The service refuses an address it cannot read at all.
		return advocacy.GeocodeMatch{}, advocacy.NotFound("We could not find that street address.")
	case res.StatusCode != http.StatusOK:
		return advocacy.GeocodeMatch{}, fmt.Errorf("geocode: %w: status %d", ErrUnavailable, res.StatusCode)
	}
	for _, m := range a.Result.AddressMatches {
		if m.Coordinates.X == nil || m.Coordinates.Y == nil {
			continue
		}
		lat, lon := *m.Coordinates.Y, *m.Coordinates.X
		if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			continue
		}
		return advocacy.GeocodeMatch{Lat: lat, Lon: lon, MatchedAddress: m.MatchedAddress,
			Zip: m.AddressComponents.Zip, State: m.AddressComponents.State, City: m.AddressComponents.City}, nil
	}
	return advocacy.GeocodeMatch{}, advocacy.NotFound("We could not find that street address.")
}
