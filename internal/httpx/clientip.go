package httpx

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type clientIPKey struct{}

// WithClientIP puts the address ResolveClientIP found into ctx, once per
// request, so every limit and log line agrees on it.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP is the address of whoever sent the request: the one the app's
// middleware resolved, or the TCP peer.
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	return peerIP(r)
}

// ResolveClientIP finds the client behind the reverse proxies an operator
// trusts (ASSAY_TRUSTED_PROXIES). A request from anyone else is taken at
// its TCP peer: X-Forwarded-For is only believed from a trusted proxy, and
// only as far as the chain of trusted hops goes. Read from the right, each
// entry is what the hop after it saw; the first one that is not itself a
// trusted proxy is the client. Whatever a client wrote further left is
// never reached, so it cannot choose its own address to dodge a limit.
func ResolveClientIP(r *http.Request, trusted []netip.Prefix) string {
	peer := peerIP(r)
	addr, err := netip.ParseAddr(peer)
	if err != nil || !isTrusted(addr, trusted) {
		return peer
	}
	hops := forwardedFor(r)
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			return addr.String() // a trusted proxy that writes nonsense: the limit falls on it
		}
		addr = hop
		if !isTrusted(addr, trusted) {
			break
		}
	}
	return addr.String()
}

func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor is every X-Forwarded-For entry, over all the header's lines
// in order.
func forwardedFor(r *http.Request) []string {
	var hops []string
	for _, line := range r.Header.Values("X-Forwarded-For") {
		for hop := range strings.SplitSeq(line, ",") {
			if hop = strings.TrimSpace(hop); hop != "" {
				hops = append(hops, hop)
			}
		}
	}
	return hops
}

// parseHop reads an address as proxies write it: bare, or with a port.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
