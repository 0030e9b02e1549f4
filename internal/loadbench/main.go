// Command loadbench is Whipcount's load benchmark (`make bench`). It starts
// the real server binary on a temporary database and, in the same run and
// with the same load generator (vegeta, as a library), a minimal net/http
// hello-world server as the machine's ceiling. It drives each scenario as
// fast as a fixed number of workers can, and prints requests/s, p50 and p99
// latency, errors, the ratio to the ceiling and the server's peak memory.
//
// With two or more cores the servers run on core 0 and the load generator
// on the others, so they do not steal each other's CPU.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/sys/unix"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

type options struct {
	bin      string
	duration time.Duration
	workers  uint64
	hello    string
	only     string
	// The scale benchmark's settings.
	scale     string
	reference string
	tmp       string
	repeat    int
	keep      bool
	check     bool
	buildOnly bool
	pin       bool
	// profile is a folder for a CPU profile of the server per scenario.
	profile string
	// db is a database to run the server on instead of a new one.
	db string
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.bin, "bin", "bin/whipcount", "whipcount binary to benchmark")
	fs.DurationVar(&o.duration, "duration", 8*time.Second, "how long to drive each scenario")
	fs.Uint64Var(&o.workers, "workers", 64, "concurrent load workers (closed loop)")
	fs.StringVar(&o.hello, "hello", "", "internal: serve hello world on this address")
	fs.StringVar(&o.only, "only", "", "run only scenarios whose name contains this")
	fs.StringVar(&o.scale, "scale", "", "run the scale benchmark on databases of these `SIZES` of letters (like 100k,1M,10M) instead")
	fs.StringVar(&o.reference, "reference", "../../db/reference", "reference data `DIR` (districts and ZIP codes) for the scale benchmark")
	fs.StringVar(&o.tmp, "tmp", "", "`DIR` for the scale benchmark's databases (default: the system's temporary folder)")
	fs.IntVar(&o.repeat, "repeat", 200, "requests per route after the first, in the scale benchmark")
	fs.BoolVar(&o.keep, "keep", false, "keep the scale benchmark's databases")
	fs.BoolVar(&o.check, "check", true, "run whipcount stats check (a full recount) on each scale database")
	fs.BoolVar(&o.buildOnly, "build-only", false, "build the scale databases (with -keep, to keep them) and measure nothing")
	fs.StringVar(&o.db, "db", "", "run the server on the database at `PATH` (a scale database kept with -keep, say) instead of a new one; the letters the benchmark sends stay in it (with -scale, measure that database as it is instead of building one)")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the server during each measured scenario into `DIR` (the binary must be built with -tags profile: make bench-profile)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.hello != "" {
		return serveHello(o.hello)
	}
	if o.scale != "" {
		var err error
		if o.pin, err = pinLoad(); err != nil {
			return err
		}
		return benchScale(o, out)
	}
	return bench(o, out)
}

// pinLoad keeps the load generator off core 0, where the servers run, when
// there are two cores or more.
func pinLoad() (bool, error) {
	cores := runtime.NumCPU()
	if cores < 2 {
		return false, nil
	}
	var set unix.CPUSet
	for c := 1; c < cores; c++ {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return false, fmt.Errorf("pin the load generator: %w", err)
	}
	runtime.GOMAXPROCS(cores - 1)
	return true, nil
}

// serveHello is the ceiling: the least an HTTP server can do per request.
func serveHello(addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello, world\n")
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	return http.ListenAndServe(addr, mux)
}

// scenario is one kind of request the benchmark drives.
type scenario struct {
	name string
	// goal is the minimum ratio to the ceiling, or 0.
	goal float64
	// letters marks the durable-write scenario, whose goal is letters/s.
	letters  bool
	targeter func(base string) vegeta.Targeter
}

// browserEncodings is the Accept-Encoding that Chromium and Firefox send
// over HTTPS, as real visitors reach the site, so the server picks the
// encoding it would pick for them (brotli where it keeps a copy).
const browserEncodings = "gzip, deflate, br, zstd"

// browserHeader asks for compressed answers as browsers do. Set
// explicitly, it also stops Go's client from unzipping answers, which
// would spend the load generator's CPU instead of measuring the server.
var browserHeader = http.Header{"Accept-Encoding": []string{browserEncodings}}

