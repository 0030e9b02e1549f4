package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/whipcount/whipcount/internal/advocacy"
	"github.com/whipcount/whipcount/templates"
)

// apiError is the JSON shape of every API error.
type apiError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

// statusFor maps a domain error code to an HTTP status. Invalid input is 400
// for JSON and 422 for forms (the form re-renders with its messages).
func statusFor(code advocacy.Code, api bool) int {
	switch code {
	case advocacy.CodeInvalid:
		if api {
			return http.StatusBadRequest
		}
		return http.StatusUnprocessableEntity
	case advocacy.CodeNotFound:
		return http.StatusNotFound
	case advocacy.CodeConflict:
		return http.StatusConflict
	case advocacy.CodeRateLimit:
		return http.StatusTooManyRequests
	case advocacy.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/")
}

// unavailableRetry is the Retry-After, in seconds, of a 503 for a database
// that does not take writes: long enough for a lock held elsewhere or a
// full disk being dealt with, short enough that a person tries again.
const unavailableRetry = "10"

// errUnavailable is what a person is told when the database does not take
// their change right now.
func errUnavailable() *advocacy.Error {
	return &advocacy.Error{Code: advocacy.CodeUnavailable,
		Message: "We could not save this just now: our database is not taking changes at the moment. Nothing you entered is lost. Please try again in a few seconds.",
		Fields:  map[string]string{"retry_after": unavailableRetry}}
}

// unavailable reports whether err means the database cannot take a write
// now (Deps.Unavailable), or the request's time for it ran out.
func (r *renderer) dbUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	return r.unavailable != nil && r.unavailable(err)
}

// errorAnswer is what an error means for the client: a status, a heading
// and a message in plain words, field messages for invalid input, and the
// Retry-After header, if any.
type errorAnswer struct {
	status  int
	heading string
	msg     string
	fields  map[string]string
	// retryAfter is the Retry-After in seconds, or "" when retrying at once
	// is fine.
	retryAfter string
	// retryTold is set when msg itself says when to try again: the domain's
	// rate-limit and unavailable errors do (and carry their Retry-After),
	// and so does the answer to a fault of ours.
	retryTold bool
}

// answerFor classifies an error; it is the one mapping from errors to
// answers, for pages, fragments, JSON and widgets alike. Internal errors
// are logged here, with the database's faults as warnings of their own;
// their details never reach the client.
func (r *renderer) answerFor(c echo.Context, err error) errorAnswer {
	a := errorAnswer{status: http.StatusInternalServerError, msg: "Something went wrong on our side. Please try again in a moment.",
		retryTold: true}
	var de *advocacy.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
	case r.dbUnavailable(err):
		r.logger.WarnContext(c.Request().Context(), "database unavailable: answered 503",
			"method", c.Request().Method, "path", logPath(c), "err", err)
		de = errUnavailable()
	}
	switch {
	case de != nil:
		a.status = statusFor(de.Code, isAPI(c))
		a.msg, a.fields, a.retryTold = de.Message, de.Fields, false
		if ra := de.Fields["retry_after"]; ra != "" && (de.Code == advocacy.CodeRateLimit || de.Code == advocacy.CodeUnavailable) {
			a.retryAfter, a.retryTold = ra, true
			if de.Code == advocacy.CodeUnavailable {
				a.fields = nil
			}
		}
	case errors.As(err, &he):
		a.status = he.Code
		if a.status < 500 {
			a.retryTold = false
		}
		switch a.status {
		case http.StatusNotFound:
			a.msg = "We could not find that page."
		case http.StatusMethodNotAllowed:
			a.msg = "That action is not allowed here."
		case http.StatusRequestEntityTooLarge:
			a.msg = "That request is too large."
		default:
			if a.status < 500 {
				if m, ok := he.Message.(string); ok {
					a.msg = m
				} else {
					a.msg = http.StatusText(a.status)
				}
			}
		}
	}
	if ra := c.Response().Header().Get("Retry-After"); ra != "" && a.retryAfter == "" {
		a.retryAfter = ra
	}
	if a.status >= 500 && a.status != http.StatusServiceUnavailable {
		r.logger.ErrorContext(c.Request().Context(), "request failed",
			"method", c.Request().Method, "path", logPath(c), "err", err)
	}
	switch {
	case a.status == http.StatusNotFound:
		a.heading = "Page not found"
	case a.status == http.StatusTooManyRequests:
		a.heading = "Please slow down"
	case a.status == http.StatusServiceUnavailable:
		a.heading = "Please try again in a moment"
	case a.status < 500:
		a.heading = "We could not do that"
	default:
		a.heading = "Sorry, something went wrong"
	}
	return a
}

// alert is the answer as a notice inside the page, saying when to try
// again unless its message does.
func (a errorAnswer) alert() templates.AlertView {
	v := templates.AlertView{Heading: a.heading, Message: a.msg}
	if a.retryAfter != "" && !a.retryTold {
		v.Retry = "Please try again in " + a.retryAfter + " seconds."
	}
	return v
}

// alertRegion is where an htmx request's error notice goes: the alert
// region of the step or region it was about to replace, so that what the
// person typed stays on the page; else the page's own alert region.
func alertRegion(hxTarget string) string {
	switch hxTarget {
	case "letter-flow":
		return "#flow-alert"
	case "lookup":
		return "#lookup-alert"
	}
	return "#page-alert"
}

// handleError is the one place errors become responses. An htmx request
// gets a notice swapped into the alert region of what it was updating,
// never a whole page inside the page.
func (r *renderer) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	// The answer is rendered even when the request's time for the
	// database ran out.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	a := r.answerFor(c, err)
	if a.retryAfter != "" {
		c.Response().Header().Set("Retry-After", a.retryAfter)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(a.status)
		return
	}
	if isAPI(c) {
		_ = c.JSON(a.status, apiError{Error: a.msg, Fields: a.fields})
		return
	}
	if isFragment(c) {
		h := c.Response().Header()
		h.Set("HX-Retarget", alertRegion(c.Request().Header.Get("HX-Target")))
		h.Set("HX-Reswap", "innerHTML")
		if rerr := r.render(c, a.status, nil, templates.Alert(a.alert())); rerr != nil {
			r.logger.Error("render error notice", "err", rerr)
		}
		return
	}
	page := templates.ErrorPage(r.meta(c, a.heading, ""), a.heading, a.msg)
	if rerr := r.render(c, a.status, page, nil); rerr != nil {
		r.logger.Error("render error page", "err", rerr)
	}
}
