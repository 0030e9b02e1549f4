package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// memberData is the member data's status page for admins: its version,
// date and counts, ended terms, the last update and how to run the next.
// Mounted with the workspace; the dashboard also lists what it finds out of
// date.
type memberData struct {
	// view renders pages; reference tells the data's status and whether
	// it is too old.
	view      *renderer
	reference *referenceData
	ws        *workspace
	clock     func() time.Time
}

func newMemberData(s *Server, ws *workspace) *memberData {
	return &memberData{view: s.view, reference: s.data, ws: ws, clock: s.deps.Clock}
}

func (d *memberData) routes(org *echo.Group) {
	org.GET("/data", d.page)
}

// dataUpdateCommand is what brings this server's member data up to date.
func dataUpdateCommand(st DataStatus) string {
	if st.Folder == "" {
		return "whipcount data update -data DIR, then restart the server with -data DIR"
	}
	return "whipcount data update -data " + st.Folder + ", then send the server SIGHUP (kill -HUP PID)"
}

// staleItems lists what is out of date about the member data: its
// age past the limit, terms that have ended, and (for admins) a failed
// update or reload.
func (d *memberData) staleItems(st DataStatus, now time.Time, admin bool) []templates.StaleItem {
	var out []templates.StaleItem
	var details []string
	if d.reference.dataStale(st, now) {
		details = append(details, fmt.Sprintf("Dated %s: %d days old, past the %d-day limit.",
			longDate(st.AsOf), int(now.Sub(st.AsOf).Hours()/24), d.reference.staleDays))
	}
	if n := len(st.Ended); n > 0 {
		names := make([]string, 0, min(n, 5))
		for _, e := range st.Ended[:min(n, 5)] {
			names = append(names, e.Role+" "+e.Name+" ("+e.State+")")
		}
		more := ""
		if n > 5 {
			more = fmt.Sprintf(" and %d more", n-5)
		}
		details = append(details, fmt.Sprintf("By its own dates, %s ended: %s%s. Those seats show no member and take no letters until the data is updated.",
			pluralN(n, "member’s term has", "members’ terms have"), strings.Join(names, ", "), more))
	}
	if len(details) > 0 {
		if st.Refresh > 0 {
			details = append(details, "The server downloads new data every "+st.Refresh.String()+" by itself.")
		}
		it := templates.StaleItem{Kind: "members", What: "Member data", Details: details, Command: dataUpdateCommand(st)}
		if admin {
			it.URL, it.URLLabel = "/organizer/data", "Member data status"
		}
		out = append(out, it)
	}
	if !admin {
		return out
	}
	if u := st.LastUpdate; u != nil && !u.OK {
		out = append(out, templates.StaleItem{Kind: "members-update", What: "The last member data update was refused",
			Details: []string{u.At.UTC().Format("January 2, 2006, 15:04 UTC") + ": " + u.Reason, "The data in use stays."},
			URL:     "/organizer/data", URLLabel: "Member data status"})
	}
	if st.ReloadError != "" {
		out = append(out, templates.StaleItem{Kind: "members-reload", What: "The server could not switch to new member data",
			Details: []string{st.ReloadError}, URL: "/organizer/data", URLLabel: "Member data status"})
	}
	return out
}

// page serves /organizer/data: the member data's status for admins.
func (d *memberData) page(c echo.Context) error {
	if _, err := need(c, advocacy.PermManageData); err != nil {
		return err
	}
	st := d.reference.dataStatus()
	now := d.clock()
	v := templates.DataPageView{
		Version: st.Version, Source: st.Source, DataDate: st.DataDate, Folder: st.Folder,
		Counts: templates.AboutView{Members: st.Members, House: st.House, Senate: st.Senate, Vacancies: st.Vacancies},
		Ended:  st.Ended, Stale: d.staleItems(st, now, true), UpdateCmd: dataUpdateCommand(st), Reload: st.ReloadError,
	}
	for i := range v.Stale {
		v.Stale[i].URL = "" // this is the page they link to
	}
	if !st.AsOf.IsZero() {
		v.AsOf = longDate(st.AsOf)
	}
	switch {
	case st.Refresh > 0:
		v.Refresh = "Every " + st.Refresh.String() + " (serve -data-refresh), from " + st.Source
	case st.Folder != "":
		v.Refresh = "Off: run the command below, or start the server with -data-refresh 24h."
	default:
		v.Refresh = "Off."
	}
	if u := st.LastUpdate; u != nil {
		v.LastAt = u.At.UTC().Format("January 2, 2006, 15:04 UTC")
		v.LastOK, v.LastWhat, v.Reason, v.Changes = u.OK, u.Version, u.Reason, u.Changes
	}
	return d.view.render(c, http.StatusOK, templates.DataPage(d.ws.frame(c, "Member data", "/organizer/data", ""), v), nil)
}
