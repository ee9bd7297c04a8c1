package signing

import (
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-fed/httpsig"

	"github.com/assay-social/assay/internal/apperr"
)

// MaxClockSkew is how far a signed Date (or created time) may be from this
// server's clock, either way. Mastodon allows the same 12 h at most.
const MaxClockSkew = 12 * time.Hour

// expiresGrace is the clock-skew margin granted past a signature's expires
// time (Mastodon's CLOCK_SKEW_MARGIN).
const expiresGrace = time.Hour

// ErrSignatureMismatch is the cause inside the 401 Verify returns when the
// signature does not verify with the key it was given. Only that failure may
// mean the sender rotated its key, so only it is worth refetching the key for:
// errors.Is(err, signing.ErrSignatureMismatch).
var ErrSignatureMismatch = errors.New("signature does not verify with the public key")

// source says which header carried the signature.
type source int

const (
	fromSignature source = iota
	fromAuthorization
)

// KeyID returns the keyId of the request's signature, from the Signature
// header or from `Authorization: Signature …`. It may be a fragment of the
// actor (`…#main-key`, Mastodon) or a URL of its own (`…/main-key`,
// GoToSocial); resolving it to a key is the caller's business. Errors are
// *apperr.Error: 401 when the request is not signed, 400 when the header is
// malformed.
func KeyID(r *http.Request) (string, error) {
	sig, _, err := signatureOf(r)
	if err != nil {
		return "", err
	}
	return sig.KeyID, nil
}

// Verify checks the draft-cavage HTTP signature of r, as a net/http server
// received it, against pub (an *rsa.PublicKey), with body being the request
// body already read. now is this server's clock (zero means time.Now()).
//
// Beyond the cryptography, which go-fed/httpsig does, Verify enforces:
//   - algorithm rsa-sha256, hs2019 or none, all meaning RSA-SHA256;
//   - the signature covers (request-target), host, and date or (created);
//     and digest when the request has a body (POST, PUT, PATCH, or any body);
//   - the signed Date (and created time) is within MaxClockSkew of now, and
//     an expires time, if any, has not passed (with a 1 h margin);
//   - a Digest header, whenever present, matches the body: SHA-256 (or
//     SHA-512) entries are checked, a Digest with neither is refused.
//
// The signed string is built from r.Host, the Host the server received (Go
// moves it out of r.Header), and from the request-target as it came on the
// wire (r.RequestURI). A signature over the path without the query string
// (Mastodon before 4.3, and others) is accepted too, as Mastodon and
// GoToSocial do. r is not modified.
//
// Errors are *apperr.Error: 401 for a missing, unverifiable, insufficient or
// stale signature (ErrSignatureMismatch inside when the key does not match),
// 400 for a malformed header or a Digest that does not match the body.
func Verify(r *http.Request, body []byte, pub crypto.PublicKey, now time.Time) error {
	if now.IsZero() {
		now = time.Now()
	}
	sig, src, err := signatureOf(r)
	if err != nil {
		return err
	}
	if err := checkAlgorithm(sig); err != nil {
		return err
	}
	key, err := rsaPublicKey(pub)
	if err != nil {
		return err
	}
	if err := checkCoverage(r, sig, len(body) > 0); err != nil {
		return err
	}
	if err := checkTimes(r, sig, now); err != nil {
		return err
	}
	if err := checkSignature(r, sig, src, key); err != nil {
		return err
	}
	if digests := r.Header.Values("Digest"); len(digests) > 0 {
		return checkDigest(digests, body)
	}
	return nil
}

// signatureOf finds and parses the request's one signature.
func signatureOf(r *http.Request) (*Signature, source, error) {
	if r.Header.Get("Signature-Input") != "" {
		return nil, 0, apperr.Unauthorized("RFC 9421 HTTP message signatures are not supported here; sign with draft-cavage HTTP signatures")
	}
	sigs := r.Header.Values("Signature")
	var auths []string
	for _, a := range r.Header.Values("Authorization") {
		if isSignatureAuth(a) {
			auths = append(auths, a)
		}
	}
	switch n := len(sigs) + len(auths); {
	case n == 0:
		return nil, 0, apperr.Unauthorized("the request has no HTTP signature")
	case n > 1:
		return nil, 0, apperr.BadRequest("the request carries more than one HTTP signature")
	}
	v, src := "", fromSignature
	if len(sigs) == 1 {
		v = sigs[0]
	} else {
		v, src = auths[0], fromAuthorization
	}
	sig, err := ParseSignatureHeader(v)
	if err != nil {
		return nil, 0, err
	}
	return sig, src, nil
}

// isSignatureAuth says whether an Authorization value uses the Signature scheme.
func isSignatureAuth(v string) bool {
	v = strings.TrimLeft(v, " \t")
	if i := strings.IndexAny(v, " \t"); i >= 0 {
		v = v[:i]
	}
	return strings.EqualFold(v, "Signature")
}

func checkAlgorithm(sig *Signature) error {
	switch strings.ToLower(sig.Algorithm) {
	case "", "rsa-sha256", "hs2019":
		return nil
	}
	return apperr.Unauthorized(fmt.Sprintf("unsupported signature algorithm %q (accepted: rsa-sha256, hs2019)", clip(sig.Algorithm)))
}

func rsaPublicKey(pub crypto.PublicKey) (*rsa.PublicKey, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k != nil {
			return k, nil
		}
	case nil:
	default:
		return nil, apperr.Unauthorized("the sender's key is not an RSA key; only RSA-SHA256 signatures are accepted")
	}
	return nil, errors.New("signing: Verify called without a public key")
}

// hasBody says whether the request must sign its Digest.
func hasBody(r *http.Request, nonEmpty bool) bool {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return nonEmpty
}

