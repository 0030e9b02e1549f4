package congress

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultSource is where the congress-legislators project publishes its
// files (raw files of its GitHub repository, branch main).
const DefaultSource = "https://raw.githubusercontent.com/unitedstates/congress-legislators/main"

const (
	// maxMemberFile bounds a download: the largest file is about 1 MB.
	maxMemberFile = 32 << 20
	// fetchTimeout bounds one file's download.
	fetchTimeout = 2 * time.Minute
	// maxGoneShare is the share of members that may leave in one update;
	// more looks like a partial file rather than an election (a new
	// Congress replaces about a fifth of its members).
	maxGoneShare = 0.34
)

// Updater downloads the member files from upstream, checks them against
// the rest of the reference data and installs them as a new version of a
// data folder. A download that fails, is cut short, does not parse or does
// not pass the checks is never installed: the version in use stays, the
// download is kept under rejected/ and the reason is recorded.
type Updater struct {
	Folder Folder
	// Source is the base URL of the member files; empty is DefaultSource.
	Source string
	// Base holds the files upstream does not publish (ZIP codes,
	// boundaries): the data built into the binary.
	Base fs.FS
	// Client makes the requests; nil uses one with fetchTimeout.
	Client *http.Client
	Clock  func() time.Time
	// Force installs data that loads but fails the plausibility checks.
	Force bool
	// InUse gives the data in use to compare the download with; nil loads
	// it from the folder. A running server passes what it serves.
	InUse func() (*Data, VersionInfo)
}

// UpdateResult is what an update did.
type UpdateResult struct {
	Source   string
	Files    []ManifestFile
	Report   Report
	Changes  Changes
	Previous VersionInfo
	// Version is the installed version; Data is it, loaded.
	Version VersionInfo
	Data    *Data
	// Rejected is the folder the refused download was kept in.
	Rejected string
}

// RefusedError is an update whose data was not installed, with the reason.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "data not installed: " + e.Reason }

func (u *Updater) source() string {
	if u.Source == "" {
		return DefaultSource
	}
	return strings.TrimRight(u.Source, "/")
}

func (u *Updater) now() time.Time {
	if u.Clock == nil {
		return time.Now()
	}
	return u.Clock()
}

// Update downloads, checks and installs a new version. On a refusal the
// error is a *RefusedError and the result still says what was found.
func (u *Updater) Update(ctx context.Context) (UpdateResult, error) {
	res := UpdateResult{Source: u.source()}
	unlock, err := u.Folder.lock()
	if err != nil {
		return res, err
	}
	defer unlock()
	at := u.now().UTC().Truncate(time.Second)
	name := at.Format(versionLayout)
	// What is in use, as far as it can be told without loading it; the
	// download's comparison below loads it.
	if u.InUse != nil {
		_, res.Previous = u.InUse()
	} else {
		res.Previous, _ = FolderVersion(u.Folder.Dir)
	}

	res, err = u.update(ctx, res, at, name)
	st := UpdateStatus{At: at, Source: res.Source, OK: err == nil}
	var refused *RefusedError
	switch {
	case err == nil:
		st.Version = res.Version.Name
		st.Changes = res.Changes.Lines()
	case errors.As(err, &refused):
		st.Reason = refused.Reason
	default:
		st.Reason = err.Error()
	}
	if serr := u.Folder.writeStatus(st); serr != nil {
		err = errors.Join(err, fmt.Errorf("record the update: %w", serr))
	}
	if perr := u.Folder.prune(); perr != nil {
		err = errors.Join(err, fmt.Errorf("remove old versions: %w", perr))
	}
	return res, err
}

