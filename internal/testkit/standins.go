package testkit

import (
	"testing"

	"github.com/whipcount/whipcount/internal/standin"
)

// Geocoder is a stand-in of the Census geocoder that knows two street
// addresses in Manhattan: one in NY-12 (ZIP 10025, which is split
// between districts) and one in NY-13 (ZIP 10027). Others are not found.
func Geocoder(t testing.TB) *standin.Geocoder {
	t.Helper()
	g := standin.NewGeocoder(t)
	g.Add("300 W 96th St, New York, NY 10025", standin.GeocoderMatch{Lat: 40.7955, Lon: -73.9745,
		Matched: "300 W 96TH ST, NEW YORK, NY, 10025", Zip: "10025", State: "NY", City: "NEW YORK"})
	g.Add("490 Riverside Dr, New York, NY 10027", standin.GeocoderMatch{Lat: 40.8115, Lon: -73.9630,
		Matched: "490 RIVERSIDE DR, NEW YORK, NY, 10027", Zip: "10027", State: "NY", City: "NEW YORK"})
	return g
}
