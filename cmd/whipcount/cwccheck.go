package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/delivery"
)

const cwcUsage = `usage:
  whipcount cwc check [-chamber house|senate] [-office CODE] [-print] [CWC settings]

check builds a sample message with the CWC settings that serve uses (the
same flags and WHIPCOUNT_* variables: -cwc-url, -cwc-key, -cwc-agent, ...),
validates it here against the CWC 2.0 rules (and with xmllint against the
grammar, when xmllint is installed), then posts it to the chamber's check
route and prints what CWC answers: the House's /v2/validate, or the Senate's
testing route /api/testing-messages/ (-chamber senate). Nothing is delivered
to an office. It exits with status 1 unless CWC accepted the sample.
`

// cwcCmd runs "whipcount cwc check".
func cwcCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 1 || args[0] != "check" {
		fmt.Fprint(stderr, cwcUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("cwc check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, cwcUsage); fs.PrintDefaults() }
	lcfg := letterFlags(fs)
	chamber := fs.String("chamber", "house", "the `CHAMBER` to check: house (its /v2/validate route) or senate (its /api/testing-messages/ route)")
	office := fs.String("office", "", "the office `CODE` of the sample (default HDC00, or SNY03 for the Senate)")
	printXML := fs.Bool("print", false, "print the sample message")
	if err := parseFlags(fs, args[1:], getenv); err != nil {
		return err
	}
	ch := advocacy.Chamber(*chamber)
	if fs.NArg() != 0 || (ch != advocacy.House && ch != advocacy.Senate) {
		fs.Usage()
		return errUsage
	}
	now, err := clockFrom(getenv)
	if err != nil {
		return err
	}
	if err := lcfg.check(); err != nil {
		return fmt.Errorf("the CWC settings would not work:\n%w", err)
	}
	target, ok := lcfg.cwc.CheckURL(ch)
	if !ok {
		if ch == advocacy.Senate {
			return errors.New("set the Senate's CWC address and key first: -cwc-senate-url and -cwc-senate-key (WHIPCOUNT_CWC_SENATE_KEY)")
		}
		return errors.New("set the House's CWC address and key first: -cwc-url and -cwc-key (WHIPCOUNT_CWC_KEY)")
	}
	code := *office
	if code == "" {
		code = map[advocacy.Chamber]string{advocacy.House: "HDC00", advocacy.Senate: "SNY03"}[ch]
	}
	msg := delivery.SampleMessage(strings.ToUpper(code), lcfg.agent, now())
	if msg.Delivery.DeliveryID, err = advocacy.NewDeliveryID(rand.Reader); err != nil {
		return err
	}
	doc, err := delivery.BuildCWC(msg)
	if err != nil {
		return fmt.Errorf("the sample message does not validate here: %w", err)
	}
	fmt.Fprintf(stdout, "Sample message to %s built and checked against the CWC 2.0 rules: valid.\n", msg.Recipient.MemberOffice)
	if x, ok := delivery.FindXMLLint(); ok {
		dir, err := os.MkdirTemp("", "whipcount-cwc-check")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bad, err := x.Validate(ctx, dir, ch, [][]byte{doc})
		switch {
		case err != nil:
			fmt.Fprintf(stdout, "xmllint could not run: %v\n", err)
		case len(bad) > 0:
			return fmt.Errorf("the sample message does not validate against the CWC grammar:\n%s", bad[0])
		default:
			fmt.Fprintln(stdout, "xmllint: it validates against the CWC 2.0 grammar.")
		}
	} else {
		fmt.Fprintln(stdout, "xmllint is not installed (Debian: libxml2-utils): the grammar check was skipped.")
	}
	if *printXML {
		stdout.Write(doc)
	}
	route := "/v2/validate"
	if ch == advocacy.Senate {
		route = "/api/testing-messages/"
	}
	fmt.Fprintf(stdout, "Posting it to the %s's check route %s ...\n", ch, route)
	pctx, cancel := context.WithTimeout(ctx, lcfg.timeout)
	defer cancel()
	status, answer, err := delivery.Post(pctx, &http.Client{}, target, doc)
	if err != nil {
		return fmt.Errorf("could not reach CWC: %w", err)
	}
	accepted, words := delivery.Answer(ch, status, answer)
	fmt.Fprintln(stdout, words)
	if !accepted {
		return errors.New("CWC did not accept the sample message")
	}
	fmt.Fprintln(stdout, "The settings work: letters can go out through CWC.")
	return nil
}
