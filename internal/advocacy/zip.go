package advocacy

import (
	"math"
	"strconv"
	"strings"
)

// ParseZIP accepts "12345" or "12345-6789" with surrounding spaces and
// returns the five-digit ZIP.
func ParseZIP(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Invalid("zip", "Enter your 5-digit ZIP code, like 10025.")
	}
	five, plus4, hasPlus := strings.Cut(s, "-")
	if !allDigits(five, 5) || (hasPlus && !allDigits(plus4, 4)) {
		return "", Invalid("zip", "Enter a 5-digit ZIP code, like 10025 or 10025-1234.")
	}
	return five, nil
}

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseLatLon parses a latitude and longitude in decimal degrees.
func ParseLatLon(lat, lon string) (float64, float64, error) {
	la, err := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	if err != nil {
		la = math.NaN()
	}
	lo, err := strconv.ParseFloat(strings.TrimSpace(lon), 64)
	if err != nil {
		lo = math.NaN()
	}
	if err := CheckLatLon(la, lo); err != nil {
		return 0, 0, err
	}
	return la, lo, nil
}

// CheckLatLon reports whether a point is a finite latitude and longitude.
func CheckLatLon(lat, lon float64) error {
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return Invalid("lat", "Latitude must be a number between -90 and 90.")
	}
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		return Invalid("lon", "Longitude must be a number between -180 and 180.")
	}
	return nil
}
