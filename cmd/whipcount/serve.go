package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/db/reference"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/campaigns"
	"github.com/whipcount/whipcount/internal/congress"
	"github.com/whipcount/whipcount/internal/server"
	"github.com/whipcount/whipcount/internal/sqlite"
)

type serveConfig struct {
	addr            string
	dbPath          string
	dataDir         string
	logFormat       string
	logLevel        string
	shutdownTimeout time.Duration
	// cosponsorsStaleDays: bill pages warn organizers past this age.
	cosponsorsStaleDays int
	// dbTimeout bounds the wait for the database of letters and /healthz.
	dbTimeout time.Duration
	// letterQueue bounds the letters waiting for the database's writer.
	letterQueue int
	// noPublicCache: every public answer is read and rendered anew.
	noPublicCache bool
}

func serveFlags(fs *flag.FlagSet) *serveConfig {
	cfg := &serveConfig{}
	fs.StringVar(&cfg.addr, "addr", "localhost:8080", "`HOST:PORT` to listen on")
	fs.StringVar(&cfg.dbPath, "db", "whipcount.db", "SQLite database `PATH` (created if missing)")
	fs.StringVar(&cfg.dataDir, "data", "", "reference data `DIR` to use instead of the data built into the binary")
	fs.StringVar(&cfg.logFormat, "log-format", "json", "log format: json or text")
	fs.StringVar(&cfg.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 20*time.Second, "how long to let in-flight requests finish on SIGTERM")
	fs.BoolVar(&cfg.noPublicCache, "no-public-cache", false, "do not reuse public answers (campaign home, lookups, stats, widgets, count.json) for a few seconds: to measure their cost, or behind a CDN that caches them")
	fs.IntVar(&cfg.cosponsorsStaleDays, "cosponsors-stale-days", 14, "warn organizers when cosponsor data is older than `DAYS` (0: never)")
	fs.DurationVar(&cfg.dbTimeout, "db-timeout", 3*time.Second, "how long a letter, a confirmation, an erasure or /healthz waits for the database before answering 503 with Retry-After")
	fs.IntVar(&cfg.letterQueue, "letter-queue", 1000, "how many letters may wait for the database's writer; a letter past that is answered 503 with Retry-After at once, unsaved (0: no limit)")
	return cfg
}

// serveSettings are all the settings of serve: every flag, each also read
// from its WHIPCOUNT_* variable.
type serveSettings struct {
	fs       *flag.FlagSet
	serve    *serveConfig
	letters  *letterConfig
	hard     *hardeningConfig
	ref      *refConfig
	gov      *congressGovConfig
	geocoder *geocoderConfig
}

// newServeSettings declares every flag of serve on one flag set.
func newServeSettings(stderr io.Writer) *serveSettings {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &serveSettings{fs: fs, serve: serveFlags(fs), letters: letterFlags(fs), hard: hardeningFlags(fs),
		ref: refFlags(fs), gov: congressGovFlags(fs, true), geocoder: geocoderFlags(fs)}
}

// serve runs the web server until ctx ends, then drains in-flight requests.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return serveWith(ctx, args, getenv, stderr, loadData)
}

