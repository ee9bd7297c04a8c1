package signing

import (
	"bufio"
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/httpsig"
)

// ../shared/fixtures from the repository root; see its README's httpsig section.
const fixtureDir = "../../../shared/fixtures/httpsig"

func fixture(t testing.TB, parts ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{fixtureDir}, parts...)...))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return string(b)
}

// draft-cavage Appendix C: POST /foo?param=value&pet=dog to example.com.
const (
	appendixCDate = "Sun, 05 Jan 2014 21:31:40 GMT"
	appendixCBody = `{"hello": "world"}`
)

// appendixCRequest is the w3c test-suite's Appendix C message with the Date
// and the given Authorization value appended, read as a server reads it.
func appendixCRequest(t *testing.T, authorization string) *http.Request {
	t.Helper()
	msg := strings.TrimRight(fixture(t, "w3c-ccg-test-suite", "input", "default-test.httpMessage"), "\r\n")
	msg += "\nDate: " + appendixCDate
	if authorization != "" {
		msg += "\nAuthorization: " + authorization
	}
	msg += "\n\n" + appendixCBody
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(msg)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func appendixCKeys(t *testing.T) (*rsa.PublicKey, *rsa.PrivateKey) {
	t.Helper()
	pub, err := ParsePublicKeyPEM(fixture(t, "w3c-ccg-test-suite", "keys", "rsa.pub"))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ParsePrivateKeyPEM(fixture(t, "w3c-ccg-test-suite", "keys", "rsa.private"))
	if err != nil {
		t.Fatal(err)
	}
	rp, rk := pub.(*rsa.PublicKey), priv.(*rsa.PrivateKey)
	if rp.N.BitLen() != 1024 || !rk.PublicKey.Equal(rp) {
		t.Fatalf("Appendix C keys: %d bits, pair match %v", rp.N.BitLen(), rk.PublicKey.Equal(rp))
	}
	return rp, rk
}

func TestFixtureAppendixC(t *testing.T) {
	pub, priv := appendixCKeys(t)
	date, _ := http.ParseTime(appendixCDate)
	body := []byte(appendixCBody)

	for _, c := range []struct {
		file    string
		headers string
		status  int // of Verify: the vectors verify, but only C.3 meets Assay's policy
		reason  string
	}{
		{"C.1-default.signature-header.txt", "date", 401, "the signature must cover (request-target)"},
		{"C.2-basic.signature-header.txt", "(request-target) host date", 401, "the signature must cover the Digest header on a request with a body"},
		{"C.3-all-headers.signature-header.txt", "(request-target) host date content-type digest content-length", 0, ""},
	} {
		t.Run(c.file, func(t *testing.T) {
			header := strings.TrimSpace(fixture(t, "draft-cavage-appendix-c", c.file))
			sig, err := ParseSignatureHeader(header)
			if err != nil {
				t.Fatal(err)
			}
			if sig.KeyID != "Test" || sig.Algorithm != "rsa-sha256" || strings.Join(sig.Headers, " ") != c.headers || len(sig.Signature) != 128 {
				t.Fatalf("parsed %+v", sig)
			}

			r := appendixCRequest(t, header)
			if r.Host != "example.com" || r.Header.Get("Host") != "" {
				t.Fatalf("ReadRequest: Host %q, header %q", r.Host, r.Header.Get("Host"))
			}
			if id, err := KeyID(r); err != nil || id != "Test" {
				t.Fatalf("KeyID = %q, %v", id, err)
			}
			// The cryptography alone: every vector verifies with go-fed.
			if err := checkSignature(r, sig, fromAuthorization, pub); err != nil {
				t.Fatalf("vector does not verify: %v", err)
			}
			// And go-fed signing the same string with the same key (PKCS#1
			// v1.5 is deterministic) reproduces the vector.
			if got := goFedSignAppendixC(t, priv, sig.Headers); !bytes.Equal(got, sig.Signature) {
				t.Fatal("go-fed signature differs from the vector")
			}

			err = Verify(r, body, pub, date)
			if c.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				wantAppErr(t, err, c.status, c.reason)
			}
		})
	}

	r := appendixCRequest(t, strings.TrimSpace(fixture(t, "draft-cavage-appendix-c", "C.3-all-headers.signature-header.txt")))
	wantAppErr(t, Verify(r, body, pub, date.Add(13*time.Hour)), 401, "the Date header is 13h0m0s away from this server's clock (limit 12h)")
	if err := Verify(r, body, pub, date.Add(-12*time.Hour)); err != nil {
		t.Fatalf("12 h early: %v", err)
	}
	wantAppErr(t, Verify(r, []byte(`{"hello": "World"}`), pub, date), 400, "the Digest header does not match the body")
}

