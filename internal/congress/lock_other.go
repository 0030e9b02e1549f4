//go:build !unix

package congress

// lock is a no-op where advisory file locks are not available: run one
// update of a folder at a time.
func (f Folder) lock() (unlock func(), err error) { return func() {}, nil }
