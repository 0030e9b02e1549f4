package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"
)

// The scale benchmark (`make bench-scale`): for each size, a database of
// that many letters (seeded through the API, then copied in bulk, then
// `whipcount stats rebuild`), and on it: the file size per letter, the
// server's start-up time, every public and organizer route cold (the first
// request after start) and warm (p50 and p99 of repeated requests), the
// public routes again with the in-process caches off, letter intake, and
// the server's peak memory. One table per size.

// route is one page or answer the scale benchmark times.
type route struct {
	name, path string
	organizer  bool
}

func scaleRoutes(busiest string) []route {
	return []route{
		{name: "campaign home", path: "/"},
		{name: "lookup page (split ZIP)", path: "/reps?zip=10025&district=NY-13"},
		{name: "lookup JSON", path: "/api/v1/representatives?zip=10025"},
		{name: "stats JSON", path: "/api/v1/campaigns/jackson-vanik/stats"},
		{name: "count.json with ref", path: "/api/v1/campaigns/jackson-vanik/count.json?ref=bizco"},
		{name: "progress widget", path: "/widgets/jackson-vanik/progress"},
		{name: "progress region", path: "/campaigns/jackson-vanik/progress"},
		{name: "organizer home", path: "/organizer", organizer: true},
		{name: "dashboard, 7 days", path: "/organizer/campaigns/jackson-vanik?days=7", organizer: true},
		{name: "dashboard, 90 days", path: "/organizer/campaigns/jackson-vanik?days=90", organizer: true},
		{name: "offices list", path: "/organizer/campaigns/jackson-vanik/offices", organizer: true},
		{name: "offices CSV", path: "/organizer/campaigns/jackson-vanik/offices.csv", organizer: true},
		{name: "evidence packet (busiest office)", path: "/organizer/campaigns/jackson-vanik/offices/" + busiest, organizer: true},
		{name: "moderation queue", path: "/organizer/moderation", organizer: true},
	}
}

// timing is one route's figures.
type timing struct {
	cold, p50, p99 time.Duration
	status         int
	bytes          int
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		mult := 1
		switch {
		case strings.HasSuffix(f, "M"):
			mult, f = 1_000_000, strings.TrimSuffix(f, "M")
		case strings.HasSuffix(f, "k"):
			mult, f = 1_000, strings.TrimSuffix(f, "k")
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("size %q: want a number of letters such as 100k or 10M", f)
		}
		out = append(out, n*mult)
	}
	return out, nil
}

func benchScale(o options, out io.Writer) error {
	if o.db != "" {
		// A kept database: its letters decide its size.
		return scaleOne(o, 0, nil, out)
	}
	sizes, err := parseSizes(o.scale)
	if err != nil {
		return err
	}
	ds, err := readDistricts(o.reference)
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	for _, n := range sizes {
		if err := scaleOne(o, n, ds, out); err != nil {
			return fmt.Errorf("%d letters: %w", n, err)
		}
	}
	return nil
}

// serverArgs are serve's flags for the benchmark: one client, so no limits.
func serverArgs(addr, dbPath string, extra ...string) []string {
	return append([]string{"serve", "-addr", addr, "-db", dbPath, "-log-level", "warn",
		"-limit-lookup", "0", "-limit-letter-ip", "0", "-limit-letter-ip-max", "0", "-limit-letter-email", "0", "-letters-per-minute", "0"}, extra...)
}

func scaleOne(o options, n int, ds []district, out io.Writer) error {
	var dbPath, logPath string
	if o.db != "" {
		// A database kept from an earlier run: measure it as it is.
		dbPath = o.db
		logPath = filepath.Join(filepath.Dir(o.db), "server.log")
		var err error
		if n, err = countLetters(context.Background(), dbPath); err != nil {
			return err
		}
		fmt.Fprintf(out, "\n%d letters: measuring %s as it is\n", n, dbPath)
	} else {
		dir, err := os.MkdirTemp(o.tmp, "whipcount-scale-")
		if err != nil {
			return err
		}
		if !o.keep {
			defer os.RemoveAll(dir)
		}
		dbPath = filepath.Join(dir, "scale.db")
		logPath = filepath.Join(dir, "server.log")
		if err := buildScale(o, n, ds, dbPath, logPath, out); err != nil {
			return err
		}
		if o.buildOnly {
			if err := scaleCheck(o, dbPath, out); err != nil {
				return err
			}
			fmt.Fprintf(out, "  %s on disk, %s per letter\n", bytesText(fileSize(dbPath)), bytesText(fileSize(dbPath)/int64(n)))
			if o.keep {
				fmt.Fprintf(out, "kept %s\n", dir)
			}
			return nil
		}
		if o.keep {
			defer fmt.Fprintf(out, "kept %s\n", dir)
		}
	}
	return measureScale(o, n, dbPath, logPath, out)
}

