package congress

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/standin"
)

// memberFiles reads the shipped member files, as upstream publishes them.
func memberFiles(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range MemberFiles {
		b, err := os.ReadFile(filepath.Join(refDir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// newMember is a House member for CA-14, vacant in the shipped data.
const newMember = `- id:
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
`

// changedMembers is the shipped members file with G000607 (CA-1) gone and
// a new member for CA-14.
func changedMembers(t *testing.T, current []byte) []byte {
	t.Helper()
	items, ok := splitTopLevel(current)
	if !ok {
		t.Fatal("cannot split the members file")
	}
	var out bytes.Buffer
	dropped := false
	for _, it := range items {
		if bytes.Contains(it, []byte("bioguide: G000607\n")) {
			dropped = true
			continue
		}
		out.Write(it)
	}
	if !dropped {
		t.Fatal("G000607 not found")
	}
	out.WriteString(newMember)
	return out.Bytes()
}

// stepClock advances a minute at each call, so that each update gets its
// own version name.
func stepClock(start time.Time) func() time.Time {
	var mu sync.Mutex
	t := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Minute)
		return t
	}
}

func TestUpdateInstallsCheckedVersions(t *testing.T) {
	files := memberFiles(t)
	files[fileLegislators] = changedMembers(t, files[fileLegislators])
	up := standin.NewLegislators(t, files)
	dir := t.TempDir()
	base := os.DirFS(refDir)
	// The data in use is given, as a running server does; the command
	// line's path, which loads it from the folder, is tested in its package.
	inUse, inUseInfo := testData, VersionInfo{Name: BuiltIn}
	u := &Updater{Folder: Folder{Dir: dir}, Source: up.URL, Base: base, Clock: stepClock(time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)),
		InUse: func() (*Data, VersionInfo) { return inUse, inUseInfo }}

	res, err := u.Update(context.Background())
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if want := []string{"/legislators-current.yaml", "/legislators-district-offices.yaml", "/legislators-social-media.yaml"}; !slices.Equal(up.Paths(), want) {
		t.Errorf("requested %v, want %v", up.Paths(), want)
	}
	if res.Version.Name != "20261202T110100Z" || res.Previous.Name != BuiltIn {
		t.Errorf("version %q after %q", res.Version.Name, res.Previous.Name)
	}
	ch := res.Changes
	if len(ch.Added) != 1 || ch.Added[0].BioguideID != "Z000999" || len(ch.Gone) != 1 || ch.Gone[0].BioguideID != "G000607" ||
		!slices.Equal(ch.NowVacant, []string{"CA-1"}) || !slices.Equal(ch.NowFilled, []string{"CA-14"}) || len(ch.Moved) != 0 {
		t.Errorf("changes = %q", ch.Lines())
	}
	if ch.Summary() != "1 added, 1 gone, 0 moved, 1 seats now vacant, 1 now filled, 0 new terms" {
		t.Errorf("summary = %q", ch.Summary())
	}

	// The folder now holds the version, and loading it gives the new data.
	target, err := os.Readlink(filepath.Join(dir, "current"))
	if err != nil || target != filepath.Join("versions", "20261202T110100Z") {
		t.Fatalf("current -> %q, %v", target, err)
	}
	for _, f := range []string{"legislators-current.yaml", "VERSION", "MANIFEST.json", "CHANGES.txt"} {
		if _, err := os.Stat(filepath.Join(dir, target, f)); err != nil {
			t.Errorf("version lacks %s: %v", f, err)
		}
	}
	fsys, info, err := Folder{Dir: dir}.source(base)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile(fsys, fileLegislators); err != nil || !bytes.Equal(b, files[fileLegislators]) {
		t.Errorf("the folder's members file is not the download: %v", err)
	}
	d := res.Data
	inUse, inUseInfo = d, info
	if _, ok := d.Member("Z000999"); !ok {
		t.Error("the installed version does not have the new member")
	}
	if info.Name != "20261202T110100Z" || info.Source != up.URL || !info.FetchedAt.Equal(time.Date(2026, 12, 2, 11, 1, 0, 0, time.UTC)) ||
		d.Stats().DataDate != "2026-12-02" {
		t.Errorf("info = %+v, data date %s", info, d.Stats().DataDate)
	}
	if st, ok, err := (Folder{Dir: dir}).LastUpdate(); err != nil || !ok || !st.OK || st.Version != "20261202T110100Z" || len(st.Changes) == 0 {
		t.Errorf("last update = %+v %v %v", st, ok, err)
	}

	// Every kind of bad download is refused, and the version in use stays.
	for _, tt := range []struct {
		mode standin.LegislatorsMode
		want string
	}{
		{standin.LegislatorsMalformed, "do not load"},
		{standin.LegislatorsTruncated, "legislators-current.yaml"},
		{standin.LegislatorsCutShort, "fail the data check"},
		{standin.LegislatorsDown, "503"},
	} {
		up.SetMode(tt.mode)
		_, err := u.Update(context.Background())
		var refused *RefusedError
		if !errors.As(err, &refused) || !strings.Contains(refused.Reason, tt.want) {
			t.Errorf("mode %d: err = %v, want a refusal mentioning %q", tt.mode, err, tt.want)
		}
		if now, _ := os.Readlink(filepath.Join(dir, "current")); now != target {
			t.Errorf("mode %d: current moved to %q", tt.mode, now)
		}
		st, _, _ := Folder{Dir: dir}.LastUpdate()
		if st.OK || st.Reason != refused.Reason {
			t.Errorf("mode %d: last update = %+v", tt.mode, st)
		}
	}
	// An operator who knows better can install data that fails the checks
	// (never data that does not load).
	up.SetMode(standin.LegislatorsCutShort)
	u.Force = true
	if res, err := u.Update(context.Background()); err != nil || len(res.Report.Problems) == 0 {
		t.Errorf("forced: %v, problems %q", err, res.Report.Problems)
	}
	u.Force = false
	up.SetMode(standin.LegislatorsDown)
	if _, err := u.Update(context.Background()); err == nil {
		t.Error("down: no error")
	}
	rejected, _ := listDirs(filepath.Join(dir, "rejected"))
	if len(rejected) != 2 { // the malformed and the cut-short downloads; the others never arrived whole
		t.Errorf("rejected = %v", rejected)
	}
	for _, r := range rejected {
		if b, err := os.ReadFile(filepath.Join(dir, "rejected", r, "REASON.txt")); err != nil || len(b) == 0 {
			t.Errorf("rejected %s has no reason: %v", r, err)
		}
	}
	st, _, _ := Folder{Dir: dir}.LastUpdate()
	if !strings.Contains(st.Reason, "503 Service Unavailable") {
		t.Errorf("reason = %q", st.Reason)
	}
}

func TestUpdateRefusesMassDeparture(t *testing.T) {
	// A file that parses and passes the checks can still be a partial
	// download when half of the members in use would be gone: here the
	// data in use is given, as the server does, and has members the
	// download lacks.
	files := memberFiles(t)
	up := standin.NewLegislators(t, files)
	dir := t.TempDir()
	inUse := *testData
	inUse.members = append(slices.Clone(testData.members), make([]advocacy.Member, 600)...)
	for i := range 600 {
		inUse.members[537+i] = advocacy.Member{BioguideID: "Q" + strings.Repeat("0", 5) + string(rune('0'+i%10)) + string(rune('a'+i/10))}
	}
	u := &Updater{Folder: Folder{Dir: dir}, Source: up.URL, Base: os.DirFS(refDir),
		Clock: stepClock(time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)),
		InUse: func() (*Data, VersionInfo) { return &inUse, VersionInfo{Name: "test"} }}
	_, err := u.Update(context.Background())
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "600 of the 1137 members in use would be gone") {
		t.Fatalf("err = %v", err)
	}
}

