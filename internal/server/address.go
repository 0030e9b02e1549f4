package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// Geocoder finds the point of a one-line street address (the Census
// Bureau's geocoder, wired in cmd/whipcount). An address it does not find
// is an *advocacy.Error with CodeNotFound; any other error means the
// service could not answer, and the lookup falls back to the ZIP code's
// map and list.
type Geocoder interface {
	Geocode(ctx context.Context, address string) (advocacy.GeocodeMatch, error)
}

// maxAddress bounds a street address typed into the lookup.
const maxAddress = 200

// addressLimit is how many street addresses one client may look up a
// minute: each one is a request to an outside service.
var addressLimit = Limit{PerMinute: 20, Burst: 20}

// addressOn reports whether street addresses can be looked up.
func (s *Server) addressOn() bool { return s.deps.Geocoder != nil }

// zipInAddressRe finds a ZIP code at the end of an address.
var zipInAddressRe = regexp.MustCompile(`\b(\d{5})(?:-\d{4})?\s*$`)

// addressLookup is a street address settled to a district: the lookup for
// its point, with what the geocoder matched.
type addressLookup struct {
	lookup advocacy.Lookup
	match  advocacy.GeocodeMatch
}

// errAddressService says the geocoder did not answer usefully; the person
// gets the ZIP code's map and list instead.
type errAddressService struct{ err error }

func (e errAddressService) Error() string { return "address service: " + e.err.Error() }
func (e errAddressService) Unwrap() error { return e.err }

// checkAddress validates a typed street address.
func checkAddress(address string) error {
	switch {
	case address == "":
		return advocacy.Invalid("address", "Enter your street address, like 1 Riverside Drive, New York, NY 10024.")
	case utf8.RuneCountInString(address) > maxAddress || advocacy.HasControlChars(address, false):
		return advocacy.Invalid("address", fmt.Sprintf("Enter your street address in one line of at most %d characters.", maxAddress))
	}
	return nil
}

// geocode finds the district of a street address. Invalid input and an
// address the service does not know are *advocacy.Error; a service that
// is off, slow or down is errAddressService.
func (lu *lookup) geocode(c echo.Context, address string) (addressLookup, error) {
	if lu.geocoder == nil {
		return addressLookup{}, advocacy.Invalid("address", "Looking up a street address is turned off on this site. Enter your ZIP code instead.")
	}
	if err := checkAddress(address); err != nil {
		return addressLookup{}, err
	}
	if ok, wait := lu.addressLimit.allow(keyedHash(lu.secret, "address", c.RealIP())); !ok {
		return addressLookup{}, rateLimited(wait)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), lu.geocodeTimeout)
	defer cancel()
	m, err := lu.geocoder.Geocode(ctx, address)
	switch code := advocacy.ErrorCode(err); {
	case err == nil:
	case code == advocacy.CodeNotFound:
		return addressLookup{}, err
	default:
		lu.logger.WarnContext(c.Request().Context(), "address lookup failed", "err", err)
		return addressLookup{}, errAddressService{err: err}
	}
	l, err := lu.reps.LookupPoint(m.Lat, m.Lon)
	if err != nil {
		return addressLookup{}, err
	}
	l.Query.Address, l.Query.MatchedAddress = address, m.MatchedAddress
	if zip, zerr := advocacy.ParseZIP(m.Zip); zerr == nil {
		l.Query.Zip = zip
	}
	return addressLookup{lookup: l, match: m}, nil
}

// addressFallbackZIP is the ZIP code to fall back on when an address
// cannot be settled: the one the form carried, or the one ending the
// address.
func addressFallbackZIP(q repsQuery) string {
	if zip, err := advocacy.ParseZIP(q.zip); err == nil {
		return zip
	}
	if m := zipInAddressRe.FindStringSubmatch(strings.TrimSpace(q.address)); m != nil {
		return m[1]
	}
	return ""
}

