package httpx

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestResolveClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, c := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy", "203.0.113.9:5000", nil, "203.0.113.9"},
		{"an untrusted peer's header is ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"one proxy", "127.0.0.1:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a client's own entry left of the proxy's is not reached", "127.0.0.1:5000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"a chain of trusted proxies", "127.0.0.1:5000", []string{"198.51.100.1, 10.1.2.3", "10.9.9.9"}, "198.51.100.1"},
		{"every hop trusted: the leftmost", "127.0.0.1:5000", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"a proxy with no header", "127.0.0.1:5000", nil, "127.0.0.1"},
		{"nonsense from a trusted proxy falls on the proxy", "127.0.0.1:5000", []string{"198.51.100.1, not-an-ip"}, "127.0.0.1"},
		{"an entry with a port", "127.0.0.1:5000", []string{"198.51.100.1:4711"}, "198.51.100.1"},
		{"IPv6 behind an IPv6 proxy", "[::1]:5000", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv6 with a port", "[::1]:5000", []string{"[2001:db8::7]:4711"}, "2001:db8::7"},
		{"an IPv4-mapped proxy address", "[::ffff:127.0.0.1]:5000", []string{"198.51.100.1"}, "198.51.100.1"},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := ResolveClientIP(r, trusted); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		if got := ResolveClientIP(r, nil); got != netip.MustParseAddrPort(c.peer).Addr().String() {
			t.Errorf("%s, trusting nobody: %q, want the peer", c.name, got)
		}
	}
}
