package server

import (
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// DataStatus is how current the member data the server runs on is.
type DataStatus struct {
	// DataDate is the data's own date ("2026-06-15").
	DataDate string
	// AsOf is when the data was last known to be current: when it was
	// downloaded, or its own date for data shipped or placed by hand.
	AsOf time.Time
	// Version names the installed version ("20261202T111043Z"), or
	// "built-in"; Source is where it was downloaded from.
	Version string
	Source  string
	// Folder is the data folder the server reads (serve -data); empty for
	// the built-in data, which cannot be updated without a new binary.
	Folder string
	// Refresh is how often the server updates the data itself
	// (serve -data-refresh); 0 when it does not.
	Refresh time.Duration

	Members, House, Senate, ZIPs, SplitZIPs, Districts, Vacancies int
	// Ended are the seats whose member's term has ended by now.
	Ended []advocacy.EndedTerm
	// LastUpdate is the outcome of the last "data update" of the folder;
	// nil when there was none.
	LastUpdate *DataUpdate
	// ReloadError says why the server could not switch to the folder's
	// current version (on SIGHUP or after its own update); empty when it
	// could.
	ReloadError string
}

// DataUpdate is the outcome of one update of the member data.
type DataUpdate struct {
	At      time.Time
	Source  string
	OK      bool
	Version string
	// Reason says why the download was refused.
	Reason string
	// Changes describe what the installed version changed.
	Changes []string
}

// ReferenceStatus reports on the member data in use (implemented by the
// reference data service that serve wires).
type ReferenceStatus interface {
	DataStatus() DataStatus
}

// referenceData tells how current the member data is, for the footer, the
// About page, the lookup, the widgets and the workspace: from the
// reference data service when one is wired, else from Config.DataDate.
type referenceData struct {
	ref ReferenceStatus // nil: Config.DataDate alone
	// date is Config.DataDate; staleDays Config.DataStaleDays.
	date      string
	staleDays int
	clock     func() time.Time
}

func newReferenceData(cfg Config, deps Deps) *referenceData {
	return &referenceData{ref: deps.Reference, date: cfg.DataDate, staleDays: cfg.DataStaleDays, clock: deps.Clock}
}

// dataStatus is the reference data's status, or what Config says when no
// service reports it.
func (d *referenceData) dataStatus() DataStatus {
	if d.ref != nil {
		return d.ref.DataStatus()
	}
	st := DataStatus{DataDate: d.date, Version: "built-in"}
	if t, err := time.Parse(advocacy.DateLayout, d.date); err == nil {
		st.AsOf = t
	}
	return st
}

// dataStale reports whether the member data is older than the configured
// age (Config.DataStaleDays; 0 never calls it stale).
func (d *referenceData) dataStale(st DataStatus, now time.Time) bool {
	return d.staleDays > 0 && !st.AsOf.IsZero() && now.Sub(st.AsOf) > time.Duration(d.staleDays)*24*time.Hour
}

// freshness is what public pages say about the member data's date.
func (d *referenceData) freshness() templates.DataFreshness {
	st := d.dataStatus()
	now := d.clock()
	f := templates.DataFreshness{
		Stale:     d.dataStale(st, now),
		StaleDays: d.staleDays,
		Ended:     st.Ended,
	}
	if !st.AsOf.IsZero() {
		f.AsOf = longDate(st.AsOf)
		f.AsOfISO = st.AsOf.UTC().Format(advocacy.DateLayout)
		f.AgeDays = int(now.Sub(st.AsOf).Hours() / 24)
	} else {
		f.AsOf = st.DataDate
	}
	return f
}
