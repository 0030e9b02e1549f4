package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/congress"
	"github.com/whipcount/whipcount/internal/congressgov"
	"github.com/whipcount/whipcount/internal/server"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// congressGovConfig are the settings for the Congress.gov API.
type congressGovConfig struct {
	key string
	url string
	// every is how often serve syncs the running campaigns; 0 never.
	every time.Duration
	// hourly is the most requests an hour.
	hourly int
}

// congressGovFlags adds the API settings; withSchedule adds serve's.
func congressGovFlags(fs *flag.FlagSet, withSchedule bool) *congressGovConfig {
	c := &congressGovConfig{}
	fs.StringVar(&c.key, "congress-api-key", "", "Congress.gov API `KEY` (use WHIPCOUNT_CONGRESS_API_KEY); cosponsor sync is off without it")
	fs.StringVar(&c.url, "congress-api-url", congressgov.DefaultBaseURL, "Congress.gov API base `URL`")
	fs.IntVar(&c.hourly, "congress-api-hourly", congressgov.DefaultHourlyLimit, "most Congress.gov requests an hour (the API allows 5,000 a key)")
	if withSchedule {
		fs.DurationVar(&c.every, "cosponsors-sync", 6*time.Hour, "sync every running campaign's cosponsors from Congress.gov this often (needs the key; 0: only by hand)")
	}
	return c
}

func (c *congressGovConfig) check() error {
	switch {
	case c.every < 0:
		return errors.New("-cosponsors-sync cannot be negative")
	case c.every > 0 && c.every < 15*time.Minute:
		return errors.New("-cosponsors-sync: at least 15m; Congress.gov updates cosponsors about once a day")
	case c.hourly < 1 || c.hourly > 5000:
		return errors.New("-congress-api-hourly: between 1 and 5000 requests an hour")
	}
	return nil
}

// syncer builds the sync service over store; chamberOf comes from the
// reference data in use.
func (c *congressGovConfig) syncer(store *sqlite.DB, chamberOf func(string) (advocacy.Chamber, bool), now func() time.Time, logger *slog.Logger) *congressgov.Syncer {
	client := &congressgov.Client{BaseURL: c.url, Key: c.key, Clock: now, Limit: congressgov.NewHourlyLimit(c.hourly)}
	return &congressgov.Syncer{Client: client, Store: sqlite.NewCongressGov(store), ChamberOf: chamberOf, Clock: now, Logger: logger}
}

// memberChambers answers chamberOf from member data.
func memberChambers(member func(string) (advocacy.Member, bool)) func(string) (advocacy.Chamber, bool) {
	return func(id string) (advocacy.Chamber, bool) {
		m, ok := member(id)
		return m.Chamber, ok
	}
}

const syncUsage = `usage: whipcount cosponsors sync -campaign SLUG [-db PATH] [-data DIR]

Fetches each of the campaign's bills from the Congress.gov API (the key comes
from WHIPCOUNT_CONGRESS_API_KEY, or -congress-api-key): its latest action,
its committees and every page of its cosponsors (250 a page), then stores
them with the same checks and counts as "cosponsors import", one
transaction per bill. Requests stay within -congress-api-hourly, and are
retried after the time the API asks for (Retry-After) or a growing pause.
A bill that fails keeps its list; the others still sync.
`

// syncCmd runs "whipcount cosponsors sync".
func syncCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("cosponsors sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, syncUsage); fs.PrintDefaults() }
	campaign := fs.String("campaign", sqlite.SeedSlug, "campaign `SLUG` whose bills to sync")
	dbPath := fs.String("db", "whipcount.db", "SQLite database `PATH`")
	dataDir := fs.String("data", "", "reference data `DIR` to check members against instead of the built-in data")
	cg := congressGovFlags(fs, false)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	if err := cg.check(); err != nil {
		return err
	}
	if cg.key == "" {
		return errors.New("cosponsors sync needs a Congress.gov API key: set WHIPCOUNT_CONGRESS_API_KEY (sign up at https://api.congress.gov/sign-up/)")
	}
	data, store, err := openCosponsors(ctx, *dataDir, *dbPath, now)
	if err != nil {
		return err
	}
	defer store.Close()
	s := cg.syncer(store, memberChambers(data.Member), now, nil)
	runs, err := s.SyncCampaign(ctx, *campaign)
	for _, r := range runs {
		fmt.Fprintf(stdout, "%s: %s; %d requests\n", r.BillID, r.Summary(), r.Requests)
		if r.OK {
			fmt.Fprintf(stdout, "  cosponsor data as of %s\n", r.Result.AsOf.Format(time.RFC3339))
		}
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", *campaign, err)
	}
	if len(runs) == 0 {
		fmt.Fprintf(stdout, "%s: no bill whose list can still change\n", *campaign)
	}
	return nil
}

// congressGovRuntime is the Congress.gov sync inside serve.
type congressGovRuntime struct {
	deps server.CongressGovDeps
	stop func()
}

// startCongressGov wires the sync for the server and, with a key and a
// schedule, starts syncing every running campaign in the background.
func startCongressGov(c *congressGovConfig, store *sqlite.DB, members *congress.Live, logger *slog.Logger, now func() time.Time) congressGovRuntime {
	rt := congressGovRuntime{deps: server.CongressGovDeps{Reader: sqlite.NewCongressGov(store)}, stop: func() {}}
	if c.key == "" {
		logger.Info("cosponsor sync from Congress.gov is off: no -congress-api-key")
		return rt
	}
	// Members are checked against the data in use at the time of each sync.
	s := c.syncer(store, memberChambers(members.Member), now, logger)
	rt.deps.Syncer, rt.deps.Every = s, c.every
	if c.every > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); s.Run(ctx, c.every) }()
		rt.stop = func() { cancel(); <-done }
	}
	logger.Info("cosponsor sync from Congress.gov", "url", c.url, "every", c.every.String(), "hourly_limit", c.hourly)
	return rt
}