func get(path string) func(string) vegeta.Targeter {
	return func(base string) vegeta.Targeter {
		return vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: base + path, Header: browserHeader})
	}
}

// rotating GETs a different path on each request, like many visitors.
func rotating(paths ...string) func(string) vegeta.Targeter {
	return func(base string) vegeta.Targeter {
		var i atomic.Uint64
		return func(t *vegeta.Target) error {
			n := i.Add(1)
			t.Method, t.URL, t.Header = "GET", base+paths[int(n)%len(paths)], browserHeader
			return nil
		}
	}
}

// lookupZIPs are single- and multi-district ZIPs from around the country.
var lookupZIPs = []string{"10002", "10025", "82001", "20001", "00901", "03579", "94043", "60614", "30303", "78701", "98101", "33101", "02138", "80202", "85004", "19104"}

func paths(format string) []string {
	out := make([]string, len(lookupZIPs))
	for i, z := range lookupZIPs {
		out[i] = fmt.Sprintf(format, z)
	}
	return out
}

// letterSeq numbers the benchmark's senders across runs (the warm-up and
// the measured run), so no letter is a duplicate of another. It starts at
// the time the benchmark starts, so that no sender repeats one of an
// earlier run on the same database (-db) either.
var letterSeq atomic.Uint64

func init() { letterSeq.Store(uint64(time.Now().UnixNano())) }

// letterTargeter posts valid letters from distinct senders in NY-10 (ZIP
// 10002, one district).
func letterTargeter(base string) vegeta.Targeter {
	i := &letterSeq
	hdr := http.Header{"Content-Type": []string{"application/json"}}
	return func(t *vegeta.Target) error {
		n := i.Add(1)
		body, _ := json.Marshal(map[string]any{
			"campaign": "jackson-vanik", "prefix": "Mx.", "first_name": "Load", "last_name": "Tester" + strconv.FormatUint(n, 36),
			"address1": "1 Grand St", "city": "New York", "state": "NY", "zip": "10002",
			"email": fmt.Sprintf("load%d@example.org", n), "recipients": []string{"G000599", "S000148", "G000555"},
			"consent": true, "personal_message": "Trade with Central Asia matters to my family's business.",
		})
		t.Method, t.URL, t.Body, t.Header = "POST", base+"/api/v1/letters", body, hdr
		return nil
	}
}

func scenarios() []scenario {
	return []scenario{
		{name: "campaign home", goal: 0.6, targeter: get("/")},
		{name: "lookup page", goal: 0.5, targeter: rotating(paths("/reps?zip=%s")...)},
		{name: "lookup JSON", goal: 0.5, targeter: rotating(paths("/api/v1/representatives?zip=%s")...)},
		{name: "progress widget", goal: 0.6, targeter: get("/widgets/jackson-vanik/progress")},
		{name: "count.json", goal: 0.6, targeter: get("/api/v1/campaigns/jackson-vanik/count.json")},
		{name: "letter submission", letters: true, targeter: letterTargeter},
	}
}

// result is one line of the report.
type result struct {
	name     string
	rps      float64
	p50, p99 time.Duration
	errors   uint64
	statuses map[string]int
	ratio    float64
	goal     float64
	letters  bool
	requests uint64
	// written and writeCalls are what the server wrote during the run
	// (sockets included), bytes and system calls.
	written, writeCalls int64
	firstError          string
	// cpu is the server's CPU time (user and system) during the run: on a
	// busy machine, requests per CPU-second says more than requests per
	// second.
	cpu time.Duration
}

// cpuTime is a process's user and system CPU time so far, from
// /proc/PID/stat (in clock ticks of 10 ms).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which is in parentheses).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// ioCount is a process's bytes written and write calls so far, from
// /proc/PID/io.
func ioCount(pid int) (written, calls int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch k {
		case "wchar":
			written = n
		case "syscw":
			calls = n
		}
	}
	return written, calls
}

// perCPU is requests per second of the server's CPU time.
func (r result) perCPU() float64 {
	if r.cpu <= 0 {
		return 0
	}
	return float64(r.requests) / r.cpu.Seconds()
}

