package server

import (
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
	}
	return http.StatusInternalServerError
}

func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/")
}

// handleError is the one place errors become responses. Only internal
// errors are logged; their details never reach the client.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	msg := "Something went wrong on our side. Please try again in a moment."
	var fields map[string]string
	var de *advocacy.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
		status = statusFor(de.Code, isAPI(c))
		msg, fields = de.Message, de.Fields
		if ra := de.Fields["retry_after"]; de.Code == advocacy.CodeRateLimit && ra != "" {
			c.Response().Header().Set("Retry-After", ra)
		}
	case errors.As(err, &he):
		status = he.Code
		switch status {
		case http.StatusNotFound:
			msg = "We could not find that page."
		case http.StatusMethodNotAllowed:
			msg = "That action is not allowed here."
		case http.StatusRequestEntityTooLarge:
			msg = "That request is too large."
		default:
			if status < 500 {
				if m, ok := he.Message.(string); ok {
					msg = m
				} else {
					msg = http.StatusText(status)
				}
			}
		}
	}
	if status >= 500 {
		s.deps.Logger.ErrorContext(c.Request().Context(), "request failed",
			"method", c.Request().Method, "path", logPath(c), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if isAPI(c) {
		_ = c.JSON(status, apiError{Error: msg, Fields: fields})
		return
	}
	heading := "Sorry, something went wrong"
	if status == http.StatusNotFound {
		heading = "Page not found"
	} else if status == http.StatusTooManyRequests {
		heading = "Please slow down"
	} else if status < 500 {
		heading = "We could not do that"
	}
	page := templates.ErrorPage(s.meta(c, heading, ""), heading, msg)
	if rerr := s.render(c, status, page, nil); rerr != nil {
		s.deps.Logger.Error("render error page", "err", rerr)
	}
}
