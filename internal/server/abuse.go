package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/internal/letters"
	"github.com/whipcount/whipcount/templates"
)

// formStamps sign the time a letter form was first shown, so that the
// server can tell how long the form took without trusting the client.
type formStamps struct {
	secret []byte
	clock  func() time.Time
}

// formStamp signs now.
func (fs formStamps) formStamp() string { return fs.stampAt(fs.clock()) }

func (fs formStamps) stampAt(t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return ts + "." + fs.stampMAC(ts)
}

func (fs formStamps) stampMAC(ts string) string {
	m := hmac.New(sha256.New, fs.secret)
	m.Write([]byte("form-started\x00" + ts))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// stampAge returns how long ago a form stamp was made; ok is false for a
// missing, forged, future or expired stamp.
func (fs formStamps) stampAge(stamp string) (time.Duration, bool) {
	ts, mac, found := strings.Cut(stamp, ".")
	if !found || !hmac.Equal([]byte(mac), []byte(fs.stampMAC(ts))) {
		return 0, false
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, false
	}
	age := fs.clock().Sub(time.Unix(secs, 0))
	if age < 0 || age > letters.MaxFormAge {
		return age, false
	}
	return age, true
}

// withStamp gives a form its start time, keeping one it already carries.
func (fs formStamps) withStamp(f templates.SettleFields) templates.SettleFields {
	if _, ok := fs.stampAge(f.Started); !ok {
		f.Started = fs.formStamp()
	}
	return f
}

// minuteCap counts new letters in the current minute across all senders:
// past the cap, letters are still stored (nothing is lost) but wait in the
// moderation queue instead of going out, so a flood cannot swamp offices.
type minuteCap struct {
	cap   int
	clock func() time.Time

	mu     sync.Mutex
	minute int64
	n      int
}

// take counts one letter and reports whether it fits under the cap.
func (m *minuteCap) take() bool {
	if m == nil || m.cap <= 0 {
		return true
	}
	now := m.clock().Unix() / 60
	m.mu.Lock()
	defer m.mu.Unlock()
	if now != m.minute {
		m.minute, m.n = now, 0
	}
	m.n++
	return m.n <= m.cap
}

// letterScreen is the abuse controls the submission service asks before
// a letter is stored, keyed on keyed hashes of the sender's email and of
// the client's network address.
type letterScreen struct {
	secret         []byte
	email, address *limiter
	addressLimit   Limit
	global         *minuteCap
}

// senderKey is the per-email limit's key for a letter's sender: every
// variant of an address (tags, dots, case) shares one.
func (ls letterScreen) senderKey(email string) string {
	return keyedHash(ls.secret, "email", advocacy.SenderKey(email))
}

// Sender refuses a sender over the per-email limit (429).
func (ls letterScreen) Sender(email string) error {
	if ok, wait := ls.email.allow(ls.senderKey(email)); !ok {
		return rateLimited(wait)
	}
	return nil
}

// Refund gives back a letter that did not count.
func (ls letterScreen) Refund(email string) { ls.email.refund(ls.senderKey(email)) }

// Address holds letters past the per-address limit.
func (ls letterScreen) Address(key string) string {
	if ok, _ := ls.address.allow(key); !ok {
		return fmt.Sprintf("more than %s letters came from the sender's network address", ls.addressLimit.Count())
	}
	return ""
}

// Global holds letters past the cap across all senders.
func (ls letterScreen) Global() string {
	if !ls.global.take() {
		return fmt.Sprintf("more than %d letters arrived that minute", ls.global.cap)
	}
	return ""
}
