package netguard

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// onlyTestServer allows 127.0.0.1, where httptest servers listen, and
// nothing else private: the rest of loopback, ::1 and every other private
// range stay refused.
var onlyTestServer = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// server starts an httptest server on 127.0.0.1 that counts its requests.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func ok(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target, http.StatusFound) }
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// get fetches url and reads the whole body.
func get(ctx context.Context, c *Client, url string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestRefusesForbiddenTargets(t *testing.T) {
	srv, hits := server(t, ok)
	p := port(t, srv)
	c := New(Options{})
	tests := []struct {
		name, url string
		hint      bool
	}{
		{"loopback test server", srv.URL, true},
		{"private address", "http://10.0.0.1/", true},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data", true},
		{"CGNAT", "http://100.64.0.1/", true},
		{"hostname resolving to loopback", "http://localhost:" + p + "/", true},
		{"IPv6 loopback", "http://[::1]:" + p + "/", true},
		{"IPv4-mapped loopback", "http://[::ffff:127.0.0.1]:" + p + "/", true},
		{"unspecified", "http://0.0.0.0:" + p + "/", false},
		{"https to private", "https://192.168.1.1/", true},
		{"link-local v6", "http://[fe80::1]/", true},
		{"unique local v6", "http://[fd00::1]/", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, _, err := get(context.Background(), c, tt.url)
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("GET %s: err = %v, want ErrForbiddenAddress", tt.url, err)
			}
			// The check runs before connect: no waiting on an unreachable host.
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("refusal took %v: the guard must act before connecting", d)
			}
			msg := err.Error()
			if !strings.Contains(msg, "netguard: refusing to connect to ") {
				t.Errorf("error does not say what was refused: %q", msg)
			}
			if got := strings.Contains(msg, "ASSAY_ALLOW_PRIVATE_NETWORKS=true"); got != tt.hint {
				t.Errorf("error %q: hint = %v, want %v", msg, got, tt.hint)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server was reached %d times", n)
	}
}

func TestAllowPrivate(t *testing.T) {
	srv, _ := server(t, ok)
	c := New(Options{AllowPrivate: true})
	for _, url := range []string{srv.URL, "http://localhost:" + port(t, srv) + "/"} {
		resp, body, err := get(context.Background(), c, url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		if resp.StatusCode != http.StatusOK || string(body) != "ok" {
			t.Fatalf("GET %s: %d %q", url, resp.StatusCode, body)
		}
	}
	// Not a unicast destination, private or not.
	if _, _, err := get(context.Background(), c, "http://0.0.0.0:"+port(t, srv)+"/"); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("GET 0.0.0.0 with AllowPrivate: err = %v, want ErrForbiddenAddress", err)
	}
}

func TestRedirectToForbiddenAddress(t *testing.T) {
	// A second server on 127.0.0.2, reachable unless the guard stops it.
	var otherHits atomic.Int64
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		ok(w, r)
	}))
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	otherURL := "http://127.0.0.2:1/"
	if err == nil {
		other.Listener.Close()
		other.Listener = ln
		other.Start()
		t.Cleanup(other.Close)
		otherURL = other.URL + "/"
		// Prove it is reachable when the guard allows it.
		if _, _, err := get(context.Background(), New(Options{AllowPrivate: true}), otherURL); err != nil {
			t.Fatalf("127.0.0.2 server unreachable even with AllowPrivate: %v", err)
		}
		otherHits.Store(0)
	} else {
		t.Logf("cannot listen on 127.0.0.2 (%v); testing the refusal only", err)
	}

	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			ok(w, r)
			return
		}
		redirectTo(r.URL.Query().Get("to"))(w, r)
	})
	c := New(Options{AllowAddrs: onlyTestServer})
	tests := []struct {
		name, to  string
		forbidden bool
	}{
		{"same allowed server", srv.URL + "/ok", false},
		{"other loopback address", otherURL, true},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data", true},
		{"private network", "http://10.0.0.1/", true},
		{"IPv6 loopback", "http://[::1]:" + port(t, srv) + "/ok", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			resp, body, err := get(context.Background(), c, srv.URL+"/go?to="+tt.to)
			if !tt.forbidden {
				if err != nil || string(body) != "ok" {
					t.Fatalf("redirect to %s: %v %q", tt.to, err, body)
				}
				if resp.Request.URL.Path != "/ok" {
					t.Errorf("final URL %s, want the redirect target", resp.Request.URL)
				}
				return
			}
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("redirect to %s: err = %v, want ErrForbiddenAddress", tt.to, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("refusal took %v", d)
			}
		})
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the 127.0.0.2 server was reached %d times", n)
	}
}

