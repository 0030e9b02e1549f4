package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/whipcount/whipcount/db/reference"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/congress"
	"github.com/whipcount/whipcount/internal/server"
)

// refConfig are serve's settings for the member data.
type refConfig struct {
	// refresh is how often the server runs "data update" itself; 0 never.
	refresh time.Duration
	// from is the upstream base URL for those updates.
	from string
	// staleDays is the age past which pages warn that the data is old.
	staleDays int
}

func refFlags(fs *flag.FlagSet) *refConfig {
	c := &refConfig{}
	fs.DurationVar(&c.refresh, "data-refresh", 0, "download, check and switch to new member data this often, like 24h (needs -data; 0: only by hand)")
	fs.StringVar(&c.from, "data-from", congress.DefaultSource, "base `URL` of the congress-legislators files for -data-refresh")
	fs.IntVar(&c.staleDays, "data-stale-days", 30, "warn when the member data is older than `DAYS` (0: never)")
	return c
}

func (c *refConfig) check(dataDir string) error {
	if c.refresh < 0 || c.staleDays < 0 {
		return errors.New("-data-refresh and -data-stale-days cannot be negative")
	}
	if c.refresh > 0 && dataDir == "" {
		return errors.New("-data-refresh needs -data DIR: the folder the new versions are installed in")
	}
	if c.refresh > 0 && c.refresh < time.Hour {
		return errors.New("-data-refresh: at least 1h; the upstream files change a few times a month")
	}
	return nil
}

// refService keeps the server's member data current: it reloads the data
// folder's current version on SIGHUP and, with -data-refresh, updates it
// from upstream on a schedule. It reports on the data for the pages.
type refService struct {
	live   *congress.Live
	dir    string
	cfg    refConfig
	logger *slog.Logger
	now    func() time.Time

	mu        sync.Mutex
	reloadErr string
	// last is the folder's last update as last read: at start, after a
	// reload and after the server's own update (pages must not read files).
	last *server.DataUpdate
	// cached is the last status worked out, for the data and minute.
	cached struct {
		data   *congress.Data
		minute time.Time
		status server.DataStatus
	}
}

// newRefService loads the data in use with load (see loadData).
func newRefService(dir string, cfg refConfig, logger *slog.Logger, now func() time.Time,
	load func(dir string) (*congress.Data, error)) (*refService, error) {
	d, err := load(dir)
	if err != nil {
		return nil, err
	}
	info, err := congress.FolderVersion(dir)
	if err != nil {
		return nil, err
	}
	r := &refService{live: congress.NewLive(d, info, now), dir: dir, cfg: cfg, logger: logger, now: now}
	r.readLastUpdate()
	return r, nil
}

// readLastUpdate reads the folder's record of its last update.
func (r *refService) readLastUpdate() {
	if r.dir == "" {
		return
	}
	last, ok, err := congress.Folder{Dir: r.dir}.LastUpdate()
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		r.logger.Warn("reference data: cannot read the last update's outcome", "err", err)
	case ok:
		r.last = &server.DataUpdate{At: last.At, Source: last.Source, OK: last.OK, Version: last.Version,
			Reason: last.Reason, Changes: last.Changes}
	}
}

// start handles SIGHUP and the refresh schedule in the background until
// ctx ends; wait returns once it has stopped. SIGHUP is caught from the
// moment start returns (its default action would end the process).
func (r *refService) start(ctx context.Context) (wait func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer signal.Stop(hup)
		r.loop(ctx, hup)
	}()
	return func() { <-done }
}

// loop reloads on each value from hup and updates when the schedule says.
func (r *refService) loop(ctx context.Context, hup <-chan os.Signal) {
	var tick <-chan time.Time // nil, so never, without a schedule
	var timer *time.Timer
	if r.cfg.refresh > 0 {
		timer = time.NewTimer(r.firstUpdateIn())
		defer timer.Stop()
		tick = timer.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			r.reload()
		case <-tick:
			r.update(ctx)
			timer.Reset(r.cfg.refresh)
		}
	}
}

// firstUpdateIn is how long to wait for the first scheduled update: at
// once when the data in use is older than the refresh interval (or was
// never downloaded), else when it reaches that age.
func (r *refService) firstUpdateIn() time.Duration {
	_, info := r.live.Data()
	if info.FetchedAt.IsZero() {
		return 0
	}
	return max(0, r.cfg.refresh-r.now().Sub(info.FetchedAt))
}

// reload switches to the folder's current version.
func (r *refService) reload() {
	r.readLastUpdate()
	info, err := r.live.Reload(r.dir, reference.FS)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.reloadErr = err.Error()
		r.logger.Error("reference data: reload refused; the data in use stays", "err", err)
		return
	}
	r.reloadErr = ""
	d, _ := r.live.Data()
	st := d.Stats()
	r.logger.Info("reference data: switched", "version", info.Name, "data_date", st.DataDate, "members", st.Members)
}

// update downloads, checks and installs new member data and switches to it.
func (r *refService) update(ctx context.Context) {
	u := &congress.Updater{Folder: congress.Folder{Dir: r.dir}, Source: r.cfg.from, Base: reference.FS, Clock: r.now, InUse: r.live.Data}
	res, err := u.Update(ctx)
	r.readLastUpdate()
	if err != nil {
		r.logger.Error("reference data: update refused; the data in use stays", "source", res.Source, "err", err)
		return
	}
	r.live.Swap(res.Data, res.Version)
	r.mu.Lock()
	r.reloadErr = ""
	r.mu.Unlock()
	r.logger.Info("reference data: updated", "version", res.Version.Name, "changes", res.Changes.Summary())
}

// DataStatus reports on the data for the pages. Every page asks (its
// footer says as of when), so the answer is kept for the minute, per
// version: terms end on the minute at the earliest.
func (r *refService) DataStatus() server.DataStatus {
	d, _ := r.live.Data()
	minute := r.now().Truncate(time.Minute)
	r.mu.Lock()
	if r.cached.data == d && r.cached.minute.Equal(minute) {
		out := r.cached.status
		out.ReloadError, out.LastUpdate = r.reloadErr, r.last
		r.mu.Unlock()
		return out
	}
	r.mu.Unlock()
	st := r.live.Status()
	out := server.DataStatus{
		DataDate: st.DataDate, Version: st.Version.Name, Source: st.Version.Source, Folder: r.dir, Refresh: r.cfg.refresh,
		Members: st.Members, House: st.House, Senate: st.Senate, ZIPs: st.ZIPs, SplitZIPs: st.SplitZIPs,
		Districts: st.Districts, Vacancies: st.Vacancies, Ended: st.Ended,
	}
	out.AsOf = st.Version.FetchedAt
	if out.AsOf.IsZero() {
		if d, err := time.Parse(advocacy.DateLayout, st.DataDate); err == nil {
			out.AsOf = d
		}
	}
	r.mu.Lock()
	r.cached.data, r.cached.minute, r.cached.status = d, minute, out
	out.ReloadError, out.LastUpdate = r.reloadErr, r.last
	r.mu.Unlock()
	return out
}
