package media_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/media"
)

const (
	videoKey = "01JABCDEFGHJKMNPQRSTVWXYZ0-720.mp4"
	thumbKey = "01JABCDEFGHJKMNPQRSTVWXYZ0-thumb.jpg"
	fileSize = 1 << 20
)

// mediaServer serves a Local in a temporary directory holding a 1 MiB
// random video and a small thumbnail, behind a mux as in the app, over real
// HTTP (so the sendfile path is the one taken), with media.ConnContext.
// wrap, if not nil, goes around the handler.
func mediaServer(t *testing.T, wrap func(http.Handler) http.Handler) (url string, video []byte) {
	t.Helper()
	l, err := media.NewLocal(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	video = make([]byte, fileSize)
	rand.Read(video)
	if err := os.WriteFile(filepath.Join(l.Dir, videoKey), video, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(l.Dir, thumbKey), []byte("\xff\xd8\xff\xe0 not really a jpeg"), 0o640); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	var h http.Handler = l
	if wrap != nil {
		h = wrap(h)
	}
	mux.Handle("GET /media/{key}", h)
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnContext = media.ConnContext
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL + "/media/", video
}

func get(t *testing.T, method, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp, body
}

func wantHeaders(t *testing.T, resp *http.Response, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
}

var etagShape = regexp.MustCompile(`^"[0-9a-f]+-[0-9a-f]+"$`)

func TestServeWholeFile(t *testing.T) {
	base, video := mediaServer(t, nil)
	resp, body := get(t, "GET", base+videoKey)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, video) {
		t.Fatalf("GET: %d, %d bytes (equal: %v)", resp.StatusCode, len(body), bytes.Equal(body, video))
	}
	wantHeaders(t, resp, map[string]string{
		"Content-Type":                "video/mp4",
		"Content-Length":              strconv.Itoa(fileSize),
		"Cache-Control":               "public, max-age=31536000, immutable",
		"Accept-Ranges":               "bytes",
		"X-Content-Type-Options":      "nosniff",
		"Access-Control-Allow-Origin": "*",
	})
	if !etagShape.MatchString(resp.Header.Get("ETag")) {
		t.Errorf("ETag %q is not a strong size-mtime tag", resp.Header.Get("ETag"))
	}
	if resp.Header.Get("Last-Modified") == "" {
		t.Error("no Last-Modified")
	}

	resp, _ = get(t, "GET", base+thumbKey)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("thumbnail: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestServeRanges(t *testing.T) {
	base, video := mediaServer(t, nil)
	for _, c := range []struct {
		rng, contentRange string
		want              []byte
	}{
		{"bytes=100-199", "bytes 100-199/1048576", video[100:200]},
		{"bytes=-500", "bytes 1048076-1048575/1048576", video[fileSize-500:]},
		{"bytes=1048000-", "bytes 1048000-1048575/1048576", video[1048000:]},
		{"bytes=0-0", "bytes 0-0/1048576", video[:1]},
	} {
		resp, body := get(t, "GET", base+videoKey, "Range", c.rng)
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, c.want) {
			t.Errorf("%s: %d, %d bytes (want %d, equal: %v)", c.rng, resp.StatusCode, len(body), len(c.want), bytes.Equal(body, c.want))
			continue
		}
		wantHeaders(t, resp, map[string]string{
			"Content-Range":  c.contentRange,
			"Content-Length": strconv.Itoa(len(c.want)),
			"Content-Type":   "video/mp4",
			"Cache-Control":  "public, max-age=31536000, immutable",
		})
	}

	resp, _ := get(t, "GET", base+videoKey, "Range", "bytes=2000000-2000099")
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || resp.Header.Get("Content-Range") != "bytes */1048576" {
		t.Errorf("range past the end: %d, Content-Range %q", resp.StatusCode, resp.Header.Get("Content-Range"))
	}
	if resp.Header.Get("Cache-Control") != "" || resp.Header.Get("ETag") != "" {
		t.Errorf("416 carries caching headers: Cache-Control %q, ETag %q", resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
	}

	// Several ranges: multipart/byteranges (no sendfile, the same ReadFrom).
	resp, body := get(t, "GET", base+videoKey, "Range", "bytes=0-9,500000-500009")
	mt, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusPartialContent || mt != "multipart/byteranges" {
		t.Fatalf("two ranges: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for _, want := range [][]byte{video[0:10], video[500000:500010]} {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("two ranges: %v", err)
		}
		got, _ := io.ReadAll(part)
		if !bytes.Equal(got, want) || part.Header.Get("Content-Type") != "video/mp4" {
			t.Errorf("two ranges: part %q (%s), want %x", got, part.Header.Get("Content-Type"), want)
		}
	}

	// If-Range with the current ETag honours the range; with another, the
	// whole file comes back.
	full, _ := get(t, "HEAD", base+videoKey)
	etag := full.Header.Get("ETag")
	if resp, body := get(t, "GET", base+videoKey, "Range", "bytes=10-19", "If-Range", etag); resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, video[10:20]) {
		t.Errorf("If-Range with the ETag: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, body := get(t, "GET", base+videoKey, "Range", "bytes=10-19", "If-Range", `"other"`); resp.StatusCode != http.StatusOK || len(body) != fileSize {
		t.Errorf("If-Range with another ETag: %d, %d bytes", resp.StatusCode, len(body))
	}
}

func TestServeConditional(t *testing.T) {
	base, _ := mediaServer(t, nil)
	full, _ := get(t, "HEAD", base+videoKey)
	etag, lastModified := full.Header.Get("ETag"), full.Header.Get("Last-Modified")

	resp, body := get(t, "GET", base+videoKey, "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") != etag {
		t.Errorf("If-None-Match: %d, %d bytes, ETag %q", resp.StatusCode, len(body), resp.Header.Get("ETag"))
	}
	resp, _ = get(t, "GET", base+videoKey, "If-None-Match", `"0-0"`)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("If-None-Match with another tag: %d", resp.StatusCode)
	}
	resp, body = get(t, "GET", base+videoKey, "If-Modified-Since", lastModified)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("If-Modified-Since: %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, _ = get(t, "GET", base+videoKey, "If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("If-Modified-Since in the past: %d", resp.StatusCode)
	}
}