// serveWith is serve with the reference data loader given: tests that start
// many servers in one process load the built-in data once.
func serveWith(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer,
	loadData func(dir string) (*congress.Data, error)) error {
	set := newServeSettings(stderr)
	cfg, lcfg, hcfg, rcfg, gcfg := set.serve, set.letters, set.hard, set.ref, set.gov
	if err := parseFlags(set.fs, args, getenv); err != nil {
		return err
	}
	if err := rcfg.check(cfg.dataDir); err != nil {
		return err
	}
	if err := gcfg.check(); err != nil {
		return err
	}
	geo, geoHost, err := set.geocoder.wire()
	if err != nil {
		return err
	}
	if err := lcfg.check(); err != nil {
		return err
	}
	if cfg.dbTimeout <= 0 {
		return errors.New("-db-timeout: must be positive")
	}
	if cfg.letterQueue < 0 {
		return errors.New("-letter-queue: must be 0 (no limit) or more")
	}
	if hcfg.confirm && lcfg.smtp.Addr == "" {
		return errors.New("-require-confirmation needs -smtp-addr: the confirmation link goes by email")
	}
	logger, err := newLogger(stderr, cfg.logFormat, cfg.logLevel)
	if err != nil {
		return err
	}
	now, err := clockFrom(getenv)
	if err != nil {
		return err
	}
	start := time.Now()
	if getenv("GOMEMLIMIT") == "" {
		// A soft limit makes the collector work harder before the heap
		// grows past what a small machine should give one process; set
		// GOMEMLIMIT to change it.
		debug.SetMemoryLimit(96 << 20)
	}

	ref, err := newRefService(cfg.dataDir, *rcfg, logger, now, loadData)
	if err != nil {
		return err
	}
	data, _ := ref.live.Data()
	go func() {
		// The detailed boundaries finish loading in the background; then hand
		// the parsing garbage back to the OS so the idle process stays small.
		if err := data.WaitBoundaries(); err != nil {
			logger.Error("load district boundaries: point lookups will fail", "err", err)
		}
		debug.FreeOSMemory()
	}()
	// New member data arrives on SIGHUP or on the -data-refresh schedule.
	refCtx, stopRef := context.WithCancel(ctx)
	waitRef := ref.start(refCtx)
	defer func() { stopRef(); waitRef() }()
	store, err := sqlite.Open(ctx, cfg.dbPath, db.Migrations)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := sqlite.SeedCampaign(ctx, store, now()); err != nil {
		return err
	}
	letters := startLetters(lcfg, store, logger, now, data.Members)
	defer letters.stop()
	letters.store.LimitQueue(cfg.letterQueue)

	st := data.Stats()
	rctx, stopRetention := context.WithCancel(context.Background())
	waitRetention := startRetention(rctx, letters.store, hcfg.retentionDays, logger)
	defer func() { stopRetention(); waitRetention() }()
	congressGov := startCongressGov(gcfg, store, ref.live, logger, now)
	defer congressGov.stop()
	// The partner store is the account store with partners held to the
	// widgets' stricter rules (https origins), so both serve the workspace.
	partners := sqlite.NewPartners(store, now)
	editor := sqlite.NewCampaignEditor(store, now)
	chamberOf := func(id string) (advocacy.Chamber, bool) {
		m, ok := data.Member(id)
		return m.Chamber, ok
	}
	srvCfg := server.Config{
		DataDate:            st.DataDate,
		DataStaleDays:       rcfg.staleDays,
		HomeCampaign:        sqlite.SeedSlug,
		CosponsorsStaleDays: cfg.cosponsorsStaleDays,
		GeocoderHost:        geoHost,
		DBTimeout:           cfg.dbTimeout,
		NoPublicCache:       cfg.noPublicCache,
	}
	// The abuse-control and privacy settings are applied to the one config
	// the server gets, so none of them can be left behind on the way.
	if err := hcfg.apply(ctx, store, &srvCfg); err != nil {
		return err
	}
	srv := server.New(srvCfg, server.Deps{
		Logger: logger,
		Clock:  now,
		Reps:   ref.live,
		Health: func(ctx context.Context) error {
			return store.CheckWrites(ctx, now().UTC().Format(time.RFC3339Nano))
		},
		Unavailable: sqlite.Unavailable,
		Campaigns:   sqlite.NewCampaigns(store),
		Members:     ref.live,
		Reference:   ref,
		CongressGov: congressGov.deps,

		LetterCounter: letters.store,
		Letters:       letters.deps,
		Partners:      partners,
		Geocoder:      geo,
		Organizer: server.OrganizerDeps{
			Users: partners, Sessions: sqlite.NewSessions(store), Audit: sqlite.NewAudit(store),
			Stats: sqlite.NewStats(store), Exports: sqlite.NewExports(store, 0), Moderation: sqlite.NewModeration(store, now),
			Editor:     editor,
			Campaigns:  campaigns.New(editor, chamberOf, now),
			Deliveries: letters.desk,
		},
	})

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	hs := server.NewHTTPServer(cfg.addr, srv.Handler(), logger)
	logger.Info("serving", "addr", "http://"+ln.Addr().String(), "db", cfg.dbPath,
		"data_date", st.DataDate, "startup", time.Since(start).Round(time.Millisecond).String())

	// Lookup counts for the organizer dashboard go to the database once a
	// minute, and once more on the way out.
	flushCtx, stopFlush := context.WithCancel(context.WithoutCancel(ctx))
	flushed := make(chan struct{})
	go func() { srv.RunLookupFlusher(flushCtx, time.Minute); close(flushed) }()
	defer func() { stopFlush(); <-flushed }()

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", cfg.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	// Receipts still being sent and the outbox worker finish before the
	// database closes.
	if err := srv.WaitBackground(sctx); err != nil {
		logger.Warn("shutdown: receipts still sending", "err", err)
	}
	// The group commit answers the letters it holds before the database
	// closes.
	if err := letters.store.Close(sctx); err != nil {
		logger.Warn("shutdown: letters still being written", "err", err)
	}
	letters.stop()
	logger.Info("stopped")
	return nil
}

// loadData reads the reference data from the data folder dir (see
// congress.LoadFolder), or the copy built into the binary when dir is empty.
func loadData(dir string) (*congress.Data, error) {
	d, _, err := congress.LoadFolder(dir, reference.FS)
	return d, err
}
