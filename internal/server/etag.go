package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// renderCached is render for public pages and fragments that many people
// fetch and that rarely change (campaign pages, progress fragments,
// widgets). The answer carries an ETag (a hash of the rendered bytes) and,
// when lastModified is not zero, a Last-Modified time; a request whose
// If-None-Match or If-Modified-Since shows it already has this content gets
// 304 Not Modified with no body. Browsers revalidate each time
// (Cache-Control: no-cache), so a change shows at once.
//
// lastModified must cover everything the content depends on. When part of
// it has no change time (a live letter count, say), pass the zero time: the
// answer then relies on the ETag alone, which is always exact.
func (r *renderer) renderCached(c echo.Context, status int, page, fragment templ.Component, lastModified time.Time) error {
	return r.renderWith(c, page, fragment, func(body []byte) error {
		return r.sendCached(c, status, echo.MIMETextHTMLCharsetUTF8, body, lastModified)
	})
}

// jsonCached is renderCached for a JSON answer.
func (r *renderer) jsonCached(c echo.Context, status int, v any, lastModified time.Time) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.sendCached(c, status, echo.MIMEApplicationJSON, append(body, '\n'), lastModified)
}

// sendCached writes body with validators, or 304 when the client's copy is
// current. Only 200 answers are ever turned into 304.
func (r *renderer) sendCached(c echo.Context, status int, contentType string, body []byte, lastModified time.Time) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	if done, err := answerConditional(c, status, contentETag(body), lastModified); done {
		return err
	}
	return c.Blob(status, contentType, body)
}

// answerConditional is how every answer takes part in conditional GETs: it
// sets the validators (the ETag tag unless it is empty, and Last-Modified
// unless lastModified is zero) and, when status is 200 and the request's If-None-Match or
// If-Modified-Since shows the client already holds this content, answers
// 304 Not Modified with no body. done reports that it answered; otherwise
// the caller writes the answer.
func answerConditional(c echo.Context, status int, tag string, lastModified time.Time) (done bool, err error) {
	h := c.Response().Header()
	if tag != "" {
		h.Set("ETag", tag)
	}
	if !lastModified.IsZero() {
		h.Set("Last-Modified", lastModified.UTC().Format(http.TimeFormat))
	}
	if status != http.StatusOK || !notModified(c.Request(), tag, lastModified) {
		return false, nil
	}
	return true, c.NoContent(http.StatusNotModified)
}

// contentETag hashes body into an ETag.
func contentETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// notModified applies RFC 9110's rules for GET: If-None-Match, when
// present, decides alone (weak comparison); otherwise If-Modified-Since is
// compared with lastModified to the second.
func notModified(r *http.Request, tag string, lastModified time.Time) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		want := strings.TrimPrefix(tag, "W/")
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == want {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !lastModified.IsZero() {
		since, err := http.ParseTime(ims)
		if err != nil {
			return false
		}
		return !lastModified.Truncate(time.Second).After(since)
	}
	return false
}