func TestFolderPrunesOldVersions(t *testing.T) {
	dir := t.TempDir()
	f := Folder{Dir: dir}
	for i := range 8 {
		staged, err := f.stage(map[string][]byte{"VERSION": []byte("x\n")})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.install(staged, "2026120"+string(rune('0'+i))+"T000000Z"); err != nil {
			t.Fatal(err)
		}
	}
	// A download an interrupted update left behind.
	if err := os.Mkdir(filepath.Join(dir, ".incoming-123"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.prune(); err != nil {
		t.Fatal(err)
	}
	vs, _ := f.Versions()
	if want := []string{"20261207T000000Z", "20261206T000000Z", "20261205T000000Z", "20261204T000000Z", "20261203T000000Z"}; !slices.Equal(vs, want) {
		t.Errorf("versions = %v, want %v", vs, want)
	}
	if _, err := os.Stat(filepath.Join(dir, ".incoming-123")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("leftover download: %v", err)
	}
	if cur, ok, err := f.current(); cur != "20261207T000000Z" || !ok || err != nil {
		t.Errorf("current = %q %v %v", cur, ok, err)
	}
}

func TestLoadFolderWithoutVersions(t *testing.T) {
	// A folder of files put there by hand still works, over the built-in
	// data for the files it lacks.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "VERSION"), []byte("2026-07-01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys, info, err := Folder{Dir: dir}.source(os.DirFS(refDir))
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != BuiltIn || readVersion(fsys) != "2026-07-01" {
		t.Errorf("info = %+v, version %q", info, readVersion(fsys))
	}
	if b, err := fs.ReadFile(fsys, fileLegislators); err != nil || len(b) != 1081468 {
		t.Errorf("the members file does not come from the built-in data: %d bytes, %v", len(b), err)
	}
	// A link that points outside the versions folder is refused.
	if err := os.Symlink("/etc", filepath.Join(dir, "current")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadFolder(dir, os.DirFS(refDir)); err == nil || !strings.Contains(err.Error(), "not at a folder in versions") {
		t.Errorf("err = %v", err)
	}
}

func TestCheckReportsEndedTerms(t *testing.T) {
	rep, err := testData.Check(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var ended []string
	for _, w := range rep.Warnings {
		if strings.Contains(w, "term that ended") {
			ended = append(ended, w)
		}
	}
	want := []string{
		"member M001244 (Senator Ashley Moody, FL) has a term that ended on 2026-11-03; the site no longer offers them as current: update the data",
		"member H001104 (Senator Jon Husted, OH) has a term that ended on 2026-11-03; the site no longer offers them as current: update the data",
	}
	if !slices.Equal(ended, want) {
		t.Errorf("ended:\n%s\nwant:\n%s", strings.Join(ended, "\n"), strings.Join(want, "\n"))
	}
}

func TestLiveAnswersAsOfItsClock(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	l := NewLive(testData, VersionInfo{Name: BuiltIn}, clock)

	// Columbus, Ohio: the appointed senator's term ended on 2026-11-03.
	res, err := l.LookupZIP("43215")
	if err != nil {
		t.Fatal(err)
	}
	res = res.AsOf(clock())
	d := res.Districts[0]
	if d.Representative == nil || len(d.Senators) != 1 || d.Senators[0].BioguideID != "M001242" ||
		len(d.EndedTerms) != 1 || d.EndedTerms[0].BioguideID != "H001104" || d.EndedTerms[0].TermEnd != "2026-11-03" {
		t.Errorf("on 2026-12-02: rep %v, senators %+v, ended %+v", d.Representative, d.Senators, d.EndedTerms)
	}
	// The data's own record of the member stays.
	if m, ok := l.Member("H001104"); !ok || !m.TermEnded(now) {
		t.Errorf("Member(H001104) = %v %v", m.Name, ok)
	}

	// The day after the 119th Congress ends, no House member is current.
	mu.Lock()
	now = time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)
	mu.Unlock()
	res, _ = l.LookupZIP("10002")
	res = res.AsOf(clock())
	if d := res.Districts[0]; d.Representative != nil || len(d.EndedTerms) != 1 || len(d.Senators) != 2 {
		t.Errorf("on 2027-01-04: rep %v, ended %+v", d.Representative, d.EndedTerms)
	}
	if st := l.Status(); len(st.Ended) != 437+33+2 || st.Version.Name != BuiltIn {
		t.Errorf("status: %d ended, version %+v", len(st.Ended), st.Version)
	}
	pt, err := l.LookupPoint(38.8899, -77.0091)
	pt = pt.AsOf(clock())
	if err != nil || pt.Districts[0].Representative != nil || len(pt.Districts[0].EndedTerms) != 1 {
		t.Errorf("point lookup on 2027-01-04: %+v %v", pt, err)
	}
}

func TestLiveSwapUnderLoad(t *testing.T) {
	// Another version: the same indexes under another pointer is enough to
	// see every reader get one whole version while the writer swaps.
	copied := *testData
	other := &copied
	l := NewLive(testData, VersionInfo{Name: "a"}, nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := l.LookupZIP("10025"); err != nil {
					t.Error(err)
					return
				}
				d, info := l.Data()
				if (d == testData) != (info.Name == "a") {
					t.Error("data and its description disagree")
					return
				}
			}
		})
	}
	for i := range 200 {
		if i%2 == 0 {
			l.Swap(other, VersionInfo{Name: "b"})
		} else {
			l.Swap(testData, VersionInfo{Name: "a"})
		}
	}
	close(stop)
	wg.Wait()
}