func TestRedirectLimit(t *testing.T) {
	// /hop/N redirects to /hop/N-1; /hop/0 answers.
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if n == 0 {
			ok(w, r)
			return
		}
		redirectTo(fmt.Sprintf("/hop/%d", n-1))(w, r)
	})
	tests := []struct {
		max, hops int
		wantErr   bool
	}{
		{0, 3, false}, // default 5
		{0, 5, false},
		{0, 6, true},
		{0, 10, true},
		{2, 2, false},
		{2, 3, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("max %d, %d hops", tt.max, tt.hops), func(t *testing.T) {
			c := New(Options{AllowAddrs: onlyTestServer, MaxRedirects: tt.max})
			_, body, err := get(context.Background(), c, fmt.Sprintf("%s/hop/%d", srv.URL, tt.hops))
			if !tt.wantErr {
				if err != nil || string(body) != "ok" {
					t.Fatalf("err = %v, body %q", err, body)
				}
				return
			}
			if !errors.Is(err, ErrTooManyRedirects) {
				t.Fatalf("err = %v, want ErrTooManyRedirects", err)
			}
			if !strings.Contains(err.Error(), "redirects") {
				t.Errorf("unclear error: %v", err)
			}
		})
	}
	t.Run("negative: not followed", func(t *testing.T) {
		c := New(Options{AllowAddrs: onlyTestServer, MaxRedirects: -1})
		resp, _, err := get(context.Background(), c, srv.URL+"/hop/1")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/hop/0" {
			t.Fatalf("got %d Location %q, want the 302 itself", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func TestBodyLimit(t *testing.T) {
	const mib = 1 << 20
	// /sized/N answers N bytes with Content-Length; /stream/N streams them
	// chunked, so only reading finds the size out.
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		kind, num, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		n, _ := strconv.Atoi(num)
		if kind == "sized" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		} else {
			w.(http.Flusher).Flush()
		}
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for n > 0 {
			k := min(n, len(chunk))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			n -= k
		}
	})
	tests := []struct {
		name      string
		max       int64 // Options.MaxBodyBytes
		ctxLimit  int64 // WithLimit, 0 for none
		path      string
		wantDoErr bool // refused by Content-Length before any read
		wantRead  bool // refused while reading
	}{
		{"2 MiB declared, default limit", 0, 0, "/sized/" + strconv.Itoa(2*mib), true, false},
		{"2 MiB streamed, default limit", 0, 0, "/stream/" + strconv.Itoa(2*mib), false, true},
		{"1 MiB + 1 streamed", 0, 0, "/stream/" + strconv.Itoa(mib+1), false, true},
		{"exactly 1 MiB streamed", 0, 0, "/stream/" + strconv.Itoa(mib), false, false},
		{"exactly 1 MiB declared", 0, 0, "/sized/" + strconv.Itoa(mib), false, false},
		{"2 MiB declared, WithLimit 4 MiB", 0, 4 * mib, "/sized/" + strconv.Itoa(2*mib), false, false},
		{"2 MiB streamed, WithLimit 4 MiB", 0, 4 * mib, "/stream/" + strconv.Itoa(2*mib), false, false},
		{"WithLimit lowers it", 0, 100, "/stream/1000", false, true},
		{"Options.MaxBodyBytes", 10, 0, "/sized/11", true, false},
		{"empty body", 10, 0, "/stream/0", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{AllowAddrs: onlyTestServer, MaxBodyBytes: tt.max})
			ctx := context.Background()
			if tt.ctxLimit != 0 {
				ctx = WithLimit(ctx, tt.ctxLimit)
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+tt.path, nil)
			resp, err := c.Do(req)
			if tt.wantDoErr {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("Do: err = %v, want ErrTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if tt.wantRead {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("read %d bytes, err = %v, want ErrTooLarge", len(body), err)
				}
				// Reading again keeps failing rather than pretending the body ended.
				if _, err := resp.Body.Read(make([]byte, 10)); !errors.Is(err, ErrTooLarge) {
					t.Errorf("second read: err = %v, want ErrTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			_, num, _ := strings.Cut(strings.TrimPrefix(tt.path, "/"), "/")
			if want, _ := strconv.Atoi(num); len(body) != want {
				t.Fatalf("read %d bytes, want %d", len(body), want)
			}
		})
	}
}

func TestSigner(t *testing.T) {
	// final records the signature header it got; start redirects there
	// (another host:port, as a cross-server redirect would be).
	var (
		mu       sync.Mutex
		finalSig string
		finalBod string
	)
	final, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		finalSig, finalBod = r.Header.Get("X-Test-Signature"), string(b)
		mu.Unlock()
		ok(w, r)
	})
	var startSig atomic.Value
	start, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		startSig.Store(r.Header.Get("X-Test-Signature"))
		code := http.StatusFound
		if r.Method == http.MethodPost {
			code = http.StatusTemporaryRedirect // keeps method and body
		}
		http.Redirect(w, r, final.URL+"/final", code)
	})
	c := New(Options{AllowAddrs: onlyTestServer})

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			var calls atomic.Int64
			sign := func(r *http.Request) error {
				n := calls.Add(1)
				r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
				r.Header.Set("X-Test-Signature", fmt.Sprintf("%d %s %s", n, r.Method, r.URL.Path))
				return nil
			}
			var body io.Reader
			if method == http.MethodPost {
				body = strings.NewReader(`{"type":"Follow"}`)
			}
			req, _ := http.NewRequestWithContext(WithSigner(context.Background(), sign), method, start.URL+"/start", body)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()

			if n := calls.Load(); n != 2 {
				t.Errorf("signer called %d times, want 2 (first request and redirect hop)", n)
			}
			if got, want := startSig.Load(), fmt.Sprintf("1 %s /start", method); got != want {
				t.Errorf("first server got signature %q, want %q", got, want)
			}
			mu.Lock()
			defer mu.Unlock()
			if want := fmt.Sprintf("2 %s /final", method); finalSig != want {
				t.Errorf("final server got signature %q, want %q", finalSig, want)
			}
			if method == http.MethodPost && finalBod != `{"type":"Follow"}` {
				t.Errorf("final server got body %q", finalBod)
			}
			if req.Header.Get("X-Test-Signature") != "" || req.Header.Get("Date") != "" {
				t.Error("the caller's request was modified")
			}
		})
	}

	t.Run("signer error", func(t *testing.T) {
		srv, hits := server(t, ok)
		boom := errors.New("no key")
		ctx := WithSigner(context.Background(), func(*http.Request) error { return boom })
		_, _, err := get(ctx, c, srv.URL)
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "signing") {
			t.Fatalf("err = %v, want the signer's error", err)
		}
		if hits.Load() != 0 {
			t.Error("an unsigned request was sent")
		}
	})
}

