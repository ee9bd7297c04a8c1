package signing

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"strings"

	"github.com/assay-social/assay/internal/apperr"
)

// checkDigest compares the RFC 3230 Digest header values (a comma-separated
// list of algorithm=base64 pairs, algorithm names case-insensitive) with body.
// SHA-256 and SHA-512 entries are checked and every one must match; other
// algorithms (SHA-1 "SHA", MD5, …) are ignored, and a Digest with nothing
// else is refused. go-fed/httpsig never looks at the Digest on verification.
func checkDigest(values []string, body []byte) error {
	var sum256, sum512 []byte // each computed once, however many entries name it
	checked := false
	for _, v := range values {
		for entry := range strings.SplitSeq(v, ",") {
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			alg, val, ok := strings.Cut(entry, "=")
			if !ok {
				return apperr.BadRequest("the Digest header is malformed: expected algorithm=value")
			}
			var want []byte
			switch strings.ToLower(strings.TrimSpace(alg)) {
			case "sha-256":
				if sum256 == nil {
					s := sha256.Sum256(body)
					sum256 = s[:]
				}
				want = sum256
			case "sha-512":
				if sum512 == nil {
					s := sha512.Sum512(body)
					sum512 = s[:]
				}
				want = sum512
			default:
				continue
			}
			got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
			if err != nil || len(got) != len(want) {
				return apperr.BadRequest("the Digest header is malformed: its " + strings.ToUpper(strings.TrimSpace(alg)) + " value is not a base64 digest")
			}
			if !bytes.Equal(got, want) {
				return apperr.BadRequest("the Digest header does not match the body")
			}
			checked = true
		}
	}
	if !checked {
		return apperr.BadRequest("the Digest header has no SHA-256 value (SHA-1 and MD5 are not accepted)")
	}
	return nil
}
