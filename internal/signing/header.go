package signing

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assay-social/assay/internal/apperr"
)

// Limits on a Signature header. Real headers are a few hundred bytes with four
// or five parameters; the bounds keep hostile input cheap to refuse.
const (
	maxHeaderLen     = 8 << 10
	maxParams        = 32
	maxSignedHeaders = 32
)

// Pseudo-headers of draft-cavage that name no HTTP header.
const (
	requestTarget = "(request-target)"
	createdPseudo = "(created)"
	expiresPseudo = "(expires)"
)

// Signature is a parsed draft-cavage signature: the parameters of a
// `Signature:` header or of `Authorization: Signature …`.
type Signature struct {
	KeyID     string
	Algorithm string   // as sent, may be empty; Verify accepts "", rsa-sha256 and hs2019
	Headers   []string // lower-cased, in signing order; the draft's default when the parameter is absent
	Signature []byte   // base64-decoded
	Created   int64    // Unix seconds, 0 when absent
	Expires   int64    // Unix seconds, 0 when absent
}

// ParseSignatureHeader parses the value of a `Signature:` header, or of an
// `Authorization:` header with the `Signature` scheme (the scheme word is
// optional either way: old node-http-signature put it in `Signature:` too).
//
// Grammar (RFC 7235 auth-params): name "=" (token | quoted-string), separated by
// commas with optional whitespace. Parameter names are case-insensitive; each
// may appear once; unknown ones are ignored. keyId and signature are required.
// Without a headers parameter the draft's default applies: "(created)" for
// hs2019 or no algorithm (as Mastodon reads it), "date" otherwise.
//
// The value must be at most 8 KiB with at most 32 parameters. Errors are
// *apperr.Error with status 400.
func ParseSignatureHeader(v string) (*Signature, error) {
	if len(v) > maxHeaderLen {
		return nil, malformed("it is longer than 8 KiB")
	}
	p := paramParser{s: v}
	p.skipOWS()
	p.skipScheme()
	if p.done() {
		return nil, malformed("it has no parameters")
	}

	var (
		sig                 Signature
		seen                = make(map[string]bool, 8)
		haveHeaders, haveSg bool
		rawSig              string
	)
	for n := 0; ; n++ {
		if n == maxParams {
			return nil, malformed("it has more than 32 parameters")
		}
		name, value, err := p.param()
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil, malformed(fmt.Sprintf("parameter %q appears twice", clip(name)))
		}
		seen[key] = true

		switch key {
		case "keyid":
			sig.KeyID = value
		case "algorithm":
			sig.Algorithm = value
		case "headers":
			hs, err := parseHeaderList(value)
			if err != nil {
				return nil, err
			}
			sig.Headers, haveHeaders = hs, true
		case "signature":
			rawSig, haveSg = value, true
		case "created":
			if sig.Created, err = parseUnix("created", value); err != nil {
				return nil, err
			}
		case "expires":
			if sig.Expires, err = parseUnix("expires", value); err != nil {
				return nil, err
			}
		}

		p.skipOWS()
		if p.done() {
			break
		}
		if !p.consume(',') {
			return nil, malformed("parameters must be separated by commas")
		}
		p.skipOWS()
		if p.done() {
			return nil, malformed("it ends with a comma")
		}
	}

	if sig.KeyID == "" {
		return nil, malformed("the keyId parameter is missing or empty")
	}
	if !utf8.ValidString(sig.KeyID) {
		return nil, malformed("the keyId parameter is not valid UTF-8")
	}
	if !haveSg || rawSig == "" {
		return nil, malformed("the signature parameter is missing or empty")
	}
	raw, err := base64.StdEncoding.DecodeString(rawSig)
	if err != nil {
		// Some senders drop the padding; the bytes are what we verify.
		if raw, err = base64.RawStdEncoding.DecodeString(rawSig); err != nil {
			return nil, malformed("the signature parameter is not base64")
		}
	}
	if len(raw) == 0 {
		return nil, malformed("the signature parameter is empty")
	}
	sig.Signature = raw
	if !haveHeaders {
		if sig.Algorithm == "" || strings.EqualFold(sig.Algorithm, "hs2019") {
			sig.Headers = []string{createdPseudo}
		} else {
			sig.Headers = []string{"date"}
		}
	}
	return &sig, nil
}

