// Package httpx holds the few helpers every handler ends with, so responses
// and errors look the same everywhere.
package httpx

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/assay-social/assay/internal/apperr"
)

// JSON writes v with a status.
func JSON(w http.ResponseWriter, status int, v any) {
	jsonHeaders(w, status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}

// EncodedJSON writes a body already encoded as JSON, with a status.
func EncodedJSON(w http.ResponseWriter, status int, body []byte) {
	jsonHeaders(w, status)
	w.Write(body) //nolint:errcheck // the client went away
}

func jsonHeaders(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
}

// JSONError writes {"error": reason} with the error's status, logging the
// cause of internal failures without showing it.
func JSONError(w http.ResponseWriter, r *http.Request, err error) {
	status, public := apperr.From(err)
	if status >= 500 {
		Logger(r.Context()).Error("request failed", "err", err)
	}
	JSON(w, status, map[string]string{"error": public})
}

type loggerKey struct{}

// WithLogger puts the request's logger (with its request id) in ctx.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the request's logger, or the default one.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// DecodeJSON reads a JSON body of at most limit bytes into v.
func DecodeJSON(r *http.Request, limit int64, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.Wrap(http.StatusBadRequest, "the request body is not the JSON this endpoint expects: "+err.Error(), err)
	}
	return nil
}
