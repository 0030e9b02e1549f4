package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// errAggregatesDiffer is check's answer when a count kept differs from a
// full recount; the differences were printed.
var errAggregatesDiffer = errors.New("aggregates differ from a full recount")

// statsCmd runs "whipcount stats check|rebuild -db PATH". check recounts
// every aggregate from the letters and prints each difference (it reads one
// consistent snapshot, so it can run beside the server); rebuild recomputes
// them all in one transaction, after an import or a repair.
func statsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "check" && args[0] != "rebuild") {
		fmt.Fprintln(stderr, "usage: whipcount stats check|rebuild -db PATH")
		return errUsage
	}
	fs := flag.NewFlagSet("stats "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "whipcount.db", "database `PATH`")
	if err := parseFlags(fs, args[1:], getenv); err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, *dbPath, db.Migrations)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	if args[0] == "rebuild" {
		if err := sqlite.RebuildAggregates(ctx, store); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rebuilt the aggregates of %s in %s\n", *dbPath, time.Since(start).Round(time.Millisecond))
		return nil
	}
	missing, err := sqlite.MissingAggregateTriggers(ctx, store)
	if err != nil {
		return err
	}
	for _, name := range missing {
		fmt.Fprintf(stdout, "trigger %s is missing: counts will drift from now on\n", name)
	}
	diffs, err := sqlite.CheckAggregates(ctx, store)
	if err != nil {
		return err
	}
	for _, d := range diffs {
		fmt.Fprintln(stdout, d)
	}
	if len(diffs) > 0 || len(missing) > 0 {
		return fmt.Errorf("%w: %d rows (run whipcount stats rebuild -db %s)", errAggregatesDiffer, len(diffs), *dbPath)
	}
	fmt.Fprintf(stdout, "aggregates of %s agree with a full recount (%s)\n", *dbPath, time.Since(start).Round(time.Millisecond))
	return nil
}
