package standin

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// LegislatorsMode is how the congress-legislators stand-in answers.
type LegislatorsMode int

// The ways the upstream member files can arrive.
const (
	// LegislatorsGood serves the files as given.
	LegislatorsGood LegislatorsMode = iota
	// LegislatorsMalformed serves legislators-current.yaml with a YAML
	// syntax error in its middle.
	LegislatorsMalformed
	// LegislatorsTruncated announces the whole of legislators-current.yaml
	// in Content-Length, sends half of it and drops the connection.
	LegislatorsTruncated
	// LegislatorsCutShort serves the first third of the people in
	// legislators-current.yaml as a complete, well-formed file: the kind of
	// partial file only the data checks can catch.
	LegislatorsCutShort
	// LegislatorsDown answers every request 503 Service Unavailable.
	LegislatorsDown
)

// Legislators stands in for the raw files of the congress-legislators
// project (https://raw.githubusercontent.com/unitedstates/congress-legislators/main):
// GET /{name} answers the file of that name as text, or 404.
type Legislators struct {
	// URL is the base URL to download from (no trailing slash).
	URL string

	srv   *httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	mode  LegislatorsMode
	paths []string
}

// NewLegislators starts the stand-in serving files (name to content) and
// stops it when the test ends.
func NewLegislators(t testing.TB, files map[string][]byte) *Legislators {
	t.Helper()
	l := StartLegislators(files)
	t.Cleanup(l.Close)
	return l
}

// StartLegislators starts the stand-in outside a test (to try the
// commands by hand); Close stops it.
func StartLegislators(files map[string][]byte) *Legislators {
	l := &Legislators{files: files}
	l.srv = httptest.NewServer(http.HandlerFunc(l.serve))
	l.URL = l.srv.URL
	return l
}

// Close stops the stand-in.
func (l *Legislators) Close() { l.srv.Close() }

// SetMode changes how the following requests are answered.
func (l *Legislators) SetMode(m LegislatorsMode) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mode = m
}

// SetFile replaces one file's content.
func (l *Legislators) SetFile(name string, b []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.files[name] = b
}

// Paths lists the paths requested so far.
func (l *Legislators) Paths() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.paths...)
}

func (l *Legislators) serve(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.paths = append(l.paths, r.URL.Path)
	mode := l.mode
	name := r.URL.Path[1:]
	body, ok := l.files[name]
	l.mu.Unlock()
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if mode == LegislatorsDown {
		http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	const current = "legislators-current.yaml"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	switch {
	case mode == LegislatorsMalformed && name == current:
		mid := bytes.Index(body[len(body)/2:], []byte("\n- ")) + len(body)/2
		broken := append(append(append([]byte(nil), body[:mid]...), "\n- id: [unclosed\n  name: {"...), body[mid:]...)
		w.Write(broken)
	case mode == LegislatorsTruncated && name == current:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		// Drop the connection with the body unfinished.
		panic(http.ErrAbortHandler)
	case mode == LegislatorsCutShort && name == current:
		w.Write(firstItems(body, 3))
	default:
		w.Write(body)
	}
}

// firstItems keeps the first 1/div of a top-level YAML sequence's items.
func firstItems(b []byte, div int) []byte {
	var starts []int
	for i := 0; i < len(b); {
		if bytes.HasPrefix(b[i:], []byte("- ")) {
			starts = append(starts, i)
		}
		nl := bytes.IndexByte(b[i:], '\n')
		if nl < 0 {
			break
		}
		i += nl + 1
	}
	if len(starts) < div {
		return b
	}
	return b[:starts[len(starts)/div]]
}
