package ap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/assay-social/assay/internal/apperr"
)

// refuse is a 400 with a reason a remote admin can act on.
func refuse(format string, args ...any) error {
	return apperr.BadRequest(fmt.Sprintf(format, args...))
}

// unsupported is a 400 that also matches ErrUnsupportedType.
func unsupported(format string, args ...any) error {
	return apperr.Wrap(http.StatusBadRequest, fmt.Sprintf(format, args...), ErrUnsupportedType)
}

// decode runs every check that needs no vocabulary — size, nesting depth, JSON
// syntax, a top-level object with a type — and then lets go-fed resolve the
// type. It returns the resolved type and the raw map (for error messages).
func decode(body []byte) (vocab.Type, map[string]any, error) {
	if len(body) > MaxBodyBytes {
		return nil, nil, refuse("the document is %d bytes; the limit is %d", len(body), MaxBodyBytes)
	}
	if err := checkDepth(body, MaxDepth); err != nil {
		return nil, nil, err
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, nil, apperr.Wrap(http.StatusBadRequest, "the document is not valid JSON", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, refuse("the document must be a JSON object, not %s", jsonKind(v))
	}
	if reason := notActivityStreams(m); reason != "" {
		return nil, nil, refuse("not an ActivityStreams document: %s", reason)
	}
	typ, ok := m["type"]
	if !ok {
		return nil, nil, refuse("the document has no type")
	}
	// ActivityStreams 2.0 Core §2.1: a document without the normative
	// @context is still read as if it had it (Lemmy's and PeerTube's
	// fixtures omit it). go-fed needs it to resolve aliases.
	if _, ok := m["@context"]; !ok {
		m["@context"] = "https://www.w3.org/ns/activitystreams"
	}
	scrubForGoFed(m, 0)
	t, err := toType(m)
	if err != nil {
		if errors.Is(err, streams.ErrUnhandledType) {
			return nil, m, unsupported("unsupported type %s", typeString(typ))
		}
		return nil, m, apperr.Wrap(http.StatusBadRequest, "malformed ActivityStreams document", err)
	}
	return t, m, nil
}

// toType is go-fed's ToType with a recover: go-fed v1.0.0 panics on a few
// malformed values (an empty xsd:duration indexes s[0]); a remote document
// must never take a worker down.
func toType(m map[string]any) (t vocab.Type, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("go-fed could not decode the document: %v", r)
		}
	}()
	return streams.ToType(context.Background(), m)
}

// scrubForGoFed prepares a document for go-fed v1.0.0: it removes a
// "duration" that does not start with "P" (go-fed's xsd:duration parser
// indexes s[0] and panics on ""; such a duration is meaningless anyway), and
// shields text values containing a colon from being read as IRIs
// (protectText).
func scrubForGoFed(v any, depth int) {
	if depth > MaxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if d, ok := x["duration"].(string); ok && !validDurationPrefix(d) {
			delete(x, "duration")
		}
		protectText(x)
		for _, e := range x {
			scrubForGoFed(e, depth+1)
		}
	case []any:
		for _, e := range x {
			scrubForGoFed(e, depth+1)
		}
	}
}

// validDurationPrefix is true when go-fed's parser will not index out of
// range: "P…" or "-P…".
func validDurationPrefix(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	return len(s) > 0 && s[0] == 'P'
}

// checkDepth refuses JSON nested deeper than max objects/arrays, scanning the
// bytes once without building anything, so a 10,000-deep document costs
// microseconds instead of a recursive decode. Brackets inside strings are
// skipped; syntax errors are left for json.Unmarshal.
func checkDepth(body []byte, max int) error {
	depth := 0
	inString, escaped := false, false
	for _, c := range body {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return refuse("the document nests deeper than %d levels", max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// notActivityStreams names the well-known JSON documents that arrive where
// ActivityStreams is expected but are something else, so the refusal says
// what was received.
func notActivityStreams(m map[string]any) string {
	if _, ok := m["$schema"]; ok {
		return "it is a JSON Schema"
	}
	_, hasType := m["type"]
	if _, ok := m["subject"]; ok && !hasType {
		if _, ok := m["links"]; ok {
			return "it is a WebFinger JRD (subject, links)"
		}
	}
	if _, ok := m["software"]; ok && !hasType {
		if _, ok := m["protocols"]; ok {
			return "it is a NodeInfo document (software, protocols)"
		}
	}
	return ""
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// typeString renders a raw "type" value for a message, whatever its shape.
func typeString(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []any:
		b, _ := json.Marshal(x)
		if len(b) > 120 {
			b = append(b[:117], "..."...)
		}
		return string(b)
	}
	return jsonKind(v)
}
