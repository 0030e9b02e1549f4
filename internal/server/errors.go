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
func (s *Server) unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	return s.deps.Unavailable != nil && s.deps.Unavailable(err)
}

// answer is how an error is told: status, message, field messages and the
// Retry-After header, if any.
type answer struct {
	status     int
	msg        string
	fields     map[string]string
	retryAfter string
}

// answerFor classifies an error; it is the one mapping from errors to
// answers, for pages, fragments, JSON and widgets alike. Internal errors
// are logged here, with the database's faults as warnings of their own.
func (s *Server) answerFor(c echo.Context, err error) answer {
	a := answer{status: http.StatusInternalServerError, msg: "Something went wrong on our side. Please try again in a moment."}
	var de *advocacy.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
	case s.unavailable(err):
		s.deps.Logger.WarnContext(c.Request().Context(), "database unavailable: answered 503",
			"method", c.Request().Method, "path", logPath(c), "err", err)
		de = errUnavailable()
	}
	switch {
	case de != nil:
		a.status = statusFor(de.Code, isAPI(c))
		a.msg, a.fields = de.Message, de.Fields
		if ra := de.Fields["retry_after"]; ra != "" && (de.Code == advocacy.CodeRateLimit || de.Code == advocacy.CodeUnavailable) {
			a.retryAfter = ra
			if de.Code == advocacy.CodeUnavailable {
				a.fields = nil
			}
		}
	case errors.As(err, &he):
		a.status = he.Code
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
	if a.status >= 500 && a.status != http.StatusServiceUnavailable {
		s.deps.Logger.ErrorContext(c.Request().Context(), "request failed",
			"method", c.Request().Method, "path", logPath(c), "err", err)
	}
	return a
}

// stepError carries, with an error, how to show it inside the step the
// person was on, with everything they entered: the error handler picks the
// status, message and headers, then calls render.
type stepError struct {
	err    error
	render func(status int, msg string) error
}

func (e *stepError) Error() string { return e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// inStep attaches a step's renderer to err (nil stays nil).
func inStep(err error, render func(status int, msg string) error) error {
	if err == nil {
		return nil
	}
	return &stepError{err: err, render: render}
}

// handleError is the one place errors become responses. Only internal
// errors are logged; their details never reach the client.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	// The answer is rendered even when the request's time for the
	// database ran out.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	a := s.answerFor(c, err)
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
	var step *stepError
	if errors.As(err, &step) {
		if rerr := step.render(a.status, a.msg); rerr == nil || c.Response().Committed {
			return
		} else {
			s.deps.Logger.Error("render error in its step", "err", rerr)
		}
	}
	heading := "Sorry, something went wrong"
	switch {
	case a.status == http.StatusNotFound:
		heading = "Page not found"
	case a.status == http.StatusTooManyRequests:
		heading = "Please slow down"
	case a.status == http.StatusServiceUnavailable:
		heading = "Please try again in a moment"
	case a.status < 500:
		heading = "We could not do that"
	}
	page := templates.ErrorPage(s.meta(c, heading, ""), heading, a.msg)
	if rerr := s.render(c, a.status, page, nil); rerr != nil {
		s.deps.Logger.Error("render error page", "err", rerr)
	}
}