// buildScale writes a database of n letters at dbPath: the app writes the
// schema, the campaign and one letter per district, the generator copies
// them, and stats rebuild counts them.
func buildScale(o options, n int, ds []district, dbPath, logPath string, out io.Writer) error {
	ctx := context.Background()
	fmt.Fprintf(out, "\n%d letters: building %s\n", n, dbPath)
	addr := freeAddr()
	srv, _, err := start(false, nil, logPath, o.bin, serverArgs(addr, dbPath)...)
	if err != nil {
		return err
	}
	if _, err := waitHealthy("http://"+addr, 20*time.Second); err != nil {
		stop(srv)
		return err
	}
	seeded, err := seedLetters("http://"+addr, ds)
	stop(srv)
	if err != nil {
		return err
	}
	// Each step's CPU time is reported beside its wall-clock time: on a
	// shared machine it is the figure that holds from run to run.
	begin, cpu := time.Now(), selfCPU()
	if err := generate(ctx, dbPath, genOptions{letters: n - len(seeded), days: 90, end: time.Now()}, seeded, out); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	genTime, genCPU := time.Since(begin), selfCPU()-cpu
	begin = time.Now()
	rebuild := exec.Command(o.bin, "stats", "rebuild", "-db", dbPath)
	if msg, err := rebuild.CombinedOutput(); err != nil {
		return fmt.Errorf("stats rebuild: %v: %s", err, msg)
	}
	fmt.Fprintf(out, "  generated in %s (%s of CPU), aggregates rebuilt in %s (%s of CPU)\n", genTime.Round(time.Second),
		genCPU.Round(time.Second), time.Since(begin).Round(time.Second), childCPU(rebuild).Round(time.Second))
	return nil
}

// scaleCheck runs the full recount, unless -check=false.
func scaleCheck(o options, dbPath string, out io.Writer) error {
	if !o.check {
		return nil
	}
	begin := time.Now()
	cmd := exec.Command(o.bin, "stats", "check", "-db", dbPath)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("stats check: %v: %s", err, msg)
	}
	fmt.Fprintf(out, "stats check agrees with the aggregates (%s, %s of CPU)\n", time.Since(begin).Round(time.Second),
		childCPU(cmd).Round(time.Second))
	return nil
}

// measureScale measures the database at dbPath: start-up, each route cold
// and warm with and without the public caches, intake and memory, then
// (last, since the measurements do not wait for it) the full recount.
func measureScale(o options, n int, dbPath, logPath string, out io.Writer) error {
	ctx := context.Background()
	if err := ensureScaleUser(o, dbPath); err != nil {
		return err
	}
	size := fileSize(dbPath)
	busiest, err := busiestOffice(ctx, dbPath)
	if err != nil {
		return err
	}

	// With the caches, as served: start-up, cold and warm routes, intake.
	addr := freeAddr()
	srv, startedAt, err := start(o.pin, nil, logPath, o.bin, serverArgs(addr, dbPath)...)
	if err != nil {
		return err
	}
	defer stop(srv)
	if _, err := waitHealthy("http://"+addr, 30*time.Second); err != nil {
		return err
	}
	startup := time.Since(startedAt) // from process start to the first 200
	// Routes are measured once the server is idle: what it loads in the
	// background after its first answer is start-up, not a route's cost.
	settled := startup + waitSettled(srv.Process.Pid, 10*time.Second)
	base := "http://" + addr
	org, err := login(base)
	if err != nil {
		return err
	}
	routes := scaleRoutes(busiest)
	cached := map[string]timing{}
	for _, r := range routes {
		c := http.DefaultClient
		if r.organizer {
			c = org
		}
		cached[r.name] = timeRoute(c, base+r.path, o.repeat)
	}
	intake := attack(o, "letter submission", letterTargeter(base))
	peak := peakRSS(srv.Process.Pid)
	stop(srv)

	// Without the caches: every public answer read and rendered anew.
	addr = freeAddr()
	srv, _, err = start(o.pin, nil, logPath, o.bin, serverArgs(addr, dbPath, "-no-public-cache")...)
	if err != nil {
		return err
	}
	defer stop(srv)
	if _, err := waitHealthy("http://"+addr, 30*time.Second); err != nil {
		return err
	}
	waitSettled(srv.Process.Pid, 10*time.Second)
	uncached := map[string]timing{}
	for _, r := range routes {
		if !r.organizer {
			uncached[r.name] = timeRoute(http.DefaultClient, "http://"+addr+r.path, o.repeat)
		}
	}
	peak = max(peak, peakRSS(srv.Process.Pid))
	stop(srv)

	fmt.Fprintf(out, "\n%d letters (%s on disk, %s per letter); start-up to first /healthz 200: %s (idle after %s); server peak memory (VmHWM): %.0f MiB\n",
		n, bytesText(size), bytesText(size/int64(n)), startup.Round(time.Millisecond), settled.Round(100*time.Millisecond), float64(peak)/(1<<20))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\tstatus\tcold\twarm p50\twarm p99\tno cache p50\tno cache p99\t")
	for _, r := range routes {
		t := cached[r.name]
		row := fmt.Sprintf("%s\t%d\t%s\t%s\t%s\t", r.name, t.status, ms(t.cold), ms(t.p50), ms(t.p99))
		if u, ok := uncached[r.name]; ok {
			row += fmt.Sprintf("%s\t%s\t", ms(u.p50), ms(u.p99))
		} else {
			row += "-\t-\t"
		}
		fmt.Fprintln(tw, row)
	}
	tw.Flush()
	fmt.Fprintf(out, "letter intake (JSON API, 3 deliveries each, %d workers, %s): %.0f letters/s, p50 %s, p99 %s, errors %d\n",
		o.workers, o.duration, intake.rps, ms(intake.p50), ms(intake.p99), intake.errors)
	if intake.errors > 0 {
		fmt.Fprintf(out, "  status codes %v; first error: %s\n", intake.statuses, intake.firstError)
	}
	return scaleCheck(o, dbPath, out)
}

