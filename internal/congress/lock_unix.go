//go:build unix

package congress

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lock keeps two updates of the same folder (the server's schedule and a
// command run by hand) from interleaving; the operating system releases it
// if the process dies.
func (f Folder) lock() (unlock func(), err error) {
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return nil, err
	}
	file, err := os.OpenFile(filepath.Join(f.Dir, ".update.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		file.Close()
		return nil, fmt.Errorf("another update of %s is running", f.Dir)
	}
	return func() {
		syscall.Flock(int(file.Fd()), syscall.LOCK_UN)
		file.Close()
	}, nil
}
