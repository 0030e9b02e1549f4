package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// lookup finds a person's members of Congress: the lookup page /reps (by
// ZIP code, location or street address, with the map of a split ZIP's
// districts) and GET /api/v1/representatives. It is mounted when the
// reference data is wired; street addresses need the geocoder too.
type lookup struct {
	// view renders pages and answers errors; read gives the members'
	// stances in the campaign; reference tells the member data's date;
	// find runs the lookups.
	view      *renderer
	read      *campaignReader
	reference *referenceData
	find      finder
	reps      RepFinder
	// geocoder finds street addresses; nil turns them off.
	geocoder Geocoder
	// addressOn: the geocoder is wired.
	addressOn bool
	// desk adds the letters' part to a settled district; nil when there
	// are no letters.
	desk *letterDesk
	// lookups is the core's cache of public lookup answers, limit the
	// lookups one client may make; addressLimit bounds the street
	// addresses, each a request to an outside service.
	lookups             *pageCache
	limit, addressLimit *limiter
	// secret keys the clients' addresses for the limits.
	secret         []byte
	geocodeTimeout time.Duration
	clock          func() time.Time
	logger         *slog.Logger
}

// newLookup builds the lookup, or nil without reference data.
func newLookup(s *Server) *lookup {
	if s.deps.Reps == nil {
		return nil
	}
	timeout := s.cfg.GeocodeTimeout
	if timeout <= 0 {
		timeout = defaultGeocodeTimeout
	}
	return &lookup{view: s.view, read: s.read, reference: s.data, find: s.find,
		reps: s.deps.Reps, geocoder: s.deps.Geocoder, addressOn: s.addressOn(), desk: s.desk, lookups: s.lookups,
		limit: s.limits.lookup, addressLimit: s.limits.address, secret: s.cfg.Secret, geocodeTimeout: timeout,
		clock: s.deps.Clock, logger: s.deps.Logger}
}

// routes mounts the page and the API. Lookups are limited per client and
// counted with count (for the dashboard's conversion) before the cache, so
// cached answers count too.
func (lu *lookup) routes(e *echo.Echo, publicGET func(string, echo.HandlerFunc, ...echo.MiddlewareFunc), count echo.MiddlewareFunc) {
	mw := []echo.MiddlewareFunc{limitByIP(lu.secret, "lookup", lu.limit), count, cachePublic(lu.lookups)}
	e.GET("/reps", lu.repsPage, mw...)
	publicGET("/representatives", lu.repsAPI, mw...)
}

// repsQuery is what /reps and the representatives API accept.
type repsQuery struct {
	zip       string // the raw input
	address   string // a street address, for the geocoder
	district  string // "NY-12" when a split ZIP was settled by picking
	lat, lon  string
	hasCoords bool
}

func readRepsQuery(c echo.Context) repsQuery {
	q := repsQuery{
		zip:      c.QueryParam("zip"),
		address:  c.QueryParam("address"),
		district: c.QueryParam("district"),
		lat:      strings.TrimSpace(c.QueryParam("lat")),
		lon:      strings.TrimSpace(c.QueryParam("lon")),
	}
	q.hasCoords = q.lat != "" || q.lon != ""
	return q
}

// finder runs lookups in the reference data as of the server's clock, for
// the lookup, the letters and the widgets.
type finder struct {
	reps  RepFinder
	clock func() time.Time
}

// runLookup runs the query. It returns the lookup and, when the person's
// district is known, which one and how it was settled.
func (f finder) runLookup(q repsQuery) (advocacy.Lookup, *advocacy.DistrictResult, string, error) {
	if q.hasCoords {
		lat, lon, err := advocacy.ParseLatLon(q.lat, q.lon)
		if err != nil {
			return advocacy.Lookup{}, nil, "", err
		}
		l, err := f.reps.LookupPoint(lat, lon)
		if err != nil {
			return l, nil, "", err
		}
		l = l.AsOf(f.clock())
		if zip, zerr := advocacy.ParseZIP(q.zip); zerr == nil && f.zipInState(zip, l.Districts[0].State) {
			// A ZIP typed before the location was shared is kept only when
			// it lies in the same state: the letter form would refuse it.
			l.Query.Zip = zip
		}
		return l, &l.Districts[0], "location", nil
	}
	zip, err := advocacy.ParseZIP(q.zip)
	if err != nil {
		return advocacy.Lookup{}, nil, "", err
	}
	l, err := f.reps.LookupZIP(zip)
	if err != nil {
		return l, nil, "", err
	}
	// A member whose term has ended is no longer offered: the seat says so
	// and takes no letters.
	l = l.AsOf(f.clock())
	if len(l.Districts) == 1 {
		return l, &l.Districts[0], "zip", nil
	}
	if q.district != "" {
		for i := range l.Districts {
			if strings.EqualFold(l.Districts[i].Code(), q.district) {
				return l, &l.Districts[i], "pick", nil
			}
		}
	}
	return l, nil, "", nil
}

