package app_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/assay-social/assay/internal/testrig"
)

// A file in the instance's media directory is served at /media/KEY over
// real HTTP, through the app's middleware, ranges and all.
func TestMediaServedWithRanges(t *testing.T) {
	inst := testrig.NewInstance(t)
	const key = "01JABCDEFGHJKMNPQRSTVWXYZ0-720.mp4"
	data := make([]byte, 3<<20)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(inst.Media.Dir, key), data, 0o640); err != nil {
		t.Fatal(err)
	}

	req, _ := http.NewRequest("GET", inst.URL+"/media/"+key, nil)
	req.Header.Set("Range", "bytes=1000000-2000999")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, data[1000000:2001000]) {
		t.Fatalf("range: %d, %d bytes (equal: %v)", resp.StatusCode, len(body), bytes.Equal(body, data[1000000:2001000]))
	}
	for k, v := range map[string]string{
		"Content-Range":               "bytes 1000000-2000999/3145728",
		"Content-Type":                "video/mp4",
		"Cache-Control":               "public, max-age=31536000, immutable",
		"Access-Control-Allow-Origin": "*",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("the response did not pass through the app's middleware")
	}

	resp2 := inst.API("HEAD", "/media/"+key, "", nil)
	if resp2.StatusCode != http.StatusOK || resp2.Header.Get("Content-Length") != "3145728" || len(resp2.Body) != 0 {
		t.Errorf("HEAD: %d, Content-Length %q, %d bytes", resp2.StatusCode, resp2.Header.Get("Content-Length"), len(resp2.Body))
	}
	if resp := inst.API("GET", "/media/01JABCDEFGHJKMNPQRSTVWXYZ9-720.mp4", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing file: %d", resp.StatusCode)
	}

	// The route is counted under its pattern, not the key.
	metrics := string(inst.API("GET", "/metrics", "", nil).Body)
	if want := `assay_http_requests_total{code="206",method="GET",route="GET /media/{key}"} 1`; !bytes.Contains([]byte(metrics), []byte(want)) {
		t.Errorf("metrics lack %s", want)
	}
}
