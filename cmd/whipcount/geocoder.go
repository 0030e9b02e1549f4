package main

import (
	"flag"
	"fmt"
	"net/url"

	"github.com/whipcount/whipcount/internal/geocoder"
	"github.com/whipcount/whipcount/internal/server"
)

// geocoderConfig is the street-address lookup's settings.
type geocoderConfig struct {
	on  bool
	url string
}

func geocoderFlags(fs *flag.FlagSet) *geocoderConfig {
	g := &geocoderConfig{}
	fs.BoolVar(&g.on, "geocoder", true, "look up street addresses through the Census geocoder (false: ZIP code, map and location only)")
	fs.StringVar(&g.url, "geocoder-url", geocoder.DefaultURL, "base `URL` of the Census geocoder")
	return g
}

// wire returns the geocoder for the server and the host the privacy page
// names; nil and "" when street addresses are off.
func (g *geocoderConfig) wire() (server.Geocoder, string, error) {
	if !g.on {
		return nil, "", nil
	}
	u, err := url.Parse(g.url)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", fmt.Errorf("-geocoder-url: want an http or https URL, got %q", g.url)
	}
	return &geocoder.Census{BaseURL: g.url, Timeout: geocoder.DefaultTimeout}, u.Hostname(), nil
}
