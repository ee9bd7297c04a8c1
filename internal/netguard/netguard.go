// Package netguard is the one outbound HTTP client for everything that leaves
// the process: federation fetches and deliveries, WebFinger, NodeInfo and
// remote media.
//
// The address check runs in the dialer, on the IP actually being connected
// to and before the connect system call, so DNS rebinding, hostnames that
// resolve to private addresses and redirects to them are all refused by the
// same rule. Requests are signed (WithSigner) in the round tripper, so every
// attempt and every redirect hop carries its own fresh signature.
package netguard

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

var (
	// ErrForbiddenAddress: the target resolved to an address the policy refuses.
	ErrForbiddenAddress = errors.New("netguard: forbidden address")
	// ErrTooLarge: the response body is over the limit. It comes from Do when
	// Content-Length declares too much, else from Read of the body.
	ErrTooLarge = errors.New("netguard: response body too large")
	// ErrUnsupportedScheme: the URL (or a redirect) is not http or https.
	ErrUnsupportedScheme = errors.New("netguard: unsupported URL scheme")
	// ErrTooManyRedirects: the redirect chain is longer than MaxRedirects.
	ErrTooManyRedirects = errors.New("netguard: too many redirects")
)

// Defaults for zero Options fields, and the fixed per-phase timeouts.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultMaxRedirects = 5
	DefaultMaxBodyBytes = 1 << 20
	DefaultUserAgent    = "Assay"

	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 15 * time.Second
	maxIdleConnsPerHost   = 16
)

// Options configures a Client. The zero value is the production setting.
type Options struct {
	// AllowPrivate (ASSAY_ALLOW_PRIVATE_NETWORKS) allows loopback, private,
	// link-local, CGNAT, documentation and benchmarking targets, for local
	// testing. Multicast, unspecified, broadcast and reserved addresses stay
	// refused.
	AllowPrivate bool
	// AllowAddrs are ranges allowed even though the policy would refuse them:
	// a trusted peer on a private network, or a test server on 127.0.0.1
	// while the rest of loopback stays refused. Empty in production.
	AllowAddrs []netip.Prefix
	// UserAgent is sent when the caller set none, e.g.
	// "Assay/0.1.0 (+https://video.example)". Default "Assay".
	UserAgent string
	// Timeout bounds the whole exchange, reading the body included.
	// Zero means 20s; negative means none (the request's context governs).
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed. Zero means 5; negative
	// means none are followed and the 3xx response itself is returned.
	MaxRedirects int
	// MaxBodyBytes limits response bodies unless WithLimit says otherwise.
	// Zero or negative means 1 MiB.
	MaxBodyBytes int64
}

// Client is the hardened outbound client. It is safe for concurrent use;
// make one per process (per distinct Options) so connections are pooled.
type Client struct {
	http      *http.Client
	transport *http.Transport
}

// New builds a Client.
func New(o Options) *Client {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	} else if o.Timeout < 0 {
		o.Timeout = 0
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	pol := policy{allowPrivate: o.AllowPrivate, allow: append([]netip.Prefix(nil), o.AllowAddrs...)}

	dialer := &net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		// Called with the resolved address after the socket is made and
		// before connect: nothing is sent to a refused address.
		ControlContext: func(_ context.Context, network, address string, _ syscall.RawConn) error {
			switch network {
			case "tcp", "tcp4", "tcp6":
			default:
				return fmt.Errorf("%w: refusing %s connection to %s", ErrForbiddenAddress, network, address)
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: cannot parse dial address %q: %v", ErrForbiddenAddress, address, err)
			}
			return pol.check(ap.Addr())
		},
	}
	tr := &http.Transport{
		// No proxy: through one, the guard would only ever see the proxy's address.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    tlsHandshakeTimeout,
		ResponseHeaderTimeout:  responseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConns:           512,
		MaxIdleConnsPerHost:    maxIdleConnsPerHost,
		MaxResponseHeaderBytes: 64 << 10,
	}
	maxRedirects := o.MaxRedirects
	return &Client{
		transport: tr,
		http: &http.Client{
			Transport: &guardTransport{next: tr, userAgent: o.UserAgent, maxBody: o.MaxBodyBytes},
			Timeout:   o.Timeout,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if maxRedirects < 0 {
					return http.ErrUseLastResponse
				}
				if len(via) > maxRedirects {
					return fmt.Errorf("%w: gave up after %d redirects, the next to %s",
						ErrTooManyRedirects, maxRedirects, req.URL.Redacted())
				}
				return checkURL(req.URL)
			},
		},
	}
}