// repsByAddress fills the lookup page for /reps?address=: the settled
// district of a found address; else the ZIP code's candidates (map and
// list) with a note saying why, or the field's error.
func (lu *lookup) repsByAddress(c echo.Context, q repsQuery, v *templates.LookupView) (status int, announce string, err error) {
	// A person's address is theirs: no cache keeps the answer.
	c.Response().Header().Set("Cache-Control", "private, no-store")
	v.Address = strings.TrimSpace(q.address)
	a, err := lu.geocode(c, v.Address)
	if err == nil {
		v.Lookup, v.Settled, v.SettledBy = &a.lookup, &a.lookup.Districts[0], "address"
		v.ZIP = a.lookup.Query.Zip
		v.MatchedAddress = a.match.MatchedAddress
		announce = lu.fillResults(v)
		v.Statuses = lu.read.memberStatuses(c.Request().Context(), *v.Settled, v.Campaign)
		lu.desk.fillLetters(c.Request().Context(), v, c.QueryParam("ref"))
		return http.StatusOK, announce, nil
	}
	switch code := advocacy.ErrorCode(err); {
	case code == advocacy.CodeInvalid:
		v.AddressError = errorMessage(err)
		status, announce = http.StatusUnprocessableEntity, "Error: "+v.AddressError
	case code == advocacy.CodeNotFound:
		v.AddressNote = "We could not find that street address. Check it and try again"
		status = http.StatusNotFound
	case errors.As(err, new(errAddressService)):
		v.AddressNote = "The address service did not answer in time"
		status = http.StatusOK
	default:
		return 0, "", err
	}
	zip := addressFallbackZIP(q)
	if zip == "" {
		if v.AddressNote != "" {
			v.AddressNote += ", or enter your ZIP code."
			announce = v.AddressNote
		}
		return status, announce, nil
	}
	// Fall back on the ZIP code: its one district, or the map and list of
	// its candidates.
	l, settled, by, lerr := lu.find.runLookup(repsQuery{zip: zip})
	if lerr != nil {
		if v.AddressNote != "" {
			v.AddressNote += ", or enter your ZIP code."
		}
		return status, v.AddressNote, nil
	}
	v.Lookup, v.Settled, v.SettledBy, v.ZIP, v.Input = &l, settled, by, l.Query.Zip, l.Query.Zip
	if v.AddressNote != "" {
		if settled != nil {
			v.AddressNote += fmt.Sprintf(". ZIP %s lies in one district, shown below.", l.Query.Zip)
		} else {
			v.AddressNote += ". Choose your district on the map or in the list below."
		}
	}
	announce = lu.fillResults(v)
	if v.Settled != nil {
		v.Statuses = lu.read.memberStatuses(c.Request().Context(), *v.Settled, v.Campaign)
		lu.desk.fillLetters(c.Request().Context(), v, c.QueryParam("ref"))
	}
	if v.AddressNote != "" {
		announce = v.AddressNote + " " + announce
	}
	if status == http.StatusNotFound {
		// The ZIP's answer is there: the page itself is no error.
		status = http.StatusOK
	}
	return status, announce, nil
}

// addressAPI answers GET /api/v1/representatives?address=: the district of
// the address's point. An address not found is 404; a geocoder that is off
// or did not answer is 503 with Retry-After (the ZIP code still works).
func (lu *lookup) addressAPI(c echo.Context, address string) error {
	c.Response().Header().Set("Cache-Control", "private, no-store")
	a, err := lu.geocode(c, strings.TrimSpace(address))
	if errors.As(err, new(errAddressService)) {
		c.Response().Header().Set("Retry-After", "30")
		return c.JSON(http.StatusServiceUnavailable, apiError{Error: "The address service did not answer. Try again later, or look up by zip."})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.lookup)
}

// defaultGeocodeTimeout is what a stuck geocoder costs a person at most
// before the map and list take its place.
const defaultGeocodeTimeout = 3 * time.Second
