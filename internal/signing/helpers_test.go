package signing

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	"github.com/assay-social/assay/internal/apperr"
)

const (
	mastodonKeyID = "https://mastodon.example/users/alice#main-key"
	gtsKeyID      = "https://gts.example/users/alice/main-key"
)

// Two RSA-2048 keys per test binary: generating them is the slow part.
var (
	keysOnce     sync.Once
	keyA, keyB   *rsa.PrivateKey
	keysGenError error
)

func testKeys(tb testing.TB) (a, b *rsa.PrivateKey) {
	tb.Helper()
	keysOnce.Do(func() {
		keyA, keysGenError = rsa.GenerateKey(rand.Reader, 2048)
		if keysGenError == nil {
			keyB, keysGenError = rsa.GenerateKey(rand.Reader, 2048)
		}
	})
	if keysGenError != nil {
		tb.Fatal(keysGenError)
	}
	return keyA, keyB
}

// inboxServer is a real net/http server whose handler reads the body and
// verifies it with pub at clock(), answering 202 or the apperr status with
// {"error": reason}.
func inboxServer(t *testing.T, pub crypto.PublicKey, clock func() time.Time) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := Verify(r, body, pub, clock()); err != nil {
			status, reason := apperr.From(err)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": reason})
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// send performs req and returns the status and the {"error"} reason.
func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Error string `json:"error"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return resp.StatusCode, out.Error
}

func newPOST(t testing.TB, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	return req
}

func newGET(t testing.TB, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/activity+json")
	return req
}

// signWithGoFed signs req with go-fed directly over whatever headers it
// already carries (a custom Digest included), the way GoToSocial does:
// algorithm label "hs2019". expiresIn > 0 adds created/expires.
func signWithGoFed(t testing.TB, req *http.Request, key *rsa.PrivateKey, keyID string, headers []string, expiresIn int64) {
	t.Helper()
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, expiresIn)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Host", req.URL.Host)
	if req.Header.Get("Date") == "" {
		req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	if err := signer.SignRequest(key, keyID, req, nil); err != nil {
		t.Fatal(err)
	}
	req.Header.Del("Host")
}

func sha256Digest(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// wantAppErr asserts err is an *apperr.Error with status and reason (exact,
// or a prefix when reason ends in "…").
func wantAppErr(t *testing.T, err error, status int, reason string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *apperr.Error", err, err)
	}
	if ae.Status != status || !reasonMatches(ae.Public, reason) {
		t.Fatalf("got %d %q, want %d %q", ae.Status, ae.Public, status, reason)
	}
}

func reasonMatches(got, want string) bool {
	if p, ok := strings.CutSuffix(want, "…"); ok {
		return strings.HasPrefix(got, p)
	}
	return got == want
}
