package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/whipcount/whipcount/db"
	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/campaigns"
	"github.com/whipcount/whipcount/internal/congress"
	"github.com/whipcount/whipcount/internal/sqlite"
)

const campaignUsage = `usage:
  whipcount campaign create -slug SLUG -title TITLE -bill ID[,ID] -position support|oppose[,...] -target N[,N]
                            [-goal GOAL[,GOAL]] [-ask TEXT] [-summary TEXT] [-status draft|running] [-from SLUG]
                            [-sponsor-name NAME] [-sponsor-url URL] [-sponsor-email EMAIL] [-paid-for-by TEXT] [-db PATH]
  whipcount campaign list [-db PATH]
  whipcount campaign open|close -slug SLUG [-db PATH]
  whipcount campaign feature -slug SLUG|-none [-db PATH]

create starts a campaign about one bill in each chamber at most (IDs like
hr1234-119 or s3103-119), with a position per bill (one value applies to
every bill), a target per bill, and for an opposed bill what progress counts
(-goal not_cosponsoring or withdrawals). It starts as a draft, visible only
in the workspace, unless -status running. -from copies the talking points,
letter templates and sponsor of an existing campaign. Everything can be
edited afterwards in the workspace under /organizer/campaigns/SLUG/edit.
`

// campaignCmd runs "whipcount campaign ...".
func campaignCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	if len(args) < 1 {
		fmt.Fprint(stderr, campaignUsage)
		return errUsage
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("campaign "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, campaignUsage) }
	dbPath := fs.String("db", "whipcount.db", "SQLite database `PATH`")
	dataDir := fs.String("data", "", "reference data `DIR` to check sponsors against instead of the built-in data")
	var run func(*campaignEnv) error
	switch sub {
	case "create":
		run = campaignCreateFlags(fs, stdout)
	case "list":
		run = func(env *campaignEnv) error { return campaignList(ctx, env, stdout) }
	case "open", "close":
		slug := fs.String("slug", "", "campaign `SLUG`")
		run = func(env *campaignEnv) error {
			status := map[string]string{"open": "running", "close": "closed"}[sub]
			if err := env.svc.SetStatus(ctx, *slug, status, 0); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "campaign %s is now %s\n", *slug, status)
			return nil
		}
	case "feature":
		slug := fs.String("slug", "", "campaign `SLUG` the home page features")
		none := fs.Bool("none", false, "feature no campaign: the home page lists the running ones")
		run = func(env *campaignEnv) error {
			if (*slug == "") == !*none {
				return errors.New("campaign feature: give -slug SLUG or -none")
			}
			if err := env.svc.Feature(ctx, *slug, 0); err != nil {
				return err
			}
			if *none {
				fmt.Fprintln(stdout, "no campaign is featured: the home page lists the running campaigns")
			} else {
				fmt.Fprintf(stdout, "the home page features %s\n", *slug)
			}
			return nil
		}
	default:
		fmt.Fprintf(stderr, "whipcount campaign: unknown command %q\n\n%s", sub, campaignUsage)
		return errUsage
	}
	if err := parseFlags(fs, rest, getenv); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	env, err := openCampaignEnv(ctx, *dbPath, *dataDir, now)
	if err != nil {
		return err
	}
	defer env.close()
	return cliFieldErrors("campaign "+sub, run(env))
}

// campaignEnv is what the campaign commands work on.
type campaignEnv struct {
	db    *sqlite.DB
	svc   *campaigns.Service
	close func()
}

func openCampaignEnv(ctx context.Context, dbPath, dataDir string, now func() time.Time) (*campaignEnv, error) {
	store, err := sqlite.Open(ctx, dbPath, db.Migrations)
	if err != nil {
		return nil, err
	}
	// A fresh database gets the seeded campaign first, as serve would.
	if err := sqlite.SeedCampaign(ctx, store, now()); err != nil {
		store.Close()
		return nil, err
	}
	// The reference data is read only when a bill's sponsor is to be
	// checked: most commands never need it.
	var (
		once    sync.Once
		data    *congress.Data
		dataErr error
	)
	chamberOf := func(id string) (advocacy.Chamber, bool) {
		once.Do(func() { data, dataErr = loadData(dataDir) })
		if dataErr != nil {
			return "", false
		}
		m, ok := data.Member(id)
		return m.Chamber, ok
	}
	svc := campaigns.New(sqlite.NewCampaignEditor(store, now), chamberOf, now)
	return &campaignEnv{db: store, svc: svc, close: func() { store.Close() }}, nil
}