// Do sends req through the guard. The response body is limited: reading
// past the limit returns an error that errors.Is ErrTooLarge.
func (c *Client) Do(req *http.Request) (*http.Response, error) { return c.http.Do(req) }

// HTTPClient returns an *http.Client with the same guard, for libraries
// that want one. It is a copy: changing it does not change c.
func (c *Client) HTTPClient() *http.Client {
	cp := *c.http
	return &cp
}

// WithTimeout returns a Client sharing c's connections and guard with
// another overall timeout, e.g. for remote media downloads. Zero or negative
// means no overall timeout: the request's context governs.
func (c *Client) WithTimeout(d time.Duration) *Client {
	h := *c.http
	h.Timeout = max(d, 0)
	return &Client{http: &h, transport: c.transport}
}

// CloseIdleConnections closes pooled connections not in use.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// SignFunc signs an outgoing request in place, e.g. setting the Date and
// Signature headers. It gets a copy of the caller's request for
// each attempt and each redirect hop (with that hop's URL); it must not
// consume req.Body (use req.GetBody, or set Digest before calling Do).
type SignFunc func(*http.Request) error

type signerKey struct{}

type limitKey struct{}

// WithSigner makes requests sent with ctx signed by sign at round-trip time.
func WithSigner(ctx context.Context, sign SignFunc) context.Context {
	return context.WithValue(ctx, signerKey{}, sign)
}

// WithLimit sets the response body limit for requests sent with ctx,
// replacing Options.MaxBodyBytes. Zero or negative keeps the default.
func WithLimit(ctx context.Context, maxBytes int64) context.Context {
	return context.WithValue(ctx, limitKey{}, maxBytes)
}

func checkURL(u *url.URL) error {
	switch u.Scheme {
	case "http", "https":
	default:
		return fmt.Errorf("%w %q in %s: only http and https are allowed", ErrUnsupportedScheme, u.Scheme, u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("netguard: %s has no host", u.Redacted())
	}
	return nil
}

// guardTransport checks the URL, sets User-Agent, signs and limits the body
// of every request the client sends: first attempts and redirect hops alike.
type guardTransport struct {
	next      http.RoundTripper
	userAgent string
	maxBody   int64
}

func (t *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	fail := func(err error) (*http.Response, error) {
		// A RoundTripper must close the request body, even on error.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if err := checkURL(req.URL); err != nil {
		return fail(err)
	}
	ctx := req.Context()
	// A RoundTripper must not modify the caller's request: work on a copy.
	out := req.Clone(ctx)
	if _, set := out.Header["User-Agent"]; !set {
		out.Header.Set("User-Agent", t.userAgent)
	}
	if sign, _ := ctx.Value(signerKey{}).(SignFunc); sign != nil {
		if err := sign(out); err != nil {
			return fail(fmt.Errorf("netguard: signing %s %s: %w", out.Method, out.URL.Redacted(), err))
		}
	}
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	limit := t.maxBody
	if n, _ := ctx.Value(limitKey{}).(int64); n > 0 {
		limit = n
	}
	if req.Method != http.MethodHead && resp.ContentLength > limit {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s declares %d bytes, the limit is %d",
			ErrTooLarge, req.URL.Redacted(), resp.ContentLength, limit)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: limit, limit: limit, url: req.URL.Redacted()}
	return resp, nil
}