// repsPage serves /reps: the full page, or the lookup region for htmx.
func (lu *lookup) repsPage(c echo.Context) error {
	q := readRepsQuery(c)
	v := templates.LookupView{Input: strings.TrimSpace(q.zip), Ref: cleanRef(c.QueryParam("ref")),
		Campaign: cleanSlug(c.QueryParam("campaign")), AddressOn: lu.addressOn, Freshness: lu.reference.freshness()}
	status := http.StatusOK
	announce := ""
	if c.QueryParams().Has("address") && !q.hasCoords {
		var err error
		if status, announce, err = lu.repsByAddress(c, q, &v); err != nil {
			return err
		}
	} else if q.zip != "" || q.hasCoords {
		l, settled, by, err := lu.find.runLookup(q)
		switch code := advocacy.ErrorCode(err); {
		case err == nil:
			v.Lookup, v.Settled, v.SettledBy = &l, settled, by
			v.ZIP = l.Query.Zip
			announce = lu.fillResults(&v)
			if v.Settled != nil {
				v.Statuses = lu.read.memberStatuses(c.Request().Context(), *v.Settled, v.Campaign)
			}
			lu.desk.fillLetters(c.Request().Context(), &v, c.QueryParam("ref"))
		case code == advocacy.CodeInvalid:
			status = http.StatusUnprocessableEntity
			v.FieldError = errorMessage(err)
			announce = "Error: " + v.FieldError
		case code == advocacy.CodeNotFound:
			status = http.StatusNotFound
			v.NoData = errorMessage(err)
			if zip, zerr := advocacy.ParseZIP(q.zip); zerr == nil {
				v.ZIP = zip
			}
			announce = v.NoData
		default:
			return err
		}
	}
	v.LocationURL = "/reps"
	if v.ZIP != "" {
		v.LocationURL = "/reps?zip=" + v.ZIP
	}
	v.LocationURL = v.Carry(v.LocationURL)
	title := "Find your members of Congress"
	switch {
	case v.FieldError != "" || v.AddressError != "":
		title = "Error: " + title
	case v.Settled != nil:
		title = "Your members for " + templates.DistrictLabel(*v.Settled)
	case v.ZIP != "":
		title = "Members for ZIP " + v.ZIP
	}
	m := lu.view.meta(c, title, "/reps")
	return lu.view.render(c, status, templates.RepsPage(m, v), titled(m, templates.LookupFragment(v, announce)))
}

// fillResults adds the map for a split ZIP and returns the announcement for
// screen readers.
func (lu *lookup) fillResults(v *templates.LookupView) string {
	if v.Settled != nil {
		n := 0
		if v.Settled.Representative != nil {
			n++
		}
		n += len(v.Settled.Senators)
		return fmt.Sprintf("Showing %d %s for %s.", n, pluralWord(n, "member", "members"), templates.DistrictLabel(*v.Settled))
	}
	v.Map = lu.districtMap(v.ZIP, *v, v.Lookup.Districts)
	return fmt.Sprintf("ZIP %s is split between %d districts. Choose yours.", v.ZIP, len(v.Lookup.Districts))
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func errorMessage(err error) string {
	var de *advocacy.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}

// repsAPI serves GET /api/v1/representatives?zip= or ?lat=&lon=.
func (lu *lookup) repsAPI(c echo.Context) error {
	q := readRepsQuery(c)
	if c.QueryParams().Has("address") && q.zip == "" && !q.hasCoords {
		return lu.addressAPI(c, q.address)
	}
	if q.zip == "" && !q.hasCoords {
		return advocacy.Invalid("zip", "Give a zip, an address, or lat and lon.")
	}
	l, _, _, err := lu.find.runLookup(repsQuery{zip: q.zip, lat: q.lat, lon: q.lon, hasCoords: q.hasCoords})
	if err != nil {
		return err
	}
	if q.hasCoords {
		// A person's position is theirs: no shared cache keeps it.
		c.Response().Header().Set("Cache-Control", "private, no-store")
	} else {
		c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	}
	return c.JSON(http.StatusOK, l)
}

// about serves the About page with the data's sources, figures and
// freshness.
func (s *Server) about(c echo.Context) error {
	st := s.data.dataStatus()
	v := templates.AboutView{
		DataDate: st.DataDate, Members: st.Members, House: st.House, Senate: st.Senate,
		ZIPs: st.ZIPs, SplitZIPs: st.SplitZIPs, Districts: st.Districts, Vacancies: st.Vacancies,
		Freshness: s.data.freshness(),
	}
	if st.Source != "" {
		v.Source = st.Source
	}
	return s.view.render(c, http.StatusOK, templates.AboutPage(s.view.meta(c, "About", "/about"), v), nil)
}
