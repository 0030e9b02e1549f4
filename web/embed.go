// Package web embeds the static files the server serves: the stylesheet, the
// small enhancement script, and the vendored front-end packages the Makefile
// copies from node_modules into static/vendor.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed all:static
var files embed.FS

// Static returns the static files, rooted at the static folder.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the folder is embedded at build time; this cannot fail
	}
	return sub
}

// Version returns a short content hash of a static file, used in its URL so
// that browsers may cache it for a long time. It is "missing" when the file
// is absent (for example htmx before `make web` ran).
func Version(name string) string {
	b, err := fs.ReadFile(Static(), name)
	if err != nil {
		return "missing"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}
