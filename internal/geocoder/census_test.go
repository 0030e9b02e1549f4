package geocoder

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/standin"
)

func TestCensusGeocode(t *testing.T) {
	g := standin.NewGeocoder(t)
	g.Add("1 Riverside Dr, New York, NY 10024", standin.GeocoderMatch{Lat: 40.7955, Lon: -73.9745,
		Matched: "1 RIVERSIDE DR, NEW YORK, NY, 10024", Zip: "10024", State: "NY", City: "NEW YORK"})
	c := &Census{BaseURL: g.URL, Timeout: time.Second}
	ctx := context.Background()

	m, err := c.Geocode(ctx, "1 riverside dr new york ny 10024")
	if err != nil {
		t.Fatal(err)
	}
	if m.Lat != 40.7955 || m.Lon != -73.9745 || m.Zip != "10024" || m.MatchedAddress != "1 RIVERSIDE DR, NEW YORK, NY, 10024" {
		t.Errorf("match = %+v", m)
	}
	req := g.Requests()[0]
	if req.Get("benchmark") != Benchmark || req.Get("format") != "json" || req.Get("address") != "1 riverside dr new york ny 10024" {
		t.Errorf("request = %v", req)
	}

	for what, address := range map[string]string{"unknown address": "99 Nowhere Lane, Atlantis", "an address the service refuses": " "} {
		if _, err := c.Geocode(ctx, address); advocacy.ErrorCode(err) != advocacy.CodeNotFound {
			t.Errorf("%s: %v", what, err)
		}
	}

	g.SetMode(standin.GeocoderFail)
	if _, err := c.Geocode(ctx, "1 Riverside Dr, New York, NY 10024"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("outage: %v", err)
	}
	g.SetMode(standin.GeocoderHang)
	c.Timeout = 50 * time.Millisecond
	if _, err := c.Geocode(ctx, "1 Riverside Dr, New York, NY 10024"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("no answer: %v", err)
	}
	off := &Census{BaseURL: "http://127.0.0.1:1/geocoder", Timeout: time.Second}
	if _, err := off.Geocode(ctx, "1 Riverside Dr"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("nothing listening: %v", err)
	}
}
