package signing

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A delivery-sized activity (about 1 KiB).
var benchBody = bytes.Repeat([]byte(`{"type":"Note","content":"x"}`), 36)

// BenchmarkSignPOST: one outgoing delivery signature (RSA-2048 sign).
func BenchmarkSignPOST(b *testing.B) {
	key, _ := testKeys(b)
	req, err := http.NewRequest(http.MethodPost, "https://b.example/users/bob/inbox", bytes.NewReader(benchBody))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := SignPOST(req, benchBody, mastodonKeyID, key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify: one incoming delivery, as a server holds it (parse,
// policy, Date, RSA-2048 verify, Digest).
func BenchmarkVerify(b *testing.B) {
	key, _ := testKeys(b)
	client, err := http.NewRequest(http.MethodPost, "https://b.example/users/bob/inbox", bytes.NewReader(benchBody))
	if err != nil {
		b.Fatal(err)
	}
	if err := SignPOST(client, benchBody, mastodonKeyID, key); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/users/bob/inbox", bytes.NewReader(benchBody))
	r.Host = "b.example"
	r.Header = client.Header.Clone()
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(r, benchBody, &key.PublicKey, now); err != nil {
			b.Fatal(err)
		}
	}
}
