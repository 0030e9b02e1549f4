package delivery

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// The CWC 2.0 RELAX NG grammar, House and Senate (see grammar/PROVENANCE.md).
//
//go:embed grammar/cwc_schema_v2.rng grammar/cwc_schema_v2_senate.rng
var grammarFS embed.FS

// Grammar is the RELAX NG grammar a chamber's messages follow: the House's,
// or for the Senate the same grammar whose MemberOffice also takes S codes.
func Grammar(ch advocacy.Chamber) []byte {
	name := "grammar/cwc_schema_v2.rng"
	if ch == advocacy.Senate {
		name = "grammar/cwc_schema_v2_senate.rng"
	}
	b, err := grammarFS.ReadFile(name)
	if err != nil {
		panic("embedded CWC grammar missing: " + err.Error())
	}
	return b
}

// XMLLint validates CWC documents against the grammar with libxml2's
// xmllint program, as an outside check on ValidateCWC.
type XMLLint struct {
	// Path is the xmllint program.
	Path string
}

// FindXMLLint looks for xmllint on the PATH.
func FindXMLLint() (XMLLint, bool) {
	p, err := exec.LookPath("xmllint")
	if err != nil {
		return XMLLint{}, false
	}
	return XMLLint{Path: p}, true
}

// Validate checks every document against the chamber's grammar in one run
// of xmllint and returns, for each document that does not validate, what
// xmllint said about it. dir is a scratch folder.
func (x XMLLint) Validate(ctx context.Context, dir string, ch advocacy.Chamber, docs [][]byte) (map[int]string, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	grammar := filepath.Join(dir, "grammar-"+string(ch)+".rng")
	if err := os.WriteFile(grammar, Grammar(ch), 0o600); err != nil {
		return nil, fmt.Errorf("xmllint: %w", err)
	}
	args := []string{"--noout", "--relaxng", grammar}
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = filepath.Join(dir, fmt.Sprintf("%s-%05d.xml", ch, i))
		if err := os.WriteFile(names[i], d, 0o600); err != nil {
			return nil, fmt.Errorf("xmllint: %w", err)
		}
		args = append(args, names[i])
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, x.Path, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, fmt.Errorf("run xmllint: %w", err)
	}
	// xmllint ends its report on each file with "NAME validates" or
	// "NAME fails to validate"; the lines before name the problems.
	bad := map[int]string{}
	text := out.String()
	for i, n := range names {
		if strings.Contains(text, n+" validates") {
			continue
		}
		var lines []string
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, n) {
				lines = append(lines, strings.TrimPrefix(l, n))
			}
		}
		bad[i] = strings.Join(lines, "\n")
	}
	if err != nil && len(bad) == 0 {
		return nil, fmt.Errorf("xmllint failed: %s", strings.TrimSpace(text))
	}
	return bad, nil
}
