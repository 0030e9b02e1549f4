//go:build profile

package main

import (
	"fmt"
	"net/http"
	_ "net/http/pprof" // the profiler's handlers, on the default mux only
	"os"
)

// A binary built with `-tags profile` (`make bench-profile`) serves the Go
// profiler on the address in WHIPCOUNT_PROFILE_ADDR, which should be a
// loopback one. The application's own routes never use the default mux,
// and a release build holds none of this.
func init() {
	addr := os.Getenv("WHIPCOUNT_PROFILE_ADDR")
	if addr == "" {
		return
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			fmt.Fprintln(os.Stderr, "profiler:", err)
		}
	}()
}
