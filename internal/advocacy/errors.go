package advocacy

import "errors"

// Code classifies an Error so the HTTP layer can pick a status.
type Code string

// Error codes.
const (
	CodeInvalid   Code = "invalid"   // malformed input: 400 for JSON, 422 for forms
	CodeNotFound  Code = "not_found" // 404
	CodeConflict  Code = "conflict"  // 409
	CodeRateLimit Code = "rate_limited"
	// CodeUnavailable: the request was fine but cannot be done right now
	// (the database does not take writes): 503 with Retry-After.
	CodeUnavailable Code = "unavailable"
)

// Error is a domain error with a code, a plain-language message and optional
// per-field messages.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return e.Message }

// Invalid builds a validation error for one field.
func Invalid(field, msg string) *Error {
	return &Error{Code: CodeInvalid, Message: msg, Fields: map[string]string{field: msg}}
}

// NotFound builds a not-found error.
func NotFound(msg string) *Error { return &Error{Code: CodeNotFound, Message: msg} }

// ErrorCode returns the code of err if it is (or wraps) an *Error, else "".
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
