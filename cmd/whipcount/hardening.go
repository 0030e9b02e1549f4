package main

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/whipcount/whipcount/internal/server"
	"github.com/whipcount/whipcount/internal/sqlite"
)

// limitFlag is a rate limit written "N/PERIOD" ("20/1h", "600/1m"), or "0"
// for none. N requests may come at once; they come back at N per PERIOD.
type limitFlag struct{ l server.Limit }

func (f *limitFlag) String() string {
	if f.l.PerMinute <= 0 {
		return "0"
	}
	return fmt.Sprintf("%d/%s", f.l.Burst, time.Duration(float64(f.l.Burst)/f.l.PerMinute*float64(time.Minute)))
}

func (f *limitFlag) Set(s string) error {
	if strings.TrimSpace(s) == "0" {
		f.l = server.Limit{}
		return nil
	}
	n, per, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || count < 1 {
		return fmt.Errorf("limit %q: want N/PERIOD, like 20/1h, or 0", s)
	}
	d, err := time.ParseDuration(strings.TrimSpace(per))
	if err != nil || d <= 0 {
		return fmt.Errorf("limit %q: bad period: want N/PERIOD, like 20/1h", s)
	}
	f.l = server.Limit{PerMinute: float64(count) / d.Minutes(), Burst: count}
	return nil
}

// hardeningConfig holds the abuse-control and privacy settings of serve.
type hardeningConfig struct {
	secret        string
	trustProxy    bool
	lookup        limitFlag
	letterIP      limitFlag
	letterIPMax   limitFlag
	letterEmail   limitFlag
	perMinute     int
	retentionDays int
	confirm       bool
}

func hardeningFlags(fs *flag.FlagSet) *hardeningConfig {
	h := &hardeningConfig{}
	h.lookup.Set("600/1m")
	h.letterIP.Set("20/1h")
	h.letterIPMax.Set("300/1h")
	h.letterEmail.Set("5/1h")
	fs.StringVar(&h.secret, "secret", "", "base64 `KEY` (32+ bytes) for hashing addresses and signing tokens; by default one is made and kept in the database")
	fs.BoolVar(&h.trustProxy, "trust-proxy", false, "take the client address from X-Forwarded-For (only behind a proxy that sets it)")
	fs.Var(&h.lookup, "limit-lookup", "lookups per client address, `N/PERIOD` or 0 for none")
	fs.Var(&h.letterIP, "limit-letter-ip", "letters per client address before further ones wait for moderation, `N/PERIOD` or 0 for none")
	fs.Var(&h.letterIPMax, "limit-letter-ip-max", "letters per client address before further ones are refused (429), `N/PERIOD` or 0 for none")
	fs.Var(&h.letterEmail, "limit-letter-email", "letters per sender email, `N/PERIOD` or 0 for none")
	fs.IntVar(&h.perMinute, "letters-per-minute", 1000, "new letters a minute, all senders together, before the excess waits for moderation (0: no cap)")
	fs.BoolVar(&h.confirm, "require-confirmation", false, "hold each letter until its sender confirms their email (needs -smtp-addr); unconfirmed letters are deleted after a day")
	fs.IntVar(&h.retentionDays, "retention-days", 180, "erase senders' personal data this many `DAYS` after delivery")
	return h
}

// apply fills the server's settings, making or reading the secret.
func (h *hardeningConfig) apply(ctx context.Context, store *sqlite.DB, cfg *server.Config) error {
	if h.secret != "" {
		b, err := base64.StdEncoding.DecodeString(h.secret)
		if err != nil || len(b) < 32 {
			return fmt.Errorf("-secret: want at least 32 bytes, base64-encoded")
		}
		cfg.Secret = b
	} else {
		b, err := store.Secret(ctx, "hmac", time.Now())
		if err != nil {
			return err
		}
		cfg.Secret = b
	}
	cfg.TrustProxy = h.trustProxy
	cfg.RetentionDays = h.retentionDays
	cfg.RequireConfirmation = h.confirm
	cfg.Limits = server.Limits{Lookup: h.lookup.l, LetterIP: h.letterIP.l, LetterIPMax: h.letterIPMax.l, LetterEmail: h.letterEmail.l,
		LettersPerMinute: h.perMinute}
	return nil
}

// eraser is the part of the letter store the retention job needs.
type eraser interface {
	EraseExpired(ctx context.Context, retention time.Duration) (int, error)
	DeleteUnconfirmed(ctx context.Context) (int, error)
}

// startRetention erases senders' personal data once it is older than the
// retention window, and deletes letters whose email confirmation expired:
// at start, then every hour. It stops with ctx and returns a func that
// waits for it.
func startRetention(ctx context.Context, e eraser, days int, logger *slog.Logger) (wait func()) {
	done := make(chan struct{})
	if e == nil {
		close(done)
		return func() {}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if days > 0 {
				n, err := e.EraseExpired(ctx, time.Duration(days)*24*time.Hour)
				switch {
				case err != nil && ctx.Err() == nil:
					logger.Error("retention: erase expired letters", "err", err)
				case n > 0:
					logger.Info("retention: erased personal data", "letters", n, "older_than_days", days)
				}
			}
			if n, err := e.DeleteUnconfirmed(ctx); err != nil && ctx.Err() == nil {
				logger.Error("retention: delete unconfirmed letters", "err", err)
			} else if n > 0 {
				logger.Info("retention: deleted letters never confirmed", "letters", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { <-done }
}
