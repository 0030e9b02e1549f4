package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/whipcount/whipcount/internal/congress"
)

// dataCmd runs "whipcount data check DIR".
func dataCmd(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 1 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: whipcount data check DIR")
		return errUsage
	}
	fs := flag.NewFlagSet("data check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: whipcount data check DIR")
		return errUsage
	}
	dir := fs.Arg(0)
	st, warnings, err := congress.Check(os.DirFS(dir))
	if err != nil {
		return fmt.Errorf("check %s: %w", dir, err)
	}
	fmt.Fprintf(stdout, "reference data in %s (as of %s)\n", dir, st.DataDate)
	fmt.Fprintf(stdout, "  members     %5d  (House %d incl. %d non-voting, Senate %d)\n", st.Members, st.House, st.NonVoting, st.Senate)
	fmt.Fprintf(stdout, "  districts   %5d  (%d vacant)\n", st.Districts, st.Vacancies)
	fmt.Fprintf(stdout, "  ZIP codes   %5d  (%d split between districts)\n", st.ZIPs, st.SplitZIPs)
	for _, w := range warnings {
		fmt.Fprintf(stdout, "  warning: %s\n", w)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
