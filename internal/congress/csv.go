package congress

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"strings"
)

// csvTable walks a CSV file by column name. Lines without quotes, which is
// every line of the shipped files, are split by hand; a quoted line (the
// simplemaps originals quote every field) goes through encoding/csv.
type csvTable struct {
	name string
	cols map[string]int
	rec  [][]byte
}

// readCSV calls fn for each data row of the named file. The header must
// hold every column in want; col returns a column of the current row by
// name, trimmed, or "" when the row is short.
func readCSV(fsys fs.FS, name string, want []string, fn func(col func(string) string) error) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	t := csvTable{name: name}
	col := func(c string) string {
		i, ok := t.cols[c]
		if !ok || i >= len(t.rec) {
			return ""
		}
		return string(bytes.TrimSpace(t.rec[i]))
	}
	lineNo := 0
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		lineNo++
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			continue
		}
		if err := t.split(line); err != nil {
			return fmt.Errorf("parse %s line %d: %w", name, lineNo, err)
		}
		if t.cols == nil {
			t.cols = make(map[string]int, len(t.rec))
			for i, c := range t.rec {
				t.cols[strings.TrimSpace(string(c))] = i
			}
			for _, w := range want {
				if _, ok := t.cols[w]; !ok {
					return fmt.Errorf("parse %s: no column %q", name, w)
				}
			}
			continue
		}
		if err := fn(col); err != nil {
			return fmt.Errorf("parse %s line %d: %w", name, lineNo, err)
		}
	}
	if t.cols == nil {
		return fmt.Errorf("parse %s: empty file", name)
	}
	return nil
}

func (t *csvTable) split(line []byte) error {
	t.rec = t.rec[:0]
	if bytes.IndexByte(line, '"') >= 0 {
		r := csv.NewReader(bytes.NewReader(line))
		r.FieldsPerRecord = -1
		rec, err := r.Read()
		if err != nil {
			return err
		}
		for _, f := range rec {
			t.rec = append(t.rec, []byte(f))
		}
		return nil
	}
	for {
		i := bytes.IndexByte(line, ',')
		if i < 0 {
			t.rec = append(t.rec, line)
			return nil
		}
		t.rec = append(t.rec, line[:i])
		line = line[i+1:]
	}
}