func goFedSignAppendixC(t *testing.T, priv *rsa.PrivateKey, headers []string) []byte {
	t.Helper()
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := appendixCRequest(t, "")
	r.Header.Set("Host", r.Host)
	if err := signer.SignRequest(priv, "Test", r, nil); err != nil {
		t.Fatal(err)
	}
	sig, err := ParseSignatureHeader(r.Header.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	return sig.Signature
}

// C.3 written byte for byte onto a socket of a real net/http server.
func TestFixtureAppendixCOverTheWire(t *testing.T) {
	pub, _ := appendixCKeys(t)
	date, _ := http.ParseTime(appendixCDate)
	srv := inboxServer(t, pub, func() time.Time { return date })

	header := strings.TrimSpace(fixture(t, "draft-cavage-appendix-c", "C.3-all-headers.signature-header.txt"))
	msg := strings.TrimRight(fixture(t, "w3c-ccg-test-suite", "input", "default-test.httpMessage"), "\r\n")
	msg = strings.ReplaceAll(msg, "\n", "\r\n") + "\r\nDate: " + appendixCDate + "\r\nAuthorization: " + header + "\r\nConnection: close\r\n\r\n" + appendixCBody

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, msg); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("got %d %s", resp.StatusCode, b)
	}
}

// The w3c test-suite's malformed and unsigned requests.
func TestFixtureW3CRefusals(t *testing.T) {
	pub, _ := appendixCKeys(t)
	for _, c := range []struct {
		file   string
		status int
		reason string
	}{
		{"nosignature-request.httpMessage", 400, "malformed HTTP signature: the signature parameter is missing or empty"},
		{"nokeyid-request.httpMessage", 400, "malformed HTTP signature: the keyId parameter is missing or empty"},
		{"basic-request.httpMessage", 401, "the request has no HTTP signature"},
	} {
		t.Run(c.file, func(t *testing.T) {
			r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(fixture(t, "w3c-ccg-test-suite", "input", c.file) + "\n")))
			if err != nil {
				t.Fatal(err)
			}
			_, err = KeyID(r)
			wantAppErr(t, err, c.status, c.reason)
			wantAppErr(t, Verify(r, nil, pub, time.Now()), c.status, c.reason)
		})
	}
}

