package congress

import (
	"bytes"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sync"

	"github.com/goccy/go-yaml"
)

// The legislators files are top-level YAML sequences of about a megabyte, and
// goccy/go-yaml spends most of its time in the parser (about 150 ms for
// legislators-current.yaml on a small machine). Start-up must stay well under
// that, so the files are cut at their top-level items, which are valid YAML
// sequences on their own, and the pieces are decoded in parallel. For the
// current-members file the parts the app does not read (past terms, other
// systems' ids, biography) are also dropped before parsing; the tests check
// that this gives the same members as decoding the whole file.

// splitTopLevel cuts a document that is a block sequence at column 0 into
// its items. ok is false when the document has any other shape (flow style,
// a document marker, a mapping at the top), so the caller decodes it whole.
func splitTopLevel(b []byte) (items [][]byte, ok bool) {
	start := -1
	for off := 0; off < len(b); {
		end := bytes.IndexByte(b[off:], '\n')
		next := len(b)
		if end >= 0 {
			next = off + end + 1
		}
		line := b[off:next]
		switch {
		case bytes.HasPrefix(line, []byte("- ")) || bytes.Equal(bytes.TrimRight(line, "\r\n"), []byte("-")):
			if start >= 0 {
				items = append(items, b[start:off])
			}
			start = off
		case len(bytes.TrimSpace(line)) == 0, line[0] == '#':
			// Blank lines and comments belong to whatever surrounds them.
		case line[0] == ' ' || line[0] == '\t':
			if start < 0 {
				return nil, false
			}
		default:
			return nil, false
		}
		off = next
	}
	if start >= 0 {
		items = append(items, b[start:])
	}
	return items, true
}

// pruneLegislator rewrites one item of legislators-current.yaml to what the
// app reads, before parsing: the "id" block keeps only "bioguide", the "bio"
// block goes, and the "terms" list keeps only its last (current) term. It
// works on the layout upstream writes (keys at two spaces, list items of a
// key at "  - "); any other layout passes through unchanged, just slower.
func pruneLegislator(item []byte) []byte {
	lines := bytes.SplitAfter(item, []byte("\n"))
	out := make([]byte, 0, len(item)/2)
	section := ""
	lastTerm := -1 // start of the last term seen, in lines
	flushTerms := func(end int) {
		if lastTerm >= 0 {
			for _, l := range lines[lastTerm:end] {
				out = append(out, l...)
			}
			lastTerm = -1
		}
	}
	for i, l := range lines {
		key, header := sectionKey(l)
		if header {
			if section == "terms" {
				flushTerms(i)
			}
			section = key
			if key == "bio" && !bytes.HasPrefix(l, []byte("- ")) {
				continue
			}
			out = append(out, l...)
			continue
		}
		switch section {
		case "id":
			if bytes.HasPrefix(l, []byte("    bioguide:")) {
				out = append(out, l...)
			}
		case "bio":
		case "terms":
			if bytes.HasPrefix(l, []byte("  - ")) {
				lastTerm = i
			} else if lastTerm < 0 {
				out = append(out, l...) // blank lines or comments before the first term
			}
		default:
			out = append(out, l...)
		}
	}
	if section == "terms" {
		flushTerms(len(lines))
	}
	return out
}

// sectionKey reports whether line starts a key of a legislator: "- key:" at
// the start of the item or "  key:" at two spaces.
func sectionKey(line []byte) (string, bool) {
	var rest []byte
	switch {
	case bytes.HasPrefix(line, []byte("- ")):
		rest = line[2:]
	case bytes.HasPrefix(line, []byte("  ")) && len(line) > 2 && line[2] != ' ' && line[2] != '-' && line[2] != '#' && line[2] != '\n' && line[2] != '\r':
		rest = line[2:]
	default:
		return "", false
	}
	key, _, ok := bytes.Cut(rest, []byte(":"))
	if !ok {
		return "", false
	}
	return string(key), true
}

// pruneOffices drops the office fields the app does not read.
func pruneOffices(item []byte) []byte {
	return dropFields(item, "latitude", "longitude", "fax", "hours", "govtrack", "thomas")
}

// pruneSocial drops the social media fields the app does not read.
func pruneSocial(item []byte) []byte {
	return dropFields(item, "twitter_id", "instagram_id", "govtrack", "thomas")
}

// dropFields removes an item's "    key:" lines (four spaces: fields of the
// item's blocks or of their list items) for the given keys, with any more
// deeply indented lines that continue them.
func dropFields(item []byte, keys ...string) []byte {
	out := make([]byte, 0, len(item))
	dropping := false
	for off := 0; off < len(item); {
		next := len(item)
		if i := bytes.IndexByte(item[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		l := item[off:next]
		off = next
		if dropping && bytes.HasPrefix(l, []byte("     ")) {
			continue
		}
		dropping = false
		if rest, ok := bytes.CutPrefix(l, []byte("    ")); ok {
			if key, _, ok := bytes.Cut(rest, []byte(":")); ok && slices.Contains(keys, string(key)) {
				dropping = true
				continue
			}
		}
		out = append(out, l...)
	}
	return out
}

// decodeYAMLList decodes a top-level YAML sequence file into a slice of T,
// in parallel pieces when the layout allows. prune, if not nil, rewrites
// each item before decoding.
func decodeYAMLList[T any](fsys fs.FS, name string, prune func([]byte) []byte) ([]T, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	items, ok := splitTopLevel(b)
	if !ok {
		var out []T
		if err := yaml.Unmarshal(b, &out); err != nil {
			return nil, fmt.Errorf("decode %s: %w", name, err)
		}
		return out, nil
	}
	if prune != nil {
		for i := range items {
			items[i] = prune(items[i])
		}
	}
	workers := min(runtime.GOMAXPROCS(0), 8, max(1, len(items)/32))
	parts := make([][]T, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(items)/workers, (w+1)*len(items)/workers
		wg.Go(func() {
			var buf []byte
			for _, it := range items[lo:hi] {
				buf = append(buf, it...)
				if len(it) > 0 && it[len(it)-1] != '\n' {
					buf = append(buf, '\n')
				}
			}
			errs[w] = yaml.Unmarshal(buf, &parts[w])
		})
	}
	wg.Wait()
	var out []T
	for w := range workers {
		if errs[w] != nil {
			return nil, fmt.Errorf("decode %s: %w", name, errs[w])
		}
		out = append(out, parts[w]...)
	}
	return out, nil
}
