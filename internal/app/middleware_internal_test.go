package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// connWriter stands for the connection's response writer: it has ReadFrom,
// which is where sendfile happens, and counts what arrives by each path.
type connWriter struct {
	*httptest.ResponseRecorder
	viaReadFrom, viaWrite int64
}

func (w *connWriter) Write(b []byte) (int, error) {
	w.viaWrite += int64(len(b))
	return w.ResponseRecorder.Write(b)
}

func (w *connWriter) ReadFrom(r io.Reader) (int64, error) {
	n, err := io.Copy(w.ResponseRecorder, r)
	w.viaReadFrom += n
	return n, err
}

// A file body copied through the status-recording middleware reaches the
// connection's ReadFrom (sendfile), not 32 KiB Writes, and its status is
// still recorded for the log and metrics.
func TestStatusWriterKeepsReadFrom(t *testing.T) {
	conn := &connWriter{ResponseRecorder: httptest.NewRecorder()}
	sw := &statusWriter{ResponseWriter: conn}
	var w http.ResponseWriter = sw
	if _, err := io.CopyN(w, strings.NewReader(strings.Repeat("x", 100000)), 100000); err != nil {
		t.Fatal(err)
	}
	if conn.viaReadFrom != 100000 || conn.viaWrite != 0 {
		t.Errorf("ReadFrom got %d bytes, Write got %d: the body should go by ReadFrom", conn.viaReadFrom, conn.viaWrite)
	}
	if sw.status != http.StatusOK {
		t.Errorf("status recorded %d, want 200", sw.status)
	}
}