func bench(o options, out io.Writer) error {
	cores := runtime.NumCPU()
	// The load generator takes every core but 0; the servers get core 0.
	pin, err := pinLoad()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "whipcount-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// The ceiling.
	helloAddr := freeAddr()
	hello, _, err := start(pin, nil, filepath.Join(tmp, "hello.log"), self, "-hello", helloAddr)
	if err != nil {
		return err
	}
	defer stop(hello)
	if _, err := waitHealthy("http://"+helloAddr, 10*time.Second); err != nil {
		return fmt.Errorf("hello server: %w", err)
	}
	ceiling := attack(o, "ceiling", get("/")("http://"+helloAddr))
	stop(hello)

	// The real server on a fresh database, or on the one given.
	dbPath := filepath.Join(tmp, "bench.db")
	if o.db != "" {
		dbPath = o.db
	}
	addr := freeAddr()
	var env []string
	profileAddr := ""
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
		profileAddr = freeAddr()
		env = append(env, "WHIPCOUNT_PROFILE_ADDR="+profileAddr)
	}
	srv, startedAt, err := start(pin, env, filepath.Join(tmp, "server.log"), o.bin, "serve", "-addr", addr,
		"-db", dbPath, "-log-level", "warn",
		// The benchmark is one client: lift the per-client and global limits.
		"-limit-lookup", "0", "-limit-letter-ip", "0", "-limit-letter-ip-max", "0", "-limit-letter-email", "0", "-letters-per-minute", "0")
	if err != nil {
		return err
	}
	defer stop(srv)
	if _, err := waitHealthy("http://"+addr, 10*time.Second); err != nil {
		return fmt.Errorf("whipcount: %w (log in %s)", err, filepath.Join(tmp, "server.log"))
	}
	startup := time.Since(startedAt) // from process start to the first 200

	var results []result
	for _, sc := range scenarios() {
		if o.only != "" && !strings.Contains(sc.name, o.only) {
			continue
		}
		// Warm up briefly, so caches and connections are in place.
		warm := o
		warm.duration = o.duration / 8
		attack(warm, sc.name, sc.targeter("http://"+addr))
		before := cpuTime(srv.Process.Pid)
		w0, c0 := ioCount(srv.Process.Pid)
		var profiled chan error
		if profileAddr != "" {
			profiled = make(chan error, 1)
			go func() {
				profiled <- fetchProfile("http://"+profileAddr, o.duration, filepath.Join(o.profile, fileName(sc.name)+".pprof"))
			}()
		}
		r := attack(o, sc.name, sc.targeter("http://"+addr))
		if profiled != nil {
			if err := <-profiled; err != nil {
				return fmt.Errorf("profile %s: %w", sc.name, err)
			}
		}
		r.cpu = cpuTime(srv.Process.Pid) - before
		w1, c1 := ioCount(srv.Process.Pid)
		r.written, r.writeCalls = w1-w0, c1-c0
		r.goal, r.letters = sc.goal, sc.letters
		if ceiling.rps > 0 {
			r.ratio = r.rps / ceiling.rps
		}
		results = append(results, r)
	}
	peak := peakRSS(srv.Process.Pid)
	busy := countInLog(filepath.Join(tmp, "server.log"), "SQLITE_BUSY")

	fmt.Fprintf(out, "Whipcount load benchmark: %d cores (%s), %d workers, %s per scenario\n",
		cores, map[bool]string{true: "servers on core 0, load on the rest", false: "not pinned: one core"}[pin], o.workers, o.duration)
	fmt.Fprintf(out, "ceiling (net/http hello world): %.0f req/s, p50 %s, p99 %s\n\n", ceiling.rps, ceiling.p50, ceiling.p99)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\treq/s\tp50\tp99\terrors\tratio\tgoal\tper CPU-second\t")
	for _, r := range results {
		goal := "-"
		switch {
		case r.letters:
			goal = "≥ 2000/s"
		case r.goal > 0:
			goal = fmt.Sprintf("≥ %.1f", r.goal)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%d\t%.2f\t%s\t%.0f\t\n", r.name, r.rps, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.errors, r.ratio, goal, r.perCPU())
	}
	tw.Flush()
	fmt.Fprintf(out, "\nserver peak memory (VmHWM): %.1f MiB; start-up to first /healthz 200: %s; SQLITE_BUSY in server log: %d\n",
		float64(peak)/(1<<20), startup.Round(time.Millisecond), busy)
	for _, r := range results {
		if r.letters && r.requests > 0 {
			fmt.Fprintf(out, "%s: the server wrote %.1f KiB in %.0f write calls per letter (database and sockets)\n",
				r.name, float64(r.written)/float64(r.requests)/1024, float64(r.writeCalls)/float64(r.requests))
		}
	}
	for _, r := range results {
		if r.errors > 0 {
			fmt.Fprintf(out, "%s: status codes %v; first error: %s\n", r.name, r.statuses, r.firstError)
		}
	}
	return nil
}