func TestServeHead(t *testing.T) {
	base, _ := mediaServer(t, nil)
	resp, body := get(t, "HEAD", base+videoKey)
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("HEAD: %d, %d bytes", resp.StatusCode, len(body))
	}
	wantHeaders(t, resp, map[string]string{
		"Content-Length": strconv.Itoa(fileSize),
		"Content-Type":   "video/mp4",
		"Accept-Ranges":  "bytes",
		"Cache-Control":  "public, max-age=31536000, immutable",
	})
	resp, body = get(t, "HEAD", base+videoKey, "Range", "bytes=100-199")
	if resp.StatusCode != http.StatusPartialContent || len(body) != 0 || resp.Header.Get("Content-Length") != "100" {
		t.Errorf("HEAD with a range: %d, %d bytes, Content-Length %q", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
	}
}

func TestServeNotFound(t *testing.T) {
	base, _ := mediaServer(t, nil)
	for _, key := range []string{
		"..%2Fetc%2Fpasswd", "x.exe", "01JABCDEFGHJKMNPQRSTVWXYZ1-720.mp4", "01JABCDEFGHJKMNPQRSTVWXYZ0-720.MP4",
	} {
		resp, body := get(t, "GET", base+key)
		if resp.StatusCode != http.StatusNotFound || string(body) != "not found\n" {
			t.Errorf("%s: %d %q", key, resp.StatusCode, body)
		}
		if resp.Header.Get("Cache-Control") != "" {
			t.Errorf("%s: 404 with Cache-Control %q", key, resp.Header.Get("Cache-Control"))
		}
	}

	// Straight to the handler, past the mux's own path cleaning.
	l, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(filepath.Dir(l.Dir), "secret.mp4")
	os.WriteFile(secret, []byte("secret"), 0o600)
	os.Mkdir(filepath.Join(l.Dir, "01JABCDEFGHJKMNPQRSTVWXYZ2.mp4"), 0o700) // a directory named like a key
	for _, key := range []string{"../etc/passwd", "../secret.mp4", "/etc/passwd", "", "x.exe", "01JABCDEFGHJKMNPQRSTVWXYZ2.mp4"} {
		req := httptest.NewRequest("GET", "/media/x", nil)
		req.SetPathValue("key", key)
		rec := httptest.NewRecorder()
		l.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound || rec.Body.String() != "not found\n" {
			t.Errorf("key %q: %d %q", key, rec.Code, rec.Body)
		}
	}
}

// statusRecorder is like the app's middleware: it wraps the ResponseWriter,
// has no ReadFrom of its own, and unwraps.
// With ConnContext the connection is corked while a file is sent: the
// cork must come off at the end of every response, or each one's last
// partial segment would wait for the kernel's 200 ms timer.
func TestServeCorkComesOff(t *testing.T) {
	base, video := mediaServer(t, nil)
	start := time.Now()
	for i := range 20 {
		first := 1000 * i
		rng := "bytes=" + strconv.Itoa(first) + "-" + strconv.Itoa(first+100000+i)
		resp, body := get(t, "GET", base+videoKey, "Range", rng)
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, video[first:first+100001+i]) {
			t.Fatalf("%s: %d, %d bytes", rng, resp.StatusCode, len(body))
		}
		etag := resp.Header.Get("ETag")
		if resp, _ := get(t, "GET", base+videoKey, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Fatalf("If-None-Match: %d", resp.StatusCode)
		}
		if resp, _ := get(t, "HEAD", base+thumbKey); resp.StatusCode != http.StatusOK {
			t.Fatalf("HEAD: %d", resp.StatusCode)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("60 requests on a keep-alive connection took %s: a cork is left on", d)
	}
}

func BenchmarkServeRange(b *testing.B) {
	l, err := media.NewLocal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(l.Dir, videoKey), make([]byte, fileSize), 0o640); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/media/"+videoKey, nil)
	req.SetPathValue("key", videoKey)
	req.Header.Set("Range", "bytes=4096-8191")
	b.ReportAllocs()
	for b.Loop() {
		rec := discard{h: http.Header{}}
		l.ServeHTTP(&rec, req)
		if rec.code != http.StatusPartialContent {
			b.Fatal(rec.code)
		}
	}
}

type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.code = code }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
