package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
)

// errUsage marks a command-line mistake: the usage was already printed.
var errUsage = errors.New("usage")

const usage = `whipcount: constituent advocacy campaigns aimed at the US Congress.

Usage:
  whipcount serve [-addr HOST:PORT] [-db PATH] [-data DIR]   run the web server
  whipcount data check DIR                                   validate a reference data folder
  whipcount backup -db PATH -out FILE                        consistent copy while the server runs
  whipcount restore -in FILE -db PATH                        check a backup and install it (server stopped)
  whipcount cosponsors import -bill ID [-campaign SLUG] [-db PATH] FILE
                                                             update a bill's cosponsors from Congress.gov JSON
  whipcount user add -email E -role admin|organizer|partner [-partner CODE] [-db PATH]
                                                             create an organizer account (password from stdin, or generated)
  whipcount user list|disable|enable [-email E] [-db PATH]   list accounts, or turn one off or on
  whipcount stats check|rebuild [-db PATH]                   compare the kept counts with a full recount, or recompute them
  whipcount deliveries status [-db PATH]                     electronic delivery's health per chamber
  whipcount deliveries retry -held|-failed [-chamber C] [-campaign SLUG] [-db PATH]
                                                             re-send held or failed letters (audited)
  whipcount cwc check [-chamber house|senate] [CWC settings] build, validate and post a sample message

Every flag can also be set with an environment variable: -addr is
WHIPCOUNT_ADDR, -db is WHIPCOUNT_DB, and so on. Flags win over the environment.
`

// run is the whole program; main only supplies the process's context,
// arguments, environment and streams, which keeps it testable.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[1], args[2:]; cmd {
	case "serve":
		err = serve(ctx, rest, getenv, stdout, stderr)
	case "data":
		err = dataCmd(ctx, rest, getenv, stdout, stderr)
	case "backup":
		err = backupCmd(ctx, rest, getenv, stdout, stderr)
	case "restore":
		err = restoreCmd(ctx, rest, getenv, stdout, stderr)
	case "cosponsors":
		var now func() time.Time
		if now, err = clockFrom(getenv); err == nil {
			err = cosponsorsCmd(ctx, rest, getenv, stdout, stderr, now)
		}
	case "user":
		err = userCmd(ctx, rest, getenv, os.Stdin, stdout, stderr)
	case "stats":
		err = statsCmd(ctx, rest, getenv, stdout, stderr)
	case "deliveries":
		err = deliveriesCmd(ctx, rest, getenv, stdout, stderr)
	case "cwc":
		err = cwcCmd(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "whipcount: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return 2
	default:
		fmt.Fprintf(stderr, "whipcount: %v\n", err)
		return 1
	}
}

// parseFlags parses args into fs, then fills every flag not given on the
// command line from its WHIPCOUNT_* environment variable (-shutdown-timeout
// reads WHIPCOUNT_SHUTDOWN_TIMEOUT).
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		name := envName(f.Name)
		if v := getenv(name); v != "" {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s: %w", name, serr)
			}
		}
	})
	return err
}

// clockFrom is the program's clock: the real time or, when WHIPCOUNT_NOW holds
// an RFC 3339 time, a clock that starts at that time and runs on from there,
// so that the whole server can be shown or tested at another date.
func clockFrom(getenv func(string) string) (func() time.Time, error) {
	v := getenv("WHIPCOUNT_NOW")
	if v == "" {
		return time.Now, nil
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("WHIPCOUNT_NOW: want an RFC 3339 time such as 2027-01-04T12:00:00Z: %w", err)
	}
	offset := time.Until(at)
	return func() time.Time { return time.Now().Add(offset) }, nil
}

func envName(flagName string) string {
	return "WHIPCOUNT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// newLogger builds the process logger: JSON lines, or text for a terminal.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want json or text", format)
}
