package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/congress"
	"github.com/whipcount/whipcount/internal/sqlite"
)

const cosponsorsUsage = `usage: whipcount cosponsors import -bill ID [-campaign SLUG] [-db PATH] [-data DIR] FILE...

Replaces the stored cosponsors of bill ID (like hr5917-119) with the list in
the FILEs, Congress.gov API v3 answers for
  https://api.congress.gov/v3/bill/{congress}/{type}/{number}/cosponsors?format=json&limit=250
and, for a list longer than 250, every page after it (pagination.next): one
file per page, or several pages in one file ("-" reads standard input). New
cosponsors are added, withdrawals recorded, corrections applied, and members
no longer listed removed. Every member must be in the reference data; pages
that overlap or a missing page are refused. On any error nothing changes. The
bill's "cosponsor data as of" time becomes now, even when no row changed.

See also "whipcount cosponsors sync", which fetches the list itself.
`

// cosponsorsCmd runs "whipcount cosponsors import|sync". now stamps the
// import.
func cosponsorsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	if len(args) >= 1 && args[0] == "sync" {
		return syncCmd(ctx, args[1:], getenv, stdout, stderr, now)
	}
	if len(args) < 1 || args[0] != "import" {
		fmt.Fprint(stderr, cosponsorsUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("cosponsors import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, cosponsorsUsage); fs.PrintDefaults() }
	campaign := fs.String("campaign", sqlite.SeedSlug, "campaign `SLUG` the bill belongs to")
	bill := fs.String("bill", "", "bill `ID`, like hr5917-119 or s3103-119")
	dbPath := fs.String("db", "whipcount.db", "SQLite database `PATH`")
	dataDir := fs.String("data", "", "reference data `DIR` to check members against instead of the built-in data")
	if err := parseFlags(fs, args[1:], getenv); err != nil {
		return err
	}
	if *bill == "" || fs.NArg() < 1 {
		fs.Usage()
		return errUsage
	}
	if _, _, _, err := advocacy.ParseBillID(*bill); err != nil {
		return err
	}
	file, err := readCosponsorFiles(fs.Args())
	if err != nil {
		return err
	}
	data, store, err := openCosponsors(ctx, *dataDir, *dbPath, now)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := sqlite.NewCampaigns(store).ImportCosponsors(ctx, *campaign, *bill, file, memberChambers(data.Member), now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d in the file; %d added, %d newly withdrawn, %d corrected, %d removed, %d unchanged\n",
		res.Bill, res.InFile, res.Added, res.Withdrawn, res.Changed, res.Removed, res.Unchanged)
	if res.NoChange() {
		fmt.Fprintln(stdout, "no change to the cosponsor list")
	}
	fmt.Fprintf(stdout, "cosponsor data as of %s\n", res.AsOf.Format(time.RFC3339))
	return nil
}

// openCosponsors loads the reference data members are checked against and
// opens the database, seeding the campaign in a fresh one as serve would.
func openCosponsors(ctx context.Context, dataDir, dbPath string, now func() time.Time) (*congress.Data, *sqlite.DB, error) {
	data, err := loadData(dataDir)
	if err != nil {
		return nil, nil, err
	}
	store, err := sqlite.Open(ctx, dbPath, db.Migrations)
	if err != nil {
		return nil, nil, err
	}
	if err := sqlite.SeedCampaign(ctx, store, now()); err != nil {
		store.Close()
		return nil, nil, err
	}
	return data, store, nil
}

// readCosponsorFiles reads and parses the pages in paths ("-" for
// standard input) as one list.
func readCosponsorFiles(paths []string) (advocacy.CosponsorFile, error) {
	readers := make([]io.Reader, 0, len(paths))
	for _, path := range paths {
		if path == "-" {
			readers = append(readers, os.Stdin)
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			return advocacy.CosponsorFile{}, fmt.Errorf("read cosponsor file: %w", err)
		}
		defer f.Close()
		readers = append(readers, f)
	}
	file, err := advocacy.ParseCosponsorFiles(readers...)
	if err != nil {
		return advocacy.CosponsorFile{}, fmt.Errorf("%s: %w", strings.Join(paths, " "), err)
	}
	return file, nil
}