// String renders the signature as a canonical `Signature:` header value, the
// form Mastodon sends: keyId, algorithm, created, expires, headers, signature.
// ParseSignatureHeader(s.String()) gives back s (unknown parameters aside).
func (s *Signature) String() string {
	var b strings.Builder
	b.WriteString(`keyId=`)
	writeQuoted(&b, s.KeyID)
	if s.Algorithm != "" {
		b.WriteString(`,algorithm=`)
		writeQuoted(&b, s.Algorithm)
	}
	if s.Created != 0 {
		b.WriteString(`,created=`)
		b.WriteString(strconv.FormatInt(s.Created, 10))
	}
	if s.Expires != 0 {
		b.WriteString(`,expires=`)
		b.WriteString(strconv.FormatInt(s.Expires, 10))
	}
	b.WriteString(`,headers="`)
	b.WriteString(strings.Join(s.Headers, " "))
	b.WriteString(`",signature="`)
	b.WriteString(base64.StdEncoding.EncodeToString(s.Signature))
	b.WriteByte('"')
	return b.String()
}

// covers reports whether name (lower-case) is among the signed headers.
func (s *Signature) covers(name string) bool {
	for _, h := range s.Headers {
		if h == name {
			return true
		}
	}
	return false
}

func writeQuoted(b *strings.Builder, v string) {
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
}

// parseHeaderList splits the headers parameter: names separated by spaces,
// each a header field name or one of the draft's pseudo-headers.
func parseHeaderList(v string) ([]string, error) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return nil, malformed("the headers parameter is empty")
	}
	if len(fields) > maxSignedHeaders {
		return nil, malformed("the headers parameter names more than 32 headers")
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		f = strings.ToLower(f)
		switch {
		case f == requestTarget || f == createdPseudo || f == expiresPseudo:
		case isToken(f):
		default:
			return nil, malformed(fmt.Sprintf("the headers parameter names %q, which is not a header name", clip(f)))
		}
		out[i] = f
	}
	return out, nil
}

func parseUnix(name, v string) (int64, error) {
	if v == "" || len(v) > 18 {
		return 0, malformed("the " + name + " parameter is not a Unix time")
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, malformed("the " + name + " parameter is not a Unix time")
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, malformed("the " + name + " parameter is not a Unix time")
	}
	return n, nil
}

// paramParser walks an auth-param list byte by byte; it never indexes past
// the end of s, so no input can make it panic.
type paramParser struct {
	s string
	i int
}

func (p *paramParser) done() bool { return p.i >= len(p.s) }

func (p *paramParser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *paramParser) consume(c byte) bool {
	if p.peek() == c && !p.done() {
		p.i++
		return true
	}
	return false
}

func (p *paramParser) skipOWS() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// skipScheme drops a leading "Signature" auth-scheme word, unless that word
// is in fact a parameter named signature (followed by "=").
func (p *paramParser) skipScheme() {
	const scheme = "signature"
	rest := p.s[p.i:]
	if len(rest) <= len(scheme) || !strings.EqualFold(rest[:len(scheme)], scheme) {
		return
	}
	if c := rest[len(scheme)]; c != ' ' && c != '\t' {
		return
	}
	save := p.i
	p.i += len(scheme)
	p.skipOWS()
	if p.peek() == '=' {
		p.i = save
	}
}

func (p *paramParser) token() string {
	start := p.i
	for !p.done() && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *paramParser) param() (name, value string, err error) {
	name = p.token()
	if name == "" {
		return "", "", malformed("expected a parameter name")
	}
	p.skipOWS()
	if !p.consume('=') {
		return "", "", malformed(fmt.Sprintf("parameter %q has no value", clip(name)))
	}
	p.skipOWS()
	if p.peek() == '"' && !p.done() {
		value, err = p.quoted()
		return name, value, err
	}
	value = p.token()
	if value == "" {
		return "", "", malformed(fmt.Sprintf("parameter %q has no value", clip(name)))
	}
	return name, value, nil
}

// quoted reads an RFC 7230 quoted-string (the opening quote is next).
func (p *paramParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return b.String(), nil
		case c == '\\':
			if p.done() {
				return "", malformed("a quoted value ends inside an escape")
			}
			c = p.s[p.i]
			p.i++
			if !isQuotable(c) {
				return "", malformed("a quoted value contains a control character")
			}
			b.WriteByte(c)
		case isQdtext(c):
			b.WriteByte(c)
		default:
			return "", malformed("a quoted value contains a control character")
		}
	}
	return "", malformed("a quoted value is not closed")
}

// isTchar: RFC 7230 token characters.
func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

// isQdtext: HTAB, SP, visible ASCII but '"' and '\', and obs-text.
func isQdtext(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80
}

// isQuotable: what may follow a backslash in a quoted-pair.
func isQuotable(c byte) bool {
	return c == '\t' || (c >= 0x20 && c != 0x7f)
}

// malformed is the 400 every parse failure becomes.
func malformed(why string) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "malformed HTTP signature: "+why)
}

// clip keeps echoed input short in error messages.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