func (u *Updater) update(ctx context.Context, res UpdateResult, at time.Time, name string) (UpdateResult, error) {
	files := make(map[string][]byte, len(MemberFiles))
	for _, f := range MemberFiles {
		b, err := u.fetch(ctx, f)
		if err != nil {
			return res, &RefusedError{Reason: err.Error()}
		}
		files[f] = b
		sum := sha256.Sum256(b)
		res.Files = append(res.Files, ManifestFile{Name: f, Bytes: len(b), SHA256: hex.EncodeToString(sum[:])})
	}
	files[fileVersion] = []byte(at.Format("2006-01-02") + "\n")
	staged, err := u.Folder.stage(files)
	if err != nil {
		return res, fmt.Errorf("write the download: %w", err)
	}
	defer os.RemoveAll(staged) // gone already once installed or rejected
	refuse := func(reason string) (UpdateResult, error) {
		if err := u.Folder.reject(staged, name, reason); err == nil {
			res.Rejected = filepath.Join(u.Folder.Dir, rejectedDir, name)
		}
		return res, &RefusedError{Reason: reason}
	}

	var (
		old     *Data
		oldInfo VersionInfo
		oldErr  error
	)
	if u.InUse != nil {
		old, oldInfo = u.InUse()
	} else {
		old, oldInfo, oldErr = LoadFolder(u.Folder.Dir, u.Base)
	}
	if oldErr != nil {
		// The data in use cannot be read: the new data is checked on its
		// own and every member counts as added.
		old, oldInfo = nil, VersionInfo{Name: "none (" + oldErr.Error() + ")"}
	}
	res.Previous = oldInfo
	var d *Data
	if old != nil {
		// The geography does not change with the members: only the
		// downloaded files are parsed.
		d, err = old.WithMembers(os.DirFS(staged))
	} else {
		d, err = Load(layers{os.DirFS(staged), u.Base})
	}
	if err != nil {
		return refuse(fmt.Sprintf("the downloaded files do not load: %v", err))
	}
	if res.Report, err = d.Check(at); err != nil {
		return refuse(fmt.Sprintf("the downloaded files do not pass the data check: %v", err))
	}
	res.Changes = Diff(old, d)
	if len(res.Report.Problems) > 0 && !u.Force {
		return refuse("the downloaded files fail the data check: " + strings.Join(res.Report.Problems, "; "))
	}
	if old != nil && float64(len(res.Changes.Gone)) > maxGoneShare*float64(res.Changes.Before) && !u.Force {
		return refuse(fmt.Sprintf("%d of the %d members in use would be gone at once, which looks like a partial download", len(res.Changes.Gone), res.Changes.Before))
	}

	manifest := Manifest{Version: name, Source: res.Source, FetchedAt: at, Files: res.Files}
	mb, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return res, err
	}
	changes := fmt.Sprintf("changes from version %s\n%s\n", res.Previous.Name, strings.Join(res.Changes.Lines(), "\n"))
	if err := writeFileSync(filepath.Join(staged, manifestFile), append(mb, '\n')); err != nil {
		return res, err
	}
	if err := writeFileSync(filepath.Join(staged, changesFile), []byte(changes)); err != nil {
		return res, err
	}
	if err := u.Folder.install(staged, name); err != nil {
		return res, fmt.Errorf("install version %s: %w", name, err)
	}
	res.Version = VersionInfo{Name: name, Source: res.Source, FetchedAt: at}
	res.Data = d
	return res, nil
}

// fetch downloads one member file. A status other than 200, a body cut
// short (fewer bytes than announced, or a broken connection), an empty or
// oversized body is an error that names the file.
func (u *Updater) fetch(ctx context.Context, name string) ([]byte, error) {
	client := u.Client
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	url := u.source() + "/" + name
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	req.Header.Set("User-Agent", "whipcount data update")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: the server answered %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxMemberFile+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("download %s: cut short after %d bytes: %w", url, len(b), err)
	case resp.ContentLength >= 0 && int64(len(b)) != resp.ContentLength:
		return nil, fmt.Errorf("download %s: cut short: %d of %d bytes", url, len(b), resp.ContentLength)
	case len(b) > maxMemberFile:
		return nil, fmt.Errorf("download %s: larger than %d MB", url, maxMemberFile>>20)
	case len(b) == 0:
		return nil, fmt.Errorf("download %s: the file is empty", url)
	}
	return b, nil
}
