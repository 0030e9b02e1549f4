package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/whipcount/whipcount/db/reference"
	"github.com/whipcount/whipcount/internal/congress"
)

const dataUsage = `usage:
  whipcount data check [DIR]
      check the reference data serve would run on: the data folder DIR (its
      current version over its own files over the built-in data), or the
      built-in data. Prints counts, problems and warnings; exits 1 on problems.
  whipcount data update -data DIR [-from URL] [-force]
      download the member files from the congress-legislators project, check
      them, and install them in DIR as a new version beside the old ones. Bad
      or partial downloads are refused: the version in use stays, and the
      reason is kept in DIR/last-update.json. A running server switches to the
      new version on SIGHUP, or by itself with -data-refresh.
`

// dataCmd runs "whipcount data check|update". now is the time terms are
// judged at.
func dataCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	if len(args) < 1 {
		fmt.Fprint(stderr, dataUsage)
		return errUsage
	}
	switch args[0] {
	case "check":
		return dataCheck(args[1:], stdout, stderr, now)
	case "update":
		return dataUpdate(ctx, args[1:], getenv, stdout, stderr, now)
	}
	fmt.Fprint(stderr, dataUsage)
	return errUsage
}

func dataCheck(args []string, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("data check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, dataUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return errUsage
	}
	dir := fs.Arg(0)
	d, info, err := congress.LoadFolder(dir, reference.FS)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	rep, err := d.Check(now())
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	where := "the built-in reference data"
	if dir != "" {
		where = "reference data in " + dir
	}
	fmt.Fprintf(stdout, "%s (version %s, as of %s)\n", where, info.Name, rep.Stats.DataDate)
	printReport(stdout, rep)
	if len(rep.Problems) > 0 {
		return fmt.Errorf("%d %s: this data should not be used", len(rep.Problems), plural(len(rep.Problems), "problem", "problems"))
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// printReport writes a check's counts, problems and warnings.
func printReport(w io.Writer, rep congress.Report) {
	st := rep.Stats
	fmt.Fprintf(w, "  members     %5d  (House %d incl. %d non-voting, Senate %d)\n", st.Members, st.House, st.NonVoting, st.Senate)
	fmt.Fprintf(w, "  districts   %5d  (%d vacant)\n", st.Districts, st.Vacancies)
	fmt.Fprintf(w, "  ZIP codes   %5d  (%d split between districts)\n", st.ZIPs, st.SplitZIPs)
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	for _, wn := range rep.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", wn)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func dataUpdate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("data update", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, dataUsage); fs.PrintDefaults() }
	dir := fs.String("data", "", "data folder `DIR` to install the new version in (created if missing)")
	from := fs.String("from", congress.DefaultSource, "base `URL` of the congress-legislators files")
	force := fs.Bool("force", false, "install data that loads but fails the plausibility checks")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	u := &congress.Updater{Folder: congress.Folder{Dir: *dir}, Source: *from, Base: reference.FS, Clock: now, Force: *force}
	res, err := u.Update(ctx)
	printUpdate(stdout, res, err)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "A running server (serve -data "+*dir+") switches to it on SIGHUP, or at its next -data-refresh.")
	return nil
}

// printUpdate writes what an update did, for the command line.
func printUpdate(w io.Writer, res congress.UpdateResult, err error) {
	for _, f := range res.Files {
		fmt.Fprintf(w, "downloaded %s/%s (%d bytes, sha256 %s)\n", res.Source, f.Name, f.Bytes, f.SHA256[:12])
	}
	if res.Report.Stats.Members > 0 {
		fmt.Fprintln(w, "checked:")
		printReport(w, res.Report)
	}
	if res.Previous.Name != "" && (res.Changes.Before > 0 || len(res.Changes.Added) > 0) {
		fmt.Fprintf(w, "changes from the version in use (%s):\n", res.Previous.Name)
		for _, l := range res.Changes.Lines() {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	var refused *congress.RefusedError
	switch {
	case errors.As(err, &refused):
		fmt.Fprintf(w, "NOT INSTALLED: %s\n", refused.Reason)
		if res.Rejected != "" {
			fmt.Fprintf(w, "the download is kept in %s for inspection\n", res.Rejected)
		}
		if res.Previous.Name != "" {
			fmt.Fprintf(w, "the data in use stays: version %s\n", res.Previous.Name)
		} else {
			fmt.Fprintln(w, "the data in use stays")
		}
	case err == nil:
		fmt.Fprintf(w, "installed version %s (%s)\n", res.Version.Name, res.Changes.Summary())
	}
}
