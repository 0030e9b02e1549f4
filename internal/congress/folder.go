package congress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A data folder (serve -data DIR) holds the member files that
// "whipcount data update" downloaded, one dated version per update, and
// any other reference file an operator wants to replace:
//
//	DIR/
//	  current -> versions/20261202T111043Z    the version in use (a symbolic link)
//	  versions/20261202T111043Z/
//	    legislators-current.yaml              the three upstream member files
//	    legislators-district-offices.yaml
//	    legislators-social-media.yaml
//	    VERSION                               the day they were downloaded
//	    MANIFEST.json                         source, time, size and SHA-256 of each file
//	    CHANGES.txt                           what changed from the version before
//	  rejected/20261203T111043Z/              a download that failed its checks, with REASON.txt
//	  last-update.json                        the last attempt: when, from where, and why it failed
//
// Files missing from the version (the ZIP codes and boundaries, which
// upstream does not publish) come from DIR itself when present, else from
// the data built into the binary. The link is replaced in one rename, so a
// reader sees either the old version or the new one, never a mix.
const (
	currentLink    = "current"
	versionsDir    = "versions"
	rejectedDir    = "rejected"
	lastUpdateFile = "last-update.json"
	manifestFile   = "MANIFEST.json"
	changesFile    = "CHANGES.txt"
	reasonFile     = "REASON.txt"
	// keepVersions is how many versions (and rejected downloads) stay on
	// disk; older ones are removed after each update.
	keepVersions = 5
	// versionLayout names version folders by their download time (UTC).
	versionLayout = "20060102T150405Z"
)

// MemberFiles are the upstream files "data update" downloads.
var MemberFiles = []string{fileLegislators, fileOffices, fileSocial}

// BuiltIn names the data built into the binary.
const BuiltIn = "built-in"

// Manifest records where an installed version came from.
type Manifest struct {
	Version   string         `json:"version"`
	Source    string         `json:"source"`
	FetchedAt time.Time      `json:"fetched_at"`
	Files     []ManifestFile `json:"files"`
}

