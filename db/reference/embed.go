// Package reference ships Whipcount's reference data files (members of
// Congress, ZIP-to-district candidates, district and state boundaries) in
// the binary. See PROVENANCE.md in this folder for sources and licences.
package reference

import "embed"

// FS holds the data files, VERSION (the data's date) and PROVENANCE.md, at
// the root of the file system. Pass it to congress.Load.
//
//go:embed *.yaml *.csv *.topojson VERSION PROVENANCE.md
var FS embed.FS
