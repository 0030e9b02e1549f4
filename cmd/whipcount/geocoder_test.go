package main

import "testing"

func TestGeocoderWire(t *testing.T) {
	if g, host, err := (&geocoderConfig{on: false, url: "https://x.example"}).wire(); g != nil || host != "" || err != nil {
		t.Errorf("off: %v %q %v", g, host, err)
	}
	if g, host, err := (&geocoderConfig{on: true, url: "https://geocoding.geo.census.gov/geocoder"}).wire(); g == nil || host != "geocoding.geo.census.gov" || err != nil {
		t.Errorf("on: %v %q %v", g, host, err)
	}
	for _, bad := range []string{"ftp://x", "geocoding.geo.census.gov", "https://"} {
		if _, _, err := (&geocoderConfig{on: true, url: bad}).wire(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