// ManifestFile is one downloaded file.
type ManifestFile struct {
	Name   string `json:"name"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// UpdateStatus is the outcome of the last "data update", kept in the
// folder so that the server can show it to admins.
type UpdateStatus struct {
	At     time.Time `json:"at"`
	Source string    `json:"source"`
	OK     bool      `json:"ok"`
	// Version is the version installed; empty when the update failed.
	Version string `json:"version,omitempty"`
	// Reason says why the data was refused or could not be fetched.
	Reason string `json:"reason,omitempty"`
	// Changes summarise what the installed version changed.
	Changes []string `json:"changes,omitempty"`
}

// Folder is a data folder (see the layout above).
type Folder struct {
	Dir string
}

// current returns the name of the version in use; ok is false when the
// folder has none (it was never updated, or holds files put there by hand).
func (f Folder) current() (name string, ok bool, err error) {
	target, err := os.Readlink(filepath.Join(f.Dir, currentLink))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", filepath.Join(f.Dir, currentLink), err)
	}
	name = filepath.Base(target)
	if filepath.Clean(target) != filepath.Join(versionsDir, name) {
		return "", false, fmt.Errorf("%s points at %q, not at a folder in %s", filepath.Join(f.Dir, currentLink), target, versionsDir)
	}
	return name, true, nil
}

// Versions lists the installed versions, newest first.
func (f Folder) Versions() ([]string, error) {
	return listDirs(filepath.Join(f.Dir, versionsDir))
}

func listDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out, nil
}

// LastUpdate reads the outcome of the last update; ok is false when there
// was none.
func (f Folder) LastUpdate() (st UpdateStatus, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(f.Dir, lastUpdateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return UpdateStatus{}, false, nil
	}
	if err != nil {
		return UpdateStatus{}, false, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return UpdateStatus{}, false, fmt.Errorf("read %s: %w", lastUpdateFile, err)
	}
	return st, true, nil
}

// Changes reads the change summary stored with a version.
func (f Folder) Changes(version string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(f.Dir, versionsDir, version, changesFile))
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n"), nil
}

// source returns the files the folder's data loads from, over base (the
// data built into the binary), and a description of the version.
func (f Folder) source(base fs.FS) (fs.FS, VersionInfo, error) {
	name, ok, err := f.current()
	if err != nil {
		return nil, VersionInfo{}, err
	}
	if !ok {
		// A folder never updated: files put there by hand, as before updates
		// existed, over the built-in data.
		info := VersionInfo{Name: BuiltIn}
		if _, err := os.Stat(filepath.Join(f.Dir, fileLegislators)); err == nil {
			info.Name = "files in " + f.Dir
		}
		return layers{os.DirFS(f.Dir), base}, info, nil
	}
	vdir := filepath.Join(f.Dir, versionsDir, name)
	info := VersionInfo{Name: name}
	if b, err := os.ReadFile(filepath.Join(vdir, manifestFile)); err == nil {
		var m Manifest
		if json.Unmarshal(b, &m) == nil {
			info.Source, info.FetchedAt = m.Source, m.FetchedAt
		}
	}
	return layers{os.DirFS(vdir), os.DirFS(f.Dir), base}, info, nil
}

// FolderVersion describes the version LoadFolder(dir, ...) loads, without
// loading it.
func FolderVersion(dir string) (VersionInfo, error) {
	if dir == "" {
		return VersionInfo{Name: BuiltIn}, nil
	}
	_, info, err := Folder{Dir: dir}.source(nil)
	return info, err
}

// LoadFolder loads the reference data the server runs on: the data built
// into the binary (base) when dir is empty, else the data folder dir (its
// current version over its own files over base).
func LoadFolder(dir string, base fs.FS) (*Data, VersionInfo, error) {
	if dir == "" {
		d, err := Load(base)
		if err != nil {
			return nil, VersionInfo{}, fmt.Errorf("load built-in reference data: %w", err)
		}
		return d, VersionInfo{Name: BuiltIn}, nil
	}
	fsys, info, err := Folder{Dir: dir}.source(base)
	if err != nil {
		return nil, VersionInfo{}, err
	}
	d, err := Load(fsys)
	if err != nil {
		return nil, VersionInfo{}, fmt.Errorf("load %s (version %s): %w", dir, info.Name, err)
	}
	return d, info, nil
}

// layers is a file system that opens each name from the first layer that
// has it.
type layers []fs.FS

func (l layers) Open(name string) (fs.File, error) {
	for _, f := range l {
		file, err := f.Open(name)
		if err == nil {
			return file, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// writeFileSync writes a file and flushes it to disk before returning, so
// that a version is complete on disk before the link points at it.
func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir flushes a directory's entries (new files, renames) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// stage writes files into a new hidden folder inside DIR, on the same file
// system as the versions, so that installing is a rename.
func (f Folder) stage(files map[string][]byte) (string, error) {
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(f.Dir, ".incoming-")
	if err != nil {
		return "", err
	}
	for name, b := range files {
		if err := writeFileSync(filepath.Join(tmp, name), b); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
	}
	return tmp, nil
}

// install moves a staged folder into versions as name and points current
// at it, replacing the link in one rename.
func (f Folder) install(staged, name string) error {
	vdir := filepath.Join(f.Dir, versionsDir)
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	if err := syncDir(staged); err != nil {
		return err
	}
	if err := os.Rename(staged, filepath.Join(vdir, name)); err != nil {
		return err
	}
	if err := syncDir(vdir); err != nil {
		return err
	}
	link := filepath.Join(f.Dir, ".current-"+name)
	os.Remove(link)
	if err := os.Symlink(filepath.Join(versionsDir, name), link); err != nil {
		return err
	}
	if err := os.Rename(link, filepath.Join(f.Dir, currentLink)); err != nil {
		os.Remove(link)
		return err
	}
	return syncDir(f.Dir)
}

// reject keeps a refused download for inspection, with the reason.
func (f Folder) reject(staged, name, reason string) error {
	if err := writeFileSync(filepath.Join(staged, reasonFile), []byte(reason+"\n")); err != nil {
		return err
	}
	rdir := filepath.Join(f.Dir, rejectedDir)
	if err := os.MkdirAll(rdir, 0o755); err != nil {
		return err
	}
	return os.Rename(staged, filepath.Join(rdir, name))
}

// writeStatus records the outcome of an update, replacing the file in one
// rename.
func (f Folder) writeStatus(st UpdateStatus) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(f.Dir, "."+lastUpdateFile+".tmp")
	if err := writeFileSync(tmp, append(b, '\n')); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(f.Dir, lastUpdateFile))
}

// prune removes all but the newest keepVersions versions and rejected
// downloads, and downloads an interrupted update left half-written; the
// version in use always stays. The caller holds the folder's lock.
func (f Folder) prune() error {
	cur, _, _ := f.current()
	var errs []error
	if entries, err := os.ReadDir(f.Dir); err == nil {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".incoming-") || strings.HasPrefix(e.Name(), ".current-") {
				errs = append(errs, os.RemoveAll(filepath.Join(f.Dir, e.Name())))
			}
		}
	}
	for _, sub := range []string{versionsDir, rejectedDir} {
		names, err := listDirs(filepath.Join(f.Dir, sub))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i, n := range names {
			if i >= keepVersions && !(sub == versionsDir && n == cur) {
				errs = append(errs, os.RemoveAll(filepath.Join(f.Dir, sub, n)))
			}
		}
	}
	return errors.Join(errs...)
}