// PeerTube's capture of a Mastodon 2.5 delivery.
type capturedRequest struct {
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func loadCapture(t *testing.T, file string) capturedRequest {
	t.Helper()
	var c capturedRequest
	if err := json.Unmarshal([]byte(fixture(t, "peertube-mastodon", file)), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func fixturePublicKey(t *testing.T, file string) (*rsa.PublicKey, error) {
	t.Helper()
	var k struct{ PublicKey, PrivateKey string }
	if err := json.Unmarshal([]byte(fixture(t, "peertube-mastodon", file)), &k); err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKeyPEM(k.PublicKey)
	if err != nil {
		return nil, err
	}
	return pub.(*rsa.PublicKey), nil
}

// serverRequest rebuilds the capture as PeerTube's test replays it, as a Go
// server would hold it: POST /accounts/ronan/inbox, Host in r.Host only.
func (c capturedRequest) serverRequest() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/accounts/ronan/inbox", bytes.NewReader(c.Body))
	r.Header = http.Header{}
	for k, v := range c.Headers {
		if strings.EqualFold(k, "host") {
			r.Host = v
			continue
		}
		r.Header.Set(k, v)
	}
	return r
}

func TestFixtureMastodonCapture(t *testing.T) {
	good := loadCapture(t, "http-signature.json")
	bad := loadCapture(t, "bad-http-signature.json")
	pub, err := fixturePublicKey(t, "public-key.json")
	if err != nil {
		t.Fatal(err)
	}
	date, err := http.ParseTime(good.Headers["date"])
	if err != nil {
		t.Fatal(err)
	}

	r := good.serverRequest()
	if id, err := KeyID(r); err != nil || id != "http://localhost:3000/users/ronan2#main-key" {
		t.Fatalf("KeyID = %q, %v", id, err)
	}
	sig, _, err := signatureOf(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSignature(r, sig, fromSignature, pub); err != nil {
		t.Fatalf("Mastodon's signature does not verify: %v", err)
	}
	// The fixture's body was re-serialised, so its Digest cannot match; the
	// signature is checked first, so reaching the Digest check means it held.
	wantAppErr(t, Verify(r, good.Body, pub, date), 400, "the Digest header does not match the body")
	wantAppErr(t, Verify(r, good.Body, pub, date.Add(13*time.Hour)), 401, "the Date header is 13h0m0s away from this server's clock (limit 12h)")

	// Tampered signature: fails with the right key…
	err = Verify(bad.serverRequest(), bad.Body, pub, date)
	wantAppErr(t, err, 401, "the signature does not verify with the sender's public key")
	if !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("%v is not ErrSignatureMismatch", err)
	}

	// …and the right signature fails with the tampered key, as does the
	// tampered one.
	badPub, err := fixturePublicKey(t, "bad-public-key.json")
	if err != nil {
		t.Fatalf("bad-public-key.json is still a well-formed RSA key: %v", err)
	}
	for _, c := range []capturedRequest{good, bad} {
		wantAppErr(t, Verify(c.serverRequest(), c.Body, badPub, date), 401, "the signature does not verify with the sender's public key")
	}

	// Replayed through a real server, Host "localhost" on the wire.
	srv := inboxServer(t, pub, func() time.Time { return date })
	req := newPOST(t, srv.URL+"/accounts/ronan/inbox", good.Body)
	for k, v := range good.Headers {
		switch strings.ToLower(k) {
		case "host":
			req.Host = v
		case "content-length":
		default:
			req.Header.Set(k, v)
		}
	}
	if status, reason := send(t, req); status != 400 || reason != "the Digest header does not match the body" {
		t.Fatalf("got %d %q", status, reason)
	}
}

// PeerTube's test key pair (private key in PKCS#1) signs and verifies
// through Assay; its "invalid" pair (public key altered) does not.
func TestFixturePeerTubeKeys(t *testing.T) {
	load := func(file string) (*rsa.PrivateKey, *rsa.PublicKey) {
		var k struct{ PublicKey, PrivateKey string }
		if err := json.Unmarshal([]byte(fixture(t, "peertube-mastodon", file)), &k); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(k.PrivateKey, "BEGIN RSA PRIVATE KEY") {
			t.Fatalf("%s: private key is not PKCS#1", file)
		}
		priv, err := ParsePrivateKeyPEM(k.PrivateKey)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		pub, err := ParsePublicKeyPEM(k.PublicKey)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return priv.(*rsa.PrivateKey), pub.(*rsa.PublicKey)
	}

	priv, pub := load("peertube-keys.json")
	if !priv.PublicKey.Equal(pub) {
		t.Fatal("peertube-keys.json halves do not match")
	}
	srv := inboxServer(t, pub, time.Now)
	req := newPOST(t, srv.URL+"/accounts/ronan/inbox", activity)
	if err := SignPOST(req, activity, "http://localhost:9000/accounts/peertube#main-key", priv); err != nil {
		t.Fatal(err)
	}
	if status, reason := send(t, req); status != http.StatusAccepted {
		t.Fatalf("got %d %q", status, reason)
	}

	badPriv, badPub := load("peertube-invalid-keys.json")
	if badPriv.PublicKey.Equal(badPub) {
		t.Fatal("peertube-invalid-keys.json halves match")
	}
	srv = inboxServer(t, badPub, time.Now)
	req = newPOST(t, srv.URL+"/accounts/ronan/inbox", activity)
	if err := SignPOST(req, activity, "http://localhost:9000/accounts/peertube#main-key", badPriv); err != nil {
		t.Fatal(err)
	}
	if status, reason := send(t, req); status != 401 || reason != "the signature does not verify with the sender's public key" {
		t.Fatalf("got %d %q", status, reason)
	}
}
