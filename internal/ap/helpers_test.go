package ap

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureRoot is the shared fixtures' activitypub tree, relative to this
// package's directory.
const fixtureRoot = "../../../shared/fixtures/activitypub"

// readFixture returns a fixture's JSON body: the file itself, or for the raw
// HTTP responses Mastodon keeps under requests/ (*.txt), the body after the
// status line and headers.
func readFixture(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureRoot, rel))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	if strings.HasSuffix(rel, ".txt") {
		return splitHTTPResponse(t, b)
	}
	return b
}

// splitHTTPResponse splits a raw HTTP/1.x response (status line, headers,
// blank line, body) and returns the body. Mastodon's canned responses keep a
// "Transfer-Encoding: chunked" header over an unchunked body, so the body is
// taken verbatim rather than through net/http.
func splitHTTPResponse(t testing.TB, raw []byte) []byte {
	t.Helper()
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	status, err := r.ReadLine()
	if err != nil || !strings.HasPrefix(status, "HTTP/") {
		t.Fatalf("not a raw HTTP response: status line %q", status)
	}
	if _, err := r.ReadMIMEHeader(); err != nil {
		t.Fatalf("raw HTTP response headers: %v", err)
	}
	body, err := io.ReadAll(r.R)
	if err != nil {
		t.Fatalf("raw HTTP response body: %v", err)
	}
	return bytes.TrimSpace(body)
}
