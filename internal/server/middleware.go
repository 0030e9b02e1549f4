package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// logRequests writes one structured line per request. It logs the route's
// pattern ("/letters/:id"), never the real path or query: a letter's ID is
// the key to its page, and queries carry ZIP codes and coordinates.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := s.deps.Clock()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelError
		}
		s.deps.Logger.LogAttrs(req.Context(), level, "request",
			slog.String("method", req.Method),
			slog.String("path", logPath(c)),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("duration", s.deps.Clock().Sub(start)),
			slog.Bool("htmx", req.Header.Get("HX-Request") == "true"),
		)
		return nil
	}
}

// recoverPanics turns a panic in a handler into a 500 answer, and logs it
// with the stack that led to it.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.deps.Logger.ErrorContext(c.Request().Context(), "panic in a handler",
					"method", c.Request().Method, "path", logPath(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// securityHeaders sets the headers every response carries. The site has no
// inline script or style at all, and htmx is told never to run scripts in
// swapped content, so the policy allows scripts and styles from this site
// only: stricter than per-response nonces, and it leaves pages cacheable.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		// The keys are already canonical and the values never change, so
		// they are assigned directly: this runs on every request.
		for k, v := range baseHeaders {
			h[k] = v
		}
		if c.Request().TLS != nil || c.Request().Header.Get("X-Forwarded-Proto") == "https" {
			h["Strict-Transport-Security"] = hstsValue
		}
		return next(c)
	}
}

// baseHeaders are the security headers of every answer. Handlers that
// change one (the widgets' frame-ancestors) replace the value with Set,
// never modify these slices.
//
// The policy's default-src 'self' also governs scripts, styles and
// connections (script-src, style-src and connect-src fall back to it), so
// they are not named again: every answer carries these bytes.
var baseHeaders = map[string][]string{
	"Content-Security-Policy": {"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"},
	"X-Content-Type-Options":  {"nosniff"},
	"Referrer-Policy":         {"strict-origin-when-cross-origin"},
	"Permissions-Policy":      {"geolocation=(self), camera=(), microphone=(), payment=()"},
}

var hstsValue = []string{"max-age=31536000; includeSubDomains"}

// publicCORS opens GET requests of the public JSON API to every origin: the
// data is public and partners build their own displays from it.
func (s *Server) publicCORS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions {
			h := c.Response().Header()
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		}
		return next(c)
	}
}

// dbTimeout is Config.DBTimeout or its default.
func (s *Server) dbTimeout() time.Duration {
	if s.cfg.DBTimeout > 0 {
		return s.cfg.DBTimeout
	}
	return 3 * time.Second
}

// boundDB gives a request a deadline for its database work, so that a
// database that does not take writes is answered with a prompt 503
// instead of a slow failure.
func (s *Server) boundDB(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.dbTimeout())
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// headKey marks a HEAD request routed as a GET.
const headKey = "whipcount.head"

// headAsGet answers HEAD wherever GET is: the request is routed as a GET,
// then headRestored gives it back its method, so that handlers and
// net/http see the HEAD and send the headers without the body.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Method == http.MethodHead {
			r.Method = http.MethodGet
			c.Set(headKey, true)
		}
		return next(c)
	}
}

// headRestored runs first after routing; see headAsGet.
func headRestored(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if head, _ := c.Get(headKey).(bool); head {
			c.Request().Method = http.MethodHead
		}
		return next(c)
	}
}

// preflight answers a CORS preflight for the public GET API.
func (s *Server) preflight(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
	h.Set("Access-Control-Max-Age", "86400")
	h.Set("Allow", "GET, HEAD, OPTIONS")
	return c.NoContent(http.StatusNoContent)
}

// healthz answers 200 when the database answers and accepts a write, and
// 503 with Retry-After otherwise, within the database time-out. It is for
// load balancers and monitors; /livez says only that the process runs.
func (s *Server) healthz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if s.deps.Health != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.dbTimeout())
		defer cancel()
		if err := s.deps.Health(ctx); err != nil {
			s.deps.Logger.Error("health check: the database does not accept writes", "err", err)
			c.Response().Header().Set("Retry-After", unavailableRetry)
			return c.String(http.StatusServiceUnavailable, "database does not accept writes\n")
		}
	}
	return c.String(http.StatusOK, "ok\n"+s.deliveries.healthLines(c.Request().Context()))
}

// livez answers 200 while the process serves requests, whatever the
// database's state: restart the process only when this fails.
func (s *Server) livez(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(http.StatusOK, "ok\n")
}

// logPath is the matched route's pattern, or the path of a static file or
// an unmatched request (neither carries anything personal).
func logPath(c echo.Context) string {
	if p := c.Path(); p != "" && p != "/*" && !strings.HasPrefix(p, "/static/") {
		return p
	}
	if strings.HasPrefix(c.Request().URL.Path, "/static/") {
		return c.Request().URL.Path
	}
	return "(no route)"
}