func TestScheme(t *testing.T) {
	srv, _ := server(t, redirectTo("file:///etc/passwd"))
	c := New(Options{AllowAddrs: onlyTestServer})
	for _, url := range []string{"file:///etc/passwd", "gopher://example.com/", "ftp://example.com/x", "data:text/plain,hi", srv.URL} {
		_, _, err := get(context.Background(), c, url)
		if !errors.Is(err, ErrUnsupportedScheme) {
			t.Errorf("GET %s: err = %v, want ErrUnsupportedScheme", url, err)
			continue
		}
		if !strings.Contains(err.Error(), "only http and https") {
			t.Errorf("unclear error: %v", err)
		}
	}
}

func TestUserAgent(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.UserAgent()) })
	tests := []struct {
		name, option, caller, want string
	}{
		{"default", "", "", DefaultUserAgent},
		{"configured", "Assay/0.1.0 (+https://video.example)", "", "Assay/0.1.0 (+https://video.example)"},
		{"caller's wins", "Assay/0.1.0", "Special/1.0", "Special/1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{AllowAddrs: onlyTestServer, UserAgent: tt.option})
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			if tt.caller != "" {
				req.Header.Set("User-Agent", tt.caller)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if string(got) != tt.want {
				t.Errorf("User-Agent %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTLS(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		ok(w, r)
	}))
	t.Cleanup(srv.Close)
	trust := func(c *Client) *Client {
		c.transport.TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
		return c
	}
	if _, _, err := get(context.Background(), trust(New(Options{})), srv.URL); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("https to loopback: err = %v, want ErrForbiddenAddress", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the TLS server was reached")
	}
	_, body, err := get(context.Background(), trust(New(Options{AllowAddrs: onlyTestServer})), srv.URL)
	if err != nil || string(body) != "ok" {
		t.Fatalf("https to an allowed server: %v %q", err, body)
	}
}

func TestDefaults(t *testing.T) {
	c := New(Options{})
	if c.http.Timeout != DefaultTimeout {
		t.Errorf("timeout %v", c.http.Timeout)
	}
	tr := c.transport
	if tr.TLSHandshakeTimeout != 10*time.Second || tr.ResponseHeaderTimeout != 15*time.Second ||
		tr.MaxIdleConnsPerHost != 16 || tr.Proxy != nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Errorf("transport not hardened as documented: %+v", tr)
	}
	if New(Options{Timeout: -1}).http.Timeout != 0 {
		t.Error("negative Timeout should mean none")
	}
	long := c.WithTimeout(10 * time.Minute)
	if long.http.Timeout != 10*time.Minute || long.transport != c.transport || c.http.Timeout != DefaultTimeout {
		t.Error("WithTimeout should share the transport and leave c alone")
	}
	if c.WithTimeout(-time.Second).http.Timeout != 0 {
		t.Error("WithTimeout(negative) should mean none")
	}
}

func TestHTTPClientIsGuardedCopy(t *testing.T) {
	srv, _ := server(t, ok)
	c := New(Options{})
	hc := c.HTTPClient()
	if _, err := hc.Get(srv.URL); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("HTTPClient().Get loopback: err = %v, want ErrForbiddenAddress", err)
	}
	hc.Transport = http.DefaultTransport
	if _, _, err := get(context.Background(), c, srv.URL); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("changing the copy weakened the client: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv, hits := server(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Test-Signature"))
	})
	c := New(Options{AllowAddrs: onlyTestServer})
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Go(func() {
			want := strconv.Itoa(i)
			ctx := WithSigner(context.Background(), func(r *http.Request) error {
				r.Header.Set("X-Test-Signature", want)
				return nil
			})
			_, body, err := get(ctx, c, srv.URL)
			if err == nil && string(body) != want {
				err = fmt.Errorf("got signature %q, want %q", body, want)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if hits.Load() != 32 {
		t.Errorf("%d requests arrived, want 32", hits.Load())
	}
}