// campaignCreateFlags declares the flags of "campaign create" and returns
// the command.
func campaignCreateFlags(fs *flag.FlagSet, stdout io.Writer) func(*campaignEnv) error {
	var in advocacy.NewCampaignInput
	fs.StringVar(&in.Slug, "slug", "", "the campaign's `SLUG` in its address, /campaigns/SLUG (default: made from the title)")
	fs.StringVar(&in.Title, "title", "", "the campaign's `TITLE`")
	fs.StringVar(&in.Ask, "ask", "", "the ask in one sentence (default: made from the bills and positions)")
	fs.StringVar(&in.Summary, "summary", "", "a short summary")
	fs.StringVar(&in.Status, "status", "draft", "draft (only in the workspace) or running (public, taking letters)")
	fs.StringVar(&in.CopyFrom, "from", "", "copy talking points, letter templates and sponsor from campaign `SLUG`")
	fs.StringVar(&in.Sponsor.Name, "sponsor-name", "", "the organisation that runs the campaign")
	fs.StringVar(&in.Sponsor.URL, "sponsor-url", "", "its web address")
	fs.StringVar(&in.Sponsor.Email, "sponsor-email", "", "its contact email")
	fs.StringVar(&in.Sponsor.PaidForBy, "paid-for-by", "", "the paid-for-by line of the campaign's pages")
	bills := fs.String("bill", "", "bill `ID`s, comma-separated, like hr1234-119,s567-119")
	positions := fs.String("position", "support", "support or oppose, one for all bills or one per bill")
	goals := fs.String("goal", "", "for an opposed bill: not_cosponsoring (default) or withdrawals")
	targets := fs.String("target", "", "targets, one per bill (or one for all), like 218,51")
	return func(env *campaignEnv) error {
		ids := splitList(*bills)
		if len(ids) == 0 {
			return errors.New("campaign create: give the bills with -bill ID[,ID]")
		}
		pos, err := perBill("-position", splitList(*positions), len(ids))
		if err != nil {
			return err
		}
		gs, err := perBill("-goal", splitList(*goals), len(ids))
		if err != nil {
			return err
		}
		ts, err := perBill("-target", splitList(*targets), len(ids))
		if err != nil {
			return err
		}
		for i, id := range ids {
			in.Bills = append(in.Bills, advocacy.NewBillInput{ID: id, Position: pos[i], Goal: gs[i], Target: ts[i]})
		}
		c, err := env.svc.Create(context.Background(), in, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created campaign %s (%s): %q\n", c.Slug, strings.ToLower(c.Status.Label()), c.Title)
		for _, b := range c.Bills {
			fmt.Fprintf(stdout, "  %s %s: %s, %s, target %d\n", b.ID, b.Label(), b.Position.Label(), b.Goal.Noun(), b.Target)
		}
		fmt.Fprintf(stdout, "edit it at /organizer/campaigns/%s/edit", c.Slug)
		if c.Status == advocacy.CampaignDraft {
			fmt.Fprintf(stdout, "; preview at /organizer/campaigns/%s/preview; open it with: whipcount campaign open -slug %s", c.Slug, c.Slug)
		} else {
			fmt.Fprintf(stdout, "; public at /campaigns/%s", c.Slug)
		}
		fmt.Fprintln(stdout)
		return nil
	}
}

// campaignList prints every campaign with its status and bills.
func campaignList(ctx context.Context, env *campaignEnv, stdout io.Writer) error {
	store := sqlite.NewCampaigns(env.db)
	list, err := store.Campaigns(ctx)
	if err != nil {
		return err
	}
	featured, err := store.Featured(ctx)
	if err != nil {
		return err
	}
	for _, c := range list {
		full, err := store.Campaign(ctx, c.Slug)
		if err != nil {
			return err
		}
		var bills []string
		for _, b := range full.Bills {
			bills = append(bills, fmt.Sprintf("%s (%s, target %d)", b.ID, strings.ToLower(b.Position.Label()), b.Target))
		}
		mark := ""
		if c.Slug == featured {
			mark = " [featured]"
		}
		fmt.Fprintf(stdout, "%s\t%s%s\t%s\t%s\n", c.Slug, strings.ToLower(c.Status.Label()), mark, c.Title, strings.Join(bills, ", "))
	}
	return nil
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// perBill spreads a flag's values over n bills: none, one for all, or one
// each.
func perBill(flagName string, vs []string, n int) ([]string, error) {
	switch len(vs) {
	case 0:
		return make([]string, n), nil
	case 1:
		return slices.Repeat(vs, n), nil
	case n:
		return vs, nil
	}
	return nil, fmt.Errorf("campaign create: %s has %d values for %d bills; give one for all, or one per bill", flagName, len(vs), n)
}

// cliFlagOf names the flag behind a form field of the creation rules.
func cliFlagOf(field string) string {
	if rest, ok := strings.CutPrefix(field, "bill"); ok && len(rest) > 2 && rest[1] == '_' {
		n := rest[0] - '0' + 1
		name := map[string]string{"id": "-bill", "position": "-position", "goal": "-goal", "target": "-target"}[rest[2:]]
		if name == "" {
			name = "bill"
		}
		return fmt.Sprintf("%s (bill %d)", name, n)
	}
	switch field {
	case "sponsor_name", "sponsor_url", "sponsor_email":
		return "-" + strings.ReplaceAll(field, "_", "-")
	case "paid_for_by":
		return "-paid-for-by"
	case "copy_from":
		return "-from"
	}
	return "-" + field
}

// cliFieldErrors turns a rules error into one line per flag.
func cliFieldErrors(cmd string, err error) error {
	var de *advocacy.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return err
	}
	fields := make([]string, 0, len(de.Fields))
	for f := range de.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var b strings.Builder
	b.WriteString(cmd + ": nothing was changed:")
	for _, f := range fields {
		b.WriteString("\n  " + cliFlagOf(f) + ": " + de.Fields[f])
	}
	return errors.New(b.String())
}
