package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash/maphash"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// Limit is a token-bucket rate: Burst requests at once, refilled at
// PerMinute requests a minute. A zero PerMinute turns the limit off.
type Limit struct {
	PerMinute float64
	Burst     int
}

// Count describes the limit for people: "20 in an hour" for 20/1h.
func (l Limit) Count() string {
	if l.PerMinute <= 0 {
		return "no limit"
	}
	burst := max(l.Burst, 1)
	minutes := float64(burst) / l.PerMinute
	switch {
	case minutes >= 59.5 && minutes <= 60.5:
		return strconv.Itoa(burst) + " in an hour"
	case minutes >= 1439 && minutes <= 1441:
		return strconv.Itoa(burst) + " in a day"
	case minutes < 1.01:
		return strconv.Itoa(burst) + " in a minute"
	}
	return fmt.Sprintf("%d in %.0f minutes", burst, minutes)
}

// limiter keeps one token bucket per key in memory. Keys are keyed hashes,
// never raw IPs or emails. The map is sharded so concurrent requests rarely
// contend, and idle buckets are swept as the map is used.
type limiter struct {
	limit  Limit
	clock  func() time.Time
	seed   maphash.Seed
	shards [32]limiterShard
}

type limiterShard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	calls   int
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(l Limit, clock func() time.Time) *limiter {
	lim := &limiter{limit: l, clock: clock, seed: maphash.MakeSeed()}
	for i := range lim.shards {
		lim.shards[i].buckets = map[string]*bucket{}
	}
	return lim
}

// allow takes a token for key, or says how long until one is free.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l == nil || l.limit.PerMinute <= 0 {
		return true, 0
	}
	perSec := l.limit.PerMinute / 60
	burst := float64(max(l.limit.Burst, 1))
	now := l.clock()
	sh := &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.calls++
	if sh.calls%1024 == 0 {
		// A bucket idle long enough to be full again carries no state.
		full := time.Duration(burst / perSec * float64(time.Second))
		for k, b := range sh.buckets {
			if now.Sub(b.at) > full {
				delete(sh.buckets, k)
			}
		}
	}
	b, ok := sh.buckets[key]
	if !ok {
		b = &bucket{tokens: burst, at: now}
		sh.buckets[key] = b
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.at).Seconds()*perSec)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / perSec * float64(time.Second))
	return false, wait
}

// refund gives back the token a request took, for one that turned out not
// to count (a replay of a letter already stored, or one the database did
// not take).
func (l *limiter) refund(key string) {
	if l == nil || l.limit.PerMinute <= 0 {
		return
	}
	sh := &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if b, ok := sh.buckets[key]; ok {
		b.tokens = math.Min(float64(max(l.limit.Burst, 1)), b.tokens+1)
	}
}

// keyedHash turns an IP address or email into a stable, unguessable key:
// HMAC-SHA256 under the installation's secret, so the raw value is never
// stored or logged and cannot be recovered by hashing guesses without it.
func keyedHash(secret []byte, kind, value string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// rateLimited answers 429 with Retry-After, as JSON for the API and as a
// friendly page otherwise.
func rateLimited(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &advocacy.Error{
		Code:    advocacy.CodeRateLimit,
		Message: "You are going a little fast. Please wait " + strconv.Itoa(secs) + " " + pluralWord(secs, "second", "seconds") + " and try again.",
		Fields:  map[string]string{"retry_after": strconv.Itoa(secs)},
	}
}

// limitByIP applies l to every request, keyed by the client's IP hashed
// with secret.
func limitByIP(secret []byte, kind string, l *limiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if ok, wait := l.allow(keyedHash(secret, kind, c.RealIP())); !ok {
				return rateLimited(wait)
			}
			return next(c)
		}
	}
}

// Body limits: forms and JSON are small; only the cosponsor file upload in
// the workspace is large.
const (
	maxBody       = 256 << 10
	maxUploadBody = 10 << 20
)

// limitBody caps request bodies; a larger one gets 413 before any handler
// reads it.
func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body == nil || req.Method == http.MethodGet || req.Method == http.MethodHead {
			return next(c)
		}
		n := int64(maxBody)
		if strings.HasSuffix(req.URL.Path, "/import") && strings.HasPrefix(req.URL.Path, "/organizer/") {
			n = maxUploadBody
		}
		if req.ContentLength > n {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, n)
		return next(c)
	}
}
