package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/standin"
)

// upstreamFiles are the shipped member files, as the congress-legislators
// project publishes them.
func upstreamFiles(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{"legislators-current.yaml", "legislators-district-offices.yaml", "legislators-social-media.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "db", "reference", name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// withNewMember adds a House member for CA-14, a seat vacant in the
// shipped data.
func withNewMember(current []byte) []byte {
	return append(append([]byte(nil), current...), `- id:
    bioguide: Z000999
  name:
    first: Test
    last: Newmember
  terms:
  - type: rep
    start: '2026-11-10'
    end: '2027-01-03'
    state: CA
    district: 14
    party: Democrat
`...)
}

func runCmd(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"whipcount"}, args...), func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDataUpdateCommand(t *testing.T) {
	files := upstreamFiles(t)
	files["legislators-current.yaml"] = withNewMember(files["legislators-current.yaml"])
	up := standin.NewLegislators(t, files)
	dir := t.TempDir()
	env := map[string]string{"WHIPCOUNT_NOW": "2026-12-02T11:00:00Z"}

	code, out, errOut := runCmd(t, env, "data", "update", "-data", dir, "-from", up.URL)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"downloaded " + up.URL + "/legislators-current.yaml",
		"members       538",
		"problem", // none: checked below
		"members added: 1: Representative Test Newmember (D, CA-14)",
		"seats now filled: 1: CA-14",
		"installed version 20261202T110000Z (1 added, 0 gone, 0 moved, 0 seats now vacant, 1 now filled, 0 new terms)",
		"switches to it on SIGHUP",
	} {
		if want == "problem" {
			if strings.Contains(out, "problem:") {
				t.Errorf("problems reported:\n%s", out)
			}
			continue
		}
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, `contact_form "hhttps://fine.house.gov`) {
		t.Error("the repaired contact form is not reported")
	}

	// data check reads the folder's current version.
	code, out, _ = runCmd(t, env, "data", "check", dir)
	if code != 0 || !strings.Contains(out, "version 20261202T110000Z, as of 2026-12-02") || !strings.Contains(out, "members       538") ||
		!strings.Contains(out, "ZIP codes") || !strings.HasSuffix(out, "ok\n") {
		t.Errorf("check: exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, "member H001104 (Senator Jon Husted, OH) has a term that ended on 2026-11-03") {
		t.Errorf("check does not report the ended term:\n%s", out)
	}

	// A bad download is refused and the version stays.
	up.SetMode(standin.LegislatorsTruncated)
	env["WHIPCOUNT_NOW"] = "2026-12-03T11:00:00Z"
	code, out, errOut = runCmd(t, env, "data", "update", "-data", dir, "-from", up.URL)
	if code != 1 || !strings.Contains(out, "NOT INSTALLED: download "+up.URL+"/legislators-current.yaml: cut short") ||
		!strings.Contains(out, "the data in use stays") || !strings.Contains(errOut, "data not installed") {
		t.Errorf("truncated: exit %d:\n%s\n%s", code, out, errOut)
	}
	if target, _ := os.Readlink(filepath.Join(dir, "current")); target != filepath.Join("versions", "20261202T110000Z") {
		t.Errorf("current -> %q", target)
	}
	var last struct {
		OK     bool   `json:"ok"`
		Reason string `json:"reason"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "last-update.json"))
	if json.Unmarshal(b, &last) != nil || last.OK || !strings.Contains(last.Reason, "cut short") {
		t.Errorf("last-update.json = %s", b)
	}

	if code, _, _ := runCmd(t, env, "data", "update"); code != 2 {
		t.Errorf("update without -data: exit %d", code)
	}
}

func TestDataCheck(t *testing.T) {
	// The data folders "data update" installs are checked above; a folder
	// whose members file does not parse fails.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "legislators-current.yaml"), []byte("- id: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, nil, "data", "check", dir)
	if code != 1 || !strings.Contains(errOut, "legislators-current.yaml") {
		t.Errorf("checking a broken folder: exit %d, %s %s", code, out, errOut)
	}
}

// serveInProcess runs serve with env until the test ends and returns its
// base URL.
func serveInProcess(t *testing.T, env map[string]string) (base string, logs *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	env["WHIPCOUNT_ADDR"] = addr
	env["WHIPCOUNT_DB"] = filepath.Join(t.TempDir(), "w.db")
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		// As run does, with the built-in data loaded once for the package.
		code := 0
		if err := serveWith(ctx, nil, func(k string) string { return env[k] }, logs, sharedData); err != nil {
			fmt.Fprintf(logs, "whipcount: %v\n", err)
			code = 1
		}
		done <- code
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d: %s", code, logs.String())
		}
	})
	base = "http://" + addr
	for {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			return base, logs
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, logs.String())
		default:
		}
		time.Sleep(10 * time.Millisecond) // polling for the listener, not timing anything
	}
}

// ca14 is the member the API names for CA-14, or "" while it is vacant.
func ca14(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/api/v1/representatives?zip=94536")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Districts []struct {
			State          string `json:"state"`
			District       int    `json:"district"`
			Representative *struct {
				BioguideID string `json:"bioguide_id"`
			} `json:"representative"`
		} `json:"districts"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	for _, d := range body.Districts {
		if d.State == "CA" && d.District == 14 && d.Representative != nil {
			return d.Representative.BioguideID
		}
	}
	return ""
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond) // polling for the switch, not timing anything
	}
}

// installVersion lays out a data folder version by hand, as "data update"
// does (that command is tested above), and points current at it.
func installVersion(t *testing.T, dir, name string, files map[string][]byte) {
	t.Helper()
	vdir := filepath.Join(dir, "versions", name)
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, b := range files {
		if err := os.WriteFile(filepath.Join(vdir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "current.tmp")
	if err := os.Symlink(filepath.Join("versions", name), link); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(link, filepath.Join(dir, "current")); err != nil {
		t.Fatal(err)
	}
}

func TestServeSwitchesDataOnSIGHUP(t *testing.T) {
	files := upstreamFiles(t)
	dir := t.TempDir()
	installVersion(t, dir, "20261202T110000Z", files)
	env := map[string]string{"WHIPCOUNT_NOW": "2026-12-02T11:00:00Z", "WHIPCOUNT_DATA": dir, "WHIPCOUNT_LOG_LEVEL": "info"}
	base, logs := serveInProcess(t, env)
	if got := ca14(t, base); got != "" {
		t.Fatalf("CA-14 = %q before the update", got)
	}
	files["legislators-current.yaml"] = withNewMember(files["legislators-current.yaml"])
	installVersion(t, dir, "20261203T110000Z", files)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the switch to the new version", func() bool { return strings.Contains(logs.String(), "reference data: switched") })
	if !strings.Contains(logs.String(), `"version":"20261203T110000Z"`) {
		t.Errorf("logs: %s", logs.String())
	}
	waitFor(t, "CA-14's new member in the API", func() bool { return ca14(t, base) == "Z000999" })
}

func TestServeDataFlagsChecked(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"WHIPCOUNT_DATA_REFRESH": "24h"}, "-data-refresh needs -data DIR"},
		{map[string]string{"WHIPCOUNT_DATA_REFRESH": "5m", "WHIPCOUNT_DATA": "x"}, "at least 1h"},
		{map[string]string{"WHIPCOUNT_DATA_STALE_DAYS": "-1"}, "cannot be negative"},
	} {
		code, _, errOut := runCmd(t, tt.env, "serve", "-addr", "127.0.0.1:0")
		if code != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q", tt.env, code, errOut)
		}
	}
}
