package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/sqlite"
)

const deliveriesUsage = `usage:
  whipcount deliveries status [-db PATH]
  whipcount deliveries retry -held|-failed [-chamber house|senate] [-campaign SLUG] [-db PATH]

status prints electronic delivery's health per chamber: letters queued, held
and failed, sent in the last day, the oldest waiting, and why delivery is
held or what CWC last answered.

retry re-sends held letters (CWC refused the key or this server's address)
and/or failed ones (CWC refused the message) with their delivery IDs
unchanged, and lifts a chamber's hold. The running server sends them within
its poll interval (15 seconds). The re-send is written to the audit log, as
made from the command line. Letters rejected by moderators or deleted by
their senders are never re-sent.
`

// deliveriesCmd runs "whipcount deliveries ...".
func deliveriesCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 1 || (args[0] != "status" && args[0] != "retry") {
		fmt.Fprint(stderr, deliveriesUsage)
		return errUsage
	}
	sub := args[0]
	fs := flag.NewFlagSet("deliveries "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, deliveriesUsage); fs.PrintDefaults() }
	dbPath := fs.String("db", "whipcount.db", "SQLite database `PATH`")
	chamber := fs.String("chamber", "", "only the `CHAMBER`'s letters: house or senate (default both)")
	held := fs.Bool("held", false, "re-send held letters")
	failed := fs.Bool("failed", false, "re-send failed letters")
	campaign := fs.String("campaign", "", "only the letters of the campaign with this `SLUG`")
	if err := parseFlags(fs, args[1:], getenv); err != nil {
		return err
	}
	r := advocacy.RetryRequest{Chamber: advocacy.Chamber(*chamber), Held: *held, Failed: *failed}
	if fs.NArg() != 0 || (sub == "retry" && !r.Valid()) {
		if sub == "retry" && !r.Held && !r.Failed {
			fmt.Fprintln(stderr, "whipcount deliveries retry: say what to re-send: -held, -failed or both")
		}
		fs.Usage()
		return errUsage
	}
	now, err := clockFrom(getenv)
	if err != nil {
		return err
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("database %s: %w", *dbPath, err)
	}
	store, err := sqlite.Open(ctx, *dbPath, db.Migrations)
	if err != nil {
		return err
	}
	defer store.Close()
	letters := sqlite.NewLetters(store, now, rand.Reader)

	if sub == "status" {
		hs, err := letters.DeliveryHealth(ctx, now())
		if err != nil {
			return err
		}
		printHealth(stdout, hs)
		return nil
	}
	if *campaign != "" {
		c, err := sqlite.NewCampaigns(store).Campaign(ctx, *campaign)
		if err != nil {
			return fmt.Errorf("campaign %q: %w", *campaign, err)
		}
		r.CampaignID = c.ID
	}
	n, err := letters.RetryDeliveries(ctx, r, 0, now())
	if err != nil {
		return err
	}
	what := map[[2]bool]string{{true, false}: "held", {false, true}: "failed", {true, true}: "held and failed"}[[2]bool{r.Held, r.Failed}]
	fmt.Fprintf(stdout, "Queued %d %s %s again; the running server sends them within 15 seconds.\n", n, what,
		map[bool]string{true: "letter", false: "letters"}[n == 1])
	return nil
}

// printHealth writes each chamber's delivery health as a table.
func printHealth(w io.Writer, hs []advocacy.ChamberHealth) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHAMBER\tQUEUED\tHELD\tFAILED\tSENT 24H\tOLDEST WAITING\tLAST ACCEPTED")
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, h := range hs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", h.Chamber, h.Queued, h.Held, h.Failed, h.SentLastDay,
			stamp(h.OldestWaiting), stamp(h.LastSentAt))
	}
	tw.Flush()
	for _, h := range hs {
		if !h.HeldSince.IsZero() {
			fmt.Fprintf(w, "\n%s: HELD since %s: %s\n", h.Chamber, stamp(h.HeldSince), h.HoldReason)
		}
		if h.LastError != "" {
			fmt.Fprintf(w, "\n%s: last error (%s): %s\n", h.Chamber, stamp(h.LastErrorAt), h.LastError)
		}
	}
}
