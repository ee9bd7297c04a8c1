// Package apperr gives errors their HTTP meaning where they arise, so handlers
// only render them. A domain package returns apperr.New(http.StatusConflict,
// "that username is taken"); the handler writes the status and the message.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error a person may read, with the HTTP status that fits it.
// Public is shown to the client; the wrapped cause stays in the logs.
type Error struct {
	Status int
	Public string
	cause  error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %v", e.Public, e.cause)
	}
	return e.Public
}

func (e *Error) Unwrap() error { return e.cause }

// New makes an error with a status and a message safe to show.
func New(status int, public string) *Error { return &Error{Status: status, Public: public} }

// Wrap keeps the cause for logs while showing only public.
func Wrap(status int, public string, cause error) *Error {
	return &Error{Status: status, Public: public, cause: cause}
}

// Shorthands for the statuses domain code reaches for most.
func BadRequest(public string) *Error   { return New(http.StatusBadRequest, public) }
func Unauthorized(public string) *Error { return New(http.StatusUnauthorized, public) }
func Forbidden(public string) *Error    { return New(http.StatusForbidden, public) }
func NotFound(public string) *Error     { return New(http.StatusNotFound, public) }
func Conflict(public string) *Error     { return New(http.StatusConflict, public) }
func TooLarge(public string) *Error     { return New(http.StatusRequestEntityTooLarge, public) }
func Unprocessable(public string) *Error {
	return New(http.StatusUnprocessableEntity, public)
}

// Status and message for any error: an *Error speaks for itself; anything
// else is an internal failure whose detail must not leak.
func From(err error) (status int, public string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Status, e.Public
	}
	return http.StatusInternalServerError, "internal server error"
}
