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
	"github.com/whipcount/whipcount/templates"
)

// minFillTime is the least time a person takes to read the form and write
// a letter; letters sent faster wait for an organizer.
const minFillTime = 5 * time.Second

// maxStampAge is how long a form's start time stays good: an older one is
// replaced when the form is shown again, and a letter sent with one waits
// for an organizer, so a bot cannot keep one old stamp to skip the
// minimum fill time.
const maxStampAge = 2 * time.Hour

// formStamp signs the time a letter form was first shown, so that the
// server can tell how long the form took without trusting the client.
func (s *Server) formStamp() string { return s.stampAt(s.deps.Clock()) }

func (s *Server) stampAt(t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return ts + "." + s.stampMAC(ts)
}

func (s *Server) stampMAC(ts string) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("form-started\x00" + ts))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// stampAge returns how long ago a form stamp was made; ok is false for a
// missing, forged, future or expired stamp.
func (s *Server) stampAge(stamp string) (time.Duration, bool) {
	ts, mac, found := strings.Cut(stamp, ".")
	if !found || !hmac.Equal([]byte(mac), []byte(s.stampMAC(ts))) {
		return 0, false
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, false
	}
	age := s.deps.Clock().Sub(time.Unix(secs, 0))
	if age < 0 || age > maxStampAge {
		return age, false
	}
	return age, true
}

// withStamp gives a form its start time, keeping one it already carries.
func (s *Server) withStamp(f templates.SettleFields) templates.SettleFields {
	if _, ok := s.stampAge(f.Started); !ok {
		f.Started = s.formStamp()
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

// emailLimitKey is the per-email limit's key for a letter's sender: every
// variant of an address (tags, dots, case) shares one.
func (s *Server) emailLimitKey(r letterRequest) string {
	return keyedHash(s.cfg.Secret, "email", advocacy.SenderKey(r.in.Email))
}

// screenLetter applies the abuse controls to a validated letter from the
// client at address ip before it is stored (an address past the flood
// ceiling was already refused by the route). It refuses a sender over the
// per-email limit (429), and says whether the letter must wait for
// moderation, and why: more letters from one address than the per-address
// limit (an office, a campus or an event shares one address, so they are
// held, not refused), sent faster than a person writes, without the form's
// start time, or past the global cap.
func (s *Server) screenLetter(r letterRequest, ip string) (hold string, err error) {
	if ok, wait := s.limits.letterEmail.allow(s.emailLimitKey(r)); !ok {
		return "", rateLimited(wait)
	}
	var reasons []string
	if ok, _ := s.limits.letterIP.allow(keyedHash(s.cfg.Secret, "letter", ip)); !ok {
		reasons = append(reasons, fmt.Sprintf("more than %s letters came from the sender's network address", s.cfg.Limits.LetterIP.Count()))
	}
	if r.viaForm {
		age, ok := s.stampAge(r.settle.query.started)
		switch {
		case !ok && age > maxStampAge:
			reasons = append(reasons, fmt.Sprintf("the form's start time was %.0f hours old", age.Hours()))
		case !ok:
			reasons = append(reasons, "the form's start time was missing or altered")
		case age < minFillTime:
			reasons = append(reasons, fmt.Sprintf("sent %.0f seconds after the form appeared", age.Seconds()))
		}
	}
	if !s.limits.global.take() {
		reasons = append(reasons, fmt.Sprintf("more than %d letters arrived that minute", s.limits.global.cap))
	}
	return strings.Join(reasons, "; "), nil
}