// The organizer the scale benchmark signs in as.
const (
	scaleUser     = "scale@example.org"
	scalePassword = "scale benchmark password"
)

// ensureScaleUser adds the organizer the benchmark signs in as, unless a
// kept database has it already.
func ensureScaleUser(o options, dbPath string) error {
	var have int
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=query_only(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRow("SELECT count(*) FROM users WHERE email = ?", scaleUser).Scan(&have); err != nil {
		return err
	}
	if have > 0 {
		return nil
	}
	user := exec.Command(o.bin, "user", "add", "-email", scaleUser, "-role", "organizer", "-db", dbPath)
	user.Stdin = strings.NewReader(scalePassword + "\n")
	if msg, err := user.CombinedOutput(); err != nil {
		return fmt.Errorf("user add: %v: %s", err, msg)
	}
	return nil
}

// countLetters counts the letters of a kept database.
func countLetters(ctx context.Context, dbPath string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=query_only(1)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM letters").Scan(&n)
	return n, err
}

// timeRoute asks for url once (cold), then repeat times, and returns the
// first latency and the p50 and p99 of the rest. Bodies are read whole.
func timeRoute(c *http.Client, u string, repeat int) timing {
	var t timing
	var lat []time.Duration
	for i := 0; i <= repeat; i++ {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept-Encoding", browserEncodings)
		begin := time.Now()
		res, err := c.Do(req)
		if err != nil {
			t.status = -1
			return t
		}
		nb, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(begin)
		if i == 0 {
			t.cold, t.status, t.bytes = d, res.StatusCode, int(nb)
			continue
		}
		lat = append(lat, d)
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		t.p50 = lat[len(lat)/2]
		t.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return t
}

// login signs the benchmark's organizer in and returns a client with the
// session cookie.
func login(base string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	u, _ := url.Parse(base + "/login")
	var csrf string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "whipcount_login" {
			csrf = ck.Value
		}
	}
	res, err = c.PostForm(base+"/login", url.Values{"email": {scaleUser},
		"password": {scalePassword}, "csrf": {csrf}})
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("login: status %d", res.StatusCode)
	}
	return c, nil
}

func fileSize(path string) int64 {
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			total += st.Size()
		}
	}
	return total
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return strconv.FormatInt(n, 10) + " B"
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

// busiestOffice is the office with the most letters, whose packet is the
// most work.
func busiestOffice(ctx context.Context, dbPath string) (string, error) {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=query_only(1)")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var id string
	err = db.QueryRowContext(ctx, "SELECT bioguide_id FROM agg_offices WHERE ref = '*' ORDER BY n DESC LIMIT 1").Scan(&id)
	return id, err
}

// selfCPU is the CPU time this process has used, user and system.
func selfCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// childCPU is the CPU time a finished command used, user and system.
func childCPU(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}