// checkCoverage enforces what the signature must sign, and that every signed
// header is there to be checked.
func checkCoverage(r *http.Request, sig *Signature, nonEmptyBody bool) error {
	switch {
	case !sig.covers(requestTarget):
		return apperr.Unauthorized("the signature must cover (request-target)")
	case !sig.covers("host"):
		return apperr.Unauthorized("the signature must cover the Host header")
	case !sig.covers("date") && !sig.covers(createdPseudo):
		return apperr.Unauthorized("the signature must cover the Date header or (created)")
	case hasBody(r, nonEmptyBody) && !sig.covers("digest"):
		return apperr.Unauthorized("the signature must cover the Digest header on a request with a body")
	}
	for _, h := range sig.Headers {
		switch h {
		case requestTarget:
		case createdPseudo:
			if sig.Created == 0 {
				return apperr.BadRequest("malformed HTTP signature: it signs (created) but has no created parameter")
			}
		case expiresPseudo:
			if sig.Expires == 0 {
				return apperr.BadRequest("malformed HTTP signature: it signs (expires) but has no expires parameter")
			}
		case "host":
			if receivedHost(r) == "" {
				return apperr.BadRequest("the request has no Host header")
			}
		default:
			if len(r.Header.Values(h)) == 0 {
				return apperr.Unauthorized(fmt.Sprintf("the signed header %q is missing from the request", h))
			}
		}
	}
	return nil
}

// checkTimes enforces freshness; go-fed checks none of it against our clock.
func checkTimes(r *http.Request, sig *Signature, now time.Time) error {
	if sig.covers("date") {
		dates := r.Header.Values("Date")
		if len(dates) != 1 {
			return apperr.BadRequest("the request must have exactly one Date header")
		}
		t, err := http.ParseTime(dates[0])
		if err != nil {
			return apperr.BadRequest("the Date header is not an HTTP date")
		}
		if skew := absDuration(now.Sub(t)); skew > MaxClockSkew {
			return apperr.Unauthorized(fmt.Sprintf("the Date header is %s away from this server's clock (limit %s)", roundSkew(skew), limitText()))
		}
	}
	if sig.Created != 0 {
		if skew := absDuration(now.Sub(time.Unix(sig.Created, 0))); skew > MaxClockSkew {
			return apperr.Unauthorized(fmt.Sprintf("the signature's created time is %s away from this server's clock (limit %s)", roundSkew(skew), limitText()))
		}
	}
	if sig.Expires != 0 {
		if late := now.Sub(time.Unix(sig.Expires, 0)); late > expiresGrace {
			return apperr.Unauthorized(fmt.Sprintf("the signature expired %s ago", roundSkew(late)))
		}
	}
	return nil
}

// checkSignature has go-fed/httpsig verify the signature over the request as
// received. go-fed gets a canonical re-rendering of the parameters we parsed,
// so it verifies exactly what the policy checks looked at (its own parser
// splits on every comma and lets a repeated parameter win).
func checkSignature(r *http.Request, sig *Signature, src source, key *rsa.PublicKey) error {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Host", receivedHost(r))
	if src == fromAuthorization {
		h.Del("Authorization")
	}
	// keyId does not enter the signed string; a plain placeholder keeps
	// go-fed's naive parser away from commas and quotes in real key ids.
	canon := Signature{KeyID: "k", Headers: sig.Headers, Signature: sig.Signature}
	if sig.covers(createdPseudo) {
		canon.Created = sig.Created
	}
	if sig.covers(expiresPseudo) {
		canon.Expires = sig.Expires
	}
	h.Set("Signature", canon.String())

	path, query := receivedTarget(r)
	err := goFedVerify(r.Method, path, query, h, key)
	if err != nil && query != "" && sig.covers(requestTarget) {
		// Signed over the path alone: Mastodon before 4.3 and others.
		err = goFedVerify(r.Method, path, "", h, key)
	}
	if err != nil {
		return apperr.Wrap(http.StatusUnauthorized, "the signature does not verify with the sender's public key", fmt.Errorf("%w: %v", ErrSignatureMismatch, err))
	}
	return nil
}

func goFedVerify(method, path, query string, h http.Header, key *rsa.PublicKey) error {
	req := &http.Request{
		Method: method,
		URL:    &url.URL{Path: path, RawQuery: query},
		Header: h,
		Host:   h.Get("Host"),
	}
	v, err := httpsig.NewVerifier(req)
	if err != nil {
		return err
	}
	return v.Verify(key, httpsig.RSA_SHA256)
}

// receivedHost is the Host the request came with: a server keeps it in r.Host
// and deletes it from r.Header.
func receivedHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if h := r.Header.Get("Host"); h != "" {
		return h
	}
	if r.URL != nil {
		return r.URL.Host
	}
	return ""
}

// receivedTarget is the path and query as they came on the wire; r.URL.Path
// is decoded, and middleware may have rewritten it.
func receivedTarget(r *http.Request) (path, query string) {
	if strings.HasPrefix(r.RequestURI, "/") {
		path, query, _ = strings.Cut(r.RequestURI, "?")
		return path, query
	}
	if r.URL == nil {
		return "/", ""
	}
	path, query, _ = strings.Cut(r.URL.RequestURI(), "?")
	return path, query
}

// absDuration is |d|; time.Sub saturates, and -minDuration would overflow.
func absDuration(d time.Duration) time.Duration {
	switch {
	case d == math.MinInt64:
		return math.MaxInt64
	case d < 0:
		return -d
	}
	return d
}

func roundSkew(d time.Duration) string { return d.Round(time.Second).String() }

func limitText() string {
	if MaxClockSkew%time.Hour == 0 {
		return fmt.Sprintf("%dh", MaxClockSkew/time.Hour)
	}
	return MaxClockSkew.String()
}
