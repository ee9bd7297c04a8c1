package signing

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/apperr"
)

// FuzzParseSignatureHeader: no input panics; every failure is a 400; every
// success has a keyId, signature bytes and lower-case signed headers, and
// survives String → Parse unchanged.
func FuzzParseSignatureHeader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sig, err := ParseSignatureHeader(in)
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
				t.Fatalf("error %v is not a 400 *apperr.Error", err)
			}
			return
		}
		if sig.KeyID == "" || len(sig.Signature) == 0 || len(sig.Headers) == 0 {
			t.Fatalf("parsed %q into %+v", in, sig)
		}
		for _, h := range sig.Headers {
			if h == "" || h != strings.ToLower(h) {
				t.Fatalf("signed header %q from %q", h, in)
			}
		}
		again, err := ParseSignatureHeader(sig.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", sig.String(), in, err)
		}
		if !reflect.DeepEqual(again, sig) {
			t.Fatalf("round trip of %q: %+v → %q → %+v", in, sig, sig.String(), again)
		}
	})
}

// fuzzSeeds: every signature header in the fixtures, plus handwritten ones.
func fuzzSeeds(tb testing.TB) []string {
	seeds := []string{
		`keyId="https://m.example/users/a#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AQIDBA=="`,
		`keyId="https://g.example/users/a/main-key",algorithm="hs2019",headers="(request-target) host date",signature="AQIDBA=="`,
		`keyId="k",algorithm="hs2019",created=1402170695,expires=1402170995,headers="(request-target) (created) (expires)",signature="AQIDBA=="`,
		`Signature keyId="k", headers="date", signature="AQIDBA=="`,
		`keyId="a\"b\\c",signature=AQIDBA`,
		`keyId="k",signature="AQIDBA==",keyId="j"`,
		`keyId="k",headers="",signature="AQIDBA=="`,
		`keyId="k",signature="AQIDBA==",`,
		`keyId="k`,
		`keyId="k\`,
		`signature`,
		`Signature`,
		`Signature =x`,
		`sig1=:AQIDBA==:`,
		`keyId="k",created=99999999999999999999,signature="AQIDBA=="`,
		"keyId=\"\xff\",signature=\"AQIDBA==\"",
		"",
	}
	dir := fixtureDir
	for _, f := range []string{"C.1-default.signature-header.txt", "C.2-basic.signature-header.txt", "C.3-all-headers.signature-header.txt"} {
		if b, err := os.ReadFile(filepath.Join(dir, "draft-cavage-appendix-c", f)); err == nil {
			seeds = append(seeds, strings.TrimSpace(string(b)))
		} else {
			tb.Fatalf("seed: %v", err)
		}
	}
	for _, f := range []string{"http-signature.json", "bad-http-signature.json"} {
		b, err := os.ReadFile(filepath.Join(dir, "peertube-mastodon", f))
		if err != nil {
			tb.Fatalf("seed: %v", err)
		}
		var c capturedRequest
		if err := json.Unmarshal(b, &c); err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, c.Headers["signature"])
	}
	for _, f := range []string{"nosignature-request.httpMessage", "nokeyid-request.httpMessage"} {
		b, err := os.ReadFile(filepath.Join(dir, "w3c-ccg-test-suite", "input", f))
		if err != nil {
			tb.Fatalf("seed: %v", err)
		}
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(string(b) + "\n")))
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, r.Header.Get("Authorization"))
	}
	return seeds
}

// FuzzVerify drives the whole verification path, go-fed included, with
// arbitrary Signature, Date and Digest values and bodies: no panic, and every
// refusal is an *apperr.Error with 400 or 401.
func FuzzVerify(f *testing.F) {
	key, _ := testKeys(f)
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	body := []byte(`{"type":"Follow"}`)
	client, err := http.NewRequest(http.MethodPost, "https://b.example/inbox", bytes.NewReader(body))
	if err != nil {
		f.Fatal(err)
	}
	if err := sign(client, body, mastodonKeyID, key, postHeaders, now); err != nil {
		f.Fatal(err)
	}
	f.Add(client.Header.Get("Signature"), client.Header.Get("Date"), client.Header.Get("Digest"), body)
	f.Add(client.Header.Get("Signature"), client.Header.Get("Date"), "sha-256=, SHA=x", []byte{})
	for _, s := range fuzzSeeds(f) {
		f.Add(s, "Sun, 05 Jan 2014 21:31:40 GMT", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", []byte(`{"hello": "world"}`))
	}
	f.Fuzz(func(t *testing.T, signature, date, digest string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/inbox", bytes.NewReader(body))
		r.Host = "b.example"
		for k, v := range map[string]string{"Signature": signature, "Date": date, "Digest": digest} {
			if v != "" {
				r.Header.Set(k, v)
			}
		}
		err := Verify(r, body, &key.PublicKey, now)
		if err == nil {
			return
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) || (ae.Status != 400 && ae.Status != 401) {
			t.Fatalf("error %v is not a 400/401 *apperr.Error", err)
		}
	})
}
