package signing

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func TestCheckDigest(t *testing.T) {
	body := []byte(`{"hello": "world"}`)
	b64 := base64.StdEncoding.EncodeToString
	s1 := sha1.Sum(body)
	s5 := sha512.Sum512(body)
	m5 := md5.Sum(body)
	sha256v := sha256Digest(body)
	sha256val := strings.TrimPrefix(sha256v, "SHA-256=")

	// The draft-cavage Appendix C body and Digest.
	if sha256v != "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=" {
		t.Fatalf("Appendix C digest: %s", sha256v)
	}
	for _, c := range []struct {
		name   string
		values []string
		reason string // "" = accepted
	}{
		{"SHA-256", []string{sha256v}, ""},
		{"lower case", []string{"sha-256=" + sha256val}, ""},
		{"spaces", []string{"  SHA-256 = " + sha256val + " "}, ""},
		{"in a list", []string{"SHA=" + b64(s1[:]) + ", " + sha256v}, ""},
		{"across header lines", []string{"MD5=" + b64(m5[:]), sha256v}, ""},
		{"SHA-512 alone", []string{"SHA-512=" + b64(s5[:])}, ""},
		{"SHA-256 and SHA-512", []string{sha256v + ",SHA-512=" + b64(s5[:])}, ""},
		{"SHA-512 wrong", []string{sha256v + ",SHA-512=" + b64(s1[:])}, "the Digest header is malformed: its SHA-512 value is not a base64 digest"},
		{"SHA-1 only", []string{"SHA=" + b64(s1[:])}, "the Digest header has no SHA-256 value (SHA-1 and MD5 are not accepted)"},
		{"MD5 only", []string{"MD5=" + b64(m5[:])}, "the Digest header has no SHA-256 value (SHA-1 and MD5 are not accepted)"},
		{"empty", []string{""}, "the Digest header has no SHA-256 value (SHA-1 and MD5 are not accepted)"},
		{"no equals", []string{"SHA-256"}, "the Digest header is malformed: expected algorithm=value"},
		{"not base64", []string{"SHA-256=???"}, "the Digest header is malformed: its SHA-256 value is not a base64 digest"},
		{"wrong length", []string{"SHA-256=" + b64(s1[:])}, "the Digest header is malformed: its SHA-256 value is not a base64 digest"},
		{"mismatch", []string{sha256Digest([]byte("{}"))}, "the Digest header does not match the body"},
		{"one of two SHA-256 wrong", []string{sha256v, sha256Digest([]byte("{}"))}, "the Digest header does not match the body"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkDigest(c.values, body)
			if c.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantAppErr(t, err, http.StatusBadRequest, c.reason)
		})
	}
}