// attack drives one target with o.workers closed-loop workers.
func attack(o options, name string, tr vegeta.Targeter) result {
	a := vegeta.NewAttacker(
		vegeta.Workers(o.workers), vegeta.MaxWorkers(o.workers),
		vegeta.Connections(int(o.workers)), vegeta.KeepAlive(true),
		vegeta.Timeout(10*time.Second), vegeta.HTTP2(false),
	)
	var m vegeta.Metrics
	r := result{name: name}
	for res := range a.Attack(tr, vegeta.Rate{Freq: 0}, o.duration, name) {
		m.Add(res)
		if res.Error != "" && r.firstError == "" {
			r.firstError = res.Error + " " + string(bytes.TrimSpace(res.Body[:min(len(res.Body), 200)]))
		}
	}
	m.Close()
	r.rps = m.Throughput
	r.requests = m.Requests
	r.p50, r.p99 = m.Latencies.P50, m.Latencies.P99
	r.errors = m.Requests - uint64(float64(m.Requests)*m.Success+0.5)
	r.statuses = m.StatusCodes
	return r
}

// fetchProfile asks the server's profiler for a CPU profile of the next d
// and writes it to path.
func fetchProfile(base string, d time.Duration, path string) error {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	c := &http.Client{Timeout: d + 30*time.Second}
	res, err := c.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, secs))
	if err != nil {
		return fmt.Errorf("%w (is the binary built with -tags profile?)", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("profiler answered %s", res.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fileName turns a scenario's name into a file name.
func fileName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '/' {
			return '-'
		}
		return r
	}, name)
}

// start runs a server process, on core 0 when pinning, with env added to
// the environment.
func start(pin bool, env []string, logPath string, name string, args ...string) (*exec.Cmd, time.Time, error) {
	if pin {
		args = append([]string{"-c", "0", name}, args...)
		name = "taskset"
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, time.Time{}, err
	}
	cmd := exec.Command(name, args...)
	// The letters go to members whose terms run until January 2027 in the
	// shipped data: run the server at a date when they still serve.
	cmd.Env = append(append(os.Environ(), "WHIPCOUNT_NOW=2026-12-01T12:00:00Z"), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	at := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, at, fmt.Errorf("start %s: %w", name, err)
	}
	return cmd, at, nil
}

func stop(cmd *exec.Cmd) {
	if cmd.ProcessState != nil {
		return
	}
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// waitHealthy polls /healthz until it answers 200 and returns how long that
// took from now.
func waitHealthy(base string, limit time.Duration) (time.Duration, error) {
	begin := time.Now()
	c := &http.Client{Timeout: time.Second}
	for time.Since(begin) < limit {
		res, err := c.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return time.Since(begin), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, errors.New("no 200 from /healthz")
}

// waitSettled waits until the process at pid has used no CPU for a few
// polls in a row (the server answers /healthz before its detailed district
// boundaries have finished loading in the background) and returns how long
// after the call its CPU time last grew. It gives up after limit.
func waitSettled(pid int, limit time.Duration) time.Duration {
	begin := time.Now()
	last, busy := cpuTime(pid), time.Duration(0)
	for quiet := 0; quiet < 3 && time.Since(begin) < limit; {
		time.Sleep(100 * time.Millisecond)
		if now := cpuTime(pid); now != last {
			last, busy, quiet = now, time.Since(begin), 0
		} else {
			quiet++
		}
	}
	return busy
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// peakRSS reads the process's high-water resident set size. With taskset
// the server is the child of taskset's exec, so it has the same PID.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func countInLog(path, s string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), s)
}
