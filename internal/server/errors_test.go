package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
)

// A notice says when to try again once: errors that say so in their own
// words (too fast, the database busy) get no second line, whatever their
// wording; other answers with a Retry-After get the line.
func TestAlertSaysWhenToRetryOnce(t *testing.T) {
	s := New(Config{}, Deps{Unavailable: func(err error) bool { return errors.Is(err, errBusy) }})
	for _, tc := range []struct {
		name   string
		err    error
		header string // a Retry-After set by the handler
		retry  string
	}{
		{name: "rate limited", err: rateLimited(7e9)},
		{name: "rate limited: the kind says when in its own words", err: &advocacy.Error{Code: advocacy.CodeRateLimit,
			Message: "Too many letters from you today.", Fields: map[string]string{"retry_after": "60"}}},
		{name: "database unavailable", err: errBusy},
		{name: "a fault of ours, which says to try again in a moment", err: errors.New("boom"), header: "30"},
		{name: "a refusal that only mentions waiting", header: "5", retry: "Please try again in 5 seconds.",
			err: echo.NewHTTPError(http.StatusConflict, "The campaign is waiting for its bills.")},
		{name: "a refusal with a Retry-After", header: "5", retry: "Please try again in 5 seconds.",
			err: echo.NewHTTPError(http.StatusConflict, "The list is being imported.")},
		{name: "no Retry-After", err: advocacy.Invalid("zip", "Enter a ZIP code.")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c := s.echo.NewContext(httptest.NewRequest(http.MethodPost, "/write/send", nil), rec)
			if tc.header != "" {
				c.Response().Header().Set("Retry-After", tc.header)
			}
			if got := s.view.answerFor(c, tc.err).alert().Retry; got != tc.retry {
				t.Errorf("retry line %q, want %q", got, tc.retry)
			}
		})
	}
}

var errBusy = errors.New("database is locked")
