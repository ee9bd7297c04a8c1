// Package signing is Assay's HTTP signatures (draft-cavage) around
// github.com/go-fed/httpsig: signing outgoing deliveries and fetches, and
// verifying incoming ones with the checks go-fed leaves out (Digest against
// the body, Date against the clock, which headers must be signed).
//
// Outgoing: RSA-SHA256 over "(request-target) host date digest" on POST and
// "(request-target) host date" on GET, labelled algorithm="rsa-sha256" as
// Mastodon labels it. Sign at send time, on every attempt: the Date is now.
package signing

import (
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
	"golang.org/x/net/http/httpguts"
)

// MinSigningBits is the smallest RSA key Assay signs with.
const MinSigningBits = 2048

var (
	postHeaders = []string{httpsig.RequestTarget, "host", "date", "digest"}
	getHeaders  = []string{httpsig.RequestTarget, "host", "date"}
)

// SignPOST signs r, whose body is body, for keyID with key (an
// *rsa.PrivateKey of at least 2048 bits). It sets Date (now), Digest
// (SHA-256 of body) and Signature over "(request-target) host date digest",
// replacing any earlier ones, and fixes r.Host to the value signed.
// The caller sets r.Body itself.
func SignPOST(r *http.Request, body []byte, keyID string, key crypto.PrivateKey) error {
	if body == nil {
		body = []byte{}
	}
	return sign(r, body, keyID, key, postHeaders, time.Now())
}

// SignGET signs r for keyID with key over "(request-target) host date",
// setting Date (now) and Signature. The query string is signed as part of
// the request-target (the draft's rule; Mastodon ≥ 4.3 and GoToSocial check
// it first). A server that only checks the bare path (Mastodon < 4.3) will
// answer 401; GoToSocial then retries without the query.
func SignGET(r *http.Request, keyID string, key crypto.PrivateKey) error {
	return sign(r, nil, keyID, key, getHeaders, time.Now())
}

// sign does the work for SignPOST (body non-nil) and SignGET (body nil).
// A fresh go-fed signer per call: go-fed signers are not goroutine-safe.
func sign(r *http.Request, body []byte, keyID string, key crypto.PrivateKey, headers []string, now time.Time) error {
	rk, ok := key.(*rsa.PrivateKey)
	if !ok || rk == nil {
		return fmt.Errorf("signing: key is %T, want *rsa.PrivateKey", key)
	}
	if bits := rk.N.BitLen(); bits < MinSigningBits {
		return fmt.Errorf("signing: RSA key of %d bits is too small to sign with (want %d+)", bits, MinSigningBits)
	}
	if err := checkKeyID(keyID); err != nil {
		return err
	}
	if r.URL == nil {
		return errors.New("signing: request has no URL")
	}

	// The Host net/http will send: r.Host, else the URL's host, in ASCII.
	wantHost := r.Host
	if wantHost == "" {
		wantHost = r.URL.Host
	}
	host, err := httpguts.PunycodeHostPort(wantHost)
	if err != nil || host == "" {
		return fmt.Errorf("signing: request has no usable host %q", wantHost)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet // what net/http sends for ""
	}
	// The request-target net/http will send.
	path, query, _ := strings.Cut(r.URL.RequestURI(), "?")

	// go-fed signs a scratch request, so nothing but what we copy back
	// lands on r (it would also want a Host entry in r.Header).
	date := now.UTC().Format(http.TimeFormat)
	scratch := &http.Request{
		Method: method,
		URL:    &url.URL{Path: path, RawQuery: query},
		Host:   host,
		Header: http.Header{"Host": {host}, "Date": {date}},
	}
	signer, algo, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("signing: %w", err)
	}
	if algo != httpsig.RSA_SHA256 {
		return fmt.Errorf("signing: go-fed chose %s, not rsa-sha256", algo)
	}
	if err := signer.SignRequest(rk, keyID, scratch, body); err != nil {
		return fmt.Errorf("signing: %w", err)
	}

	// go-fed labels every signature algorithm="hs2019"; say what it is,
	// as Mastodon does, for receivers that read the label.
	sig, err := ParseSignatureHeader(scratch.Header.Get("Signature"))
	if err != nil {
		return fmt.Errorf("signing: go-fed produced an unreadable header: %w", err)
	}
	sig.Algorithm = "rsa-sha256"

	r.Host = host
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("Date", date)
	if body != nil {
		r.Header.Set("Digest", scratch.Header.Get("Digest"))
	} else {
		r.Header.Del("Digest")
	}
	// An older signature in Authorization would make two; drop it.
	for _, a := range r.Header.Values("Authorization") {
		if isSignatureAuth(a) {
			r.Header.Del("Authorization")
			break
		}
	}
	r.Header.Set("Signature", sig.String())
	return nil
}

// checkKeyID refuses key ids that could not travel in a quoted parameter.
func checkKeyID(keyID string) error {
	if keyID == "" {
		return errors.New("signing: empty key id")
	}
	for i := 0; i < len(keyID); i++ {
		if c := keyID[i]; c < 0x21 || c == 0x7f || c == '"' || c == '\\' || c == ',' {
			return fmt.Errorf("signing: key id %q contains %q", keyID, c)
		}
	}
	return nil
}
