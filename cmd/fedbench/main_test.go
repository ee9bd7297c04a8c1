package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/signing"
)

func TestParseOpenSSLSpeed(t *testing.T) {
	out := `options: bn(64,64)
compiler: gcc -fPIC -pthread -m64
CPUINFO: OPENSSL_ia32cap=0xfffa3203078bffff:0x400684219c07ab
                  sign    verify    sign/s verify/s
rsa 2048 bits 0.000933s 0.000026s   1071.7  38111.4
`
	got, err := parseOpenSSLSpeed(out)
	if err != nil || got != 1071.7 {
		t.Fatalf("parseOpenSSLSpeed = %v, %v; want 1071.7", got, err)
	}
	if _, err := parseOpenSSLSpeed("no table here\n"); err == nil {
		t.Fatal("want an error without an rsa 2048 line")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.9, 90 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := percentile(d, tc.q); got != tc.want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile(nil) = %v", got)
	}
}

func TestLoopbackOnly(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:80/x", "http://127.0.0.201:4242/users/f0"} {
		if err := loopbackOnly(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1/", "https://example.com/", "http://[::1]:80/", "http://localhost/"} {
		if err := loopbackOnly(bad); err == nil {
			t.Errorf("%s allowed", bad)
		}
	}
}

func TestProcStat(t *testing.T) {
	// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
	stat := "2200 (postgres: x) S 1 2200 2200 0 -1 4194560 100 0 0 0 250 50 700 300 20 0 1 0 100 0 0"
	if got := commOf(stat); got != "postgres: x" {
		t.Errorf("commOf = %q", got)
	}
	if got := cpuOf(stat); got != 3 {
		t.Errorf("cpuOf = %v, want 3 s (300 ticks)", got)
	}
	if got := childrenCPUOf(stat); got != 10 {
		t.Errorf("childrenCPUOf = %v, want 10 s (1000 ticks)", got)
	}
}

// TestReceiverVerifies: a receiver accepts a correctly signed delivery,
// fetching the sender's key once, and refuses a tampered or unsigned one.
func TestReceiverVerifies(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	var actorURI string
	var fetches atomic.Int64
	sender := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/activity+json")
		w.Write(personDoc(actorURI, "alice", "", pubPEM)) //nolint:errcheck
	}))
	defer sender.Close()
	actorURI = sender.URL + "/users/alice"
	keyID := actorURI + "#main-key"

	b := &fanoutBench{rejected: map[string]int{}, keyClient: sender.Client()}
	rc := &receiver{b: b, base: "http://127.0.0.2:9", actors: map[string][]byte{}, inbox: map[string]bool{"/inbox": true}, keys: map[string]senderKey{}}
	run := &fanoutRun{objectURI: sender.URL + "/videos/1", expected: 2, done: make(chan struct{})}
	b.run.Store(run)

	body, _ := json.Marshal(map[string]any{
		"id": sender.URL + "/activities/1", "type": "Create", "actor": actorURI,
		"object": map[string]any{"id": sender.URL + "/videos/1", "type": "Video"},
	})
	deliver := func(path string, sign bool, tamper bool) int {
		req := httptest.NewRequest(http.MethodPost, rc.base+path, bytes.NewReader(body))
		if sign {
			if err := signing.SignPOST(req, body, keyID, key); err != nil {
				t.Fatal(err)
			}
		}
		if tamper {
			req.Body = httptestBody(append([]byte(nil), bytes.Replace(body, []byte("Create"), []byte("Delete"), 1)...))
		}
		rec := httptest.NewRecorder()
		rc.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := deliver("/inbox", true, false); code != http.StatusAccepted {
		t.Fatalf("a signed delivery got %d; rejected %v", code, b.rejected)
	}
	if code := deliver("/inbox", true, true); code != http.StatusUnauthorized && code != http.StatusBadRequest {
		t.Errorf("a tampered body got %d", code)
	}
	if code := deliver("/inbox", false, false); code != http.StatusUnauthorized {
		t.Errorf("an unsigned delivery got %d", code)
	}
	if code := deliver("/users/f0/inbox", true, false); code != http.StatusNotFound {
		t.Errorf("a POST to an inbox the receiver does not have got %d", code)
	}
	if got := run.verified.Load(); got != 1 {
		t.Errorf("verified = %d, want 1", got)
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("the sender's actor was fetched %d times, want once", n)
	}
}

func httptestBody(b []byte) *bodyReader { return &bodyReader{bytes.NewReader(b)} }

type bodyReader struct{ *bytes.Reader }

func (bodyReader) Close() error { return nil }
