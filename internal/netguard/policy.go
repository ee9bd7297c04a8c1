package netguard

import (
	"fmt"
	"net/netip"
)

// A rule names a range the guard refuses and why. Unroutable ranges are
// refused even with ASSAY_ALLOW_PRIVATE_NETWORKS, because no legitimate
// server lives there: they are not unicast destinations at all.
type rule struct {
	prefix     netip.Prefix
	reason     string
	unroutable bool
}

func r(cidr, reason string, unroutable bool) rule {
	return rule{prefix: netip.MustParsePrefix(cidr), reason: reason, unroutable: unroutable}
}

// The tables are read-only after package initialisation.
var (
	v4Rules = []rule{
		r("0.0.0.0/8", "\"this network\" address (0.0.0.0/8)", true),
		r("10.0.0.0/8", "private network address", false),
		r("100.64.0.0/10", "carrier-grade NAT address (100.64.0.0/10)", false),
		r("127.0.0.0/8", "loopback address", false),
		r("169.254.0.0/16", "link-local address (includes cloud metadata at 169.254.169.254)", false),
		r("172.16.0.0/12", "private network address", false),
		r("192.0.0.0/24", "IETF protocol assignment address (192.0.0.0/24)", false),
		r("192.0.2.0/24", "documentation address (192.0.2.0/24)", false),
		r("192.88.99.0/24", "6to4 relay anycast address (192.88.99.0/24)", false),
		r("192.168.0.0/16", "private network address", false),
		r("198.18.0.0/15", "benchmarking address (198.18.0.0/15)", false),
		r("198.51.100.0/24", "documentation address (198.51.100.0/24)", false),
		r("203.0.113.0/24", "documentation address (203.0.113.0/24)", false),
		r("224.0.0.0/4", "multicast address", true),
		r("255.255.255.255/32", "broadcast address", true),
		r("240.0.0.0/4", "reserved address (240.0.0.0/4)", true),
	}
	v6Rules = []rule{
		r("::/128", "unspecified address", true),
		r("::1/128", "loopback address", false),
		r("::/96", "deprecated IPv4-compatible address (::/96)", true),
		r("::ffff:0:0:0/96", "IPv4-translated address (::ffff:0:0:0/96)", true),
		r("64:ff9b:1::/48", "local-use NAT64 address (64:ff9b:1::/48)", false),
		r("100::/64", "discard-only address (100::/64)", true),
		r("2001::/32", "Teredo address (2001::/32)", false),
		r("2001:2::/48", "benchmarking address (2001:2::/48)", false),
		r("2001:db8::/32", "documentation address (2001:db8::/32)", false),
		r("3fff::/20", "documentation address (3fff::/20)", false),
		r("fc00::/7", "unique local (private) address (fc00::/7)", false),
		r("fe80::/10", "link-local address (fe80::/10)", false),
		r("fec0::/10", "deprecated site-local address (fec0::/10)", false),
		r("ff00::/8", "multicast address", true),
	}
	// IPv6 ranges that carry an IPv4 address the packets end up at.
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// verdict is the policy's answer for one address; an empty reason allows it.
type verdict struct {
	reason     string
	unroutable bool
}

// classify applies the address policy, looking through IPv4-mapped, NAT64
// and 6to4 forms to the IPv4 address they reach.
func classify(ip netip.Addr) verdict {
	if !ip.IsValid() {
		return verdict{reason: "invalid address", unroutable: true}
	}
	// Prefix.Contains never matches an address with a zone or a mapped form.
	ip = ip.WithZone("").Unmap()
	if ip.Is4() {
		for _, rl := range v4Rules {
			if rl.prefix.Contains(ip) {
				return verdict{reason: rl.reason, unroutable: rl.unroutable}
			}
		}
		return verdict{}
	}
	for _, rl := range v6Rules {
		if rl.prefix.Contains(ip) {
			return verdict{reason: rl.reason, unroutable: rl.unroutable}
		}
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return embedded(netip.AddrFrom4([4]byte(b[12:16])), "NAT64")
	case sixTo4.Contains(ip):
		return embedded(netip.AddrFrom4([4]byte(b[2:6])), "6to4")
	}
	return verdict{}
}

func embedded(v4 netip.Addr, form string) verdict {
	v := classify(v4)
	if v.reason != "" {
		v.reason = fmt.Sprintf("%s address embedding %s, a %s", form, v4, v.reason)
	}
	return v
}

// Forbidden reports whether the address policy refuses ip when private
// networks are not allowed (the production setting): loopback, private,
// link-local, CGNAT, multicast, unspecified, broadcast, reserved,
// documentation and benchmarking ranges, in IPv4, IPv6, IPv4-mapped, NAT64
// and 6to4 forms.
func Forbidden(ip netip.Addr) bool { return classify(ip).reason != "" }

// AddressError is the error for a connection the guard refused.
// errors.Is(err, ErrForbiddenAddress) holds for it.
type AddressError struct {
	Addr   netip.Addr
	Reason string
	// hint is set when ASSAY_ALLOW_PRIVATE_NETWORKS would have allowed it.
	hint bool
}

func (e *AddressError) Error() string {
	s := fmt.Sprintf("netguard: refusing to connect to %s: %s", e.Addr, e.Reason)
	if e.hint {
		s += " (set ASSAY_ALLOW_PRIVATE_NETWORKS=true for local testing)"
	}
	return s
}

func (e *AddressError) Unwrap() error { return ErrForbiddenAddress }

// policy is one client's view of the rules; immutable after New.
type policy struct {
	allowPrivate bool
	allow        []netip.Prefix
}

// check returns nil when the client may connect to ip, else an *AddressError.
func (p policy) check(ip netip.Addr) error {
	plain := ip.WithZone("").Unmap()
	for _, pfx := range p.allow {
		if pfx.Contains(plain) {
			return nil
		}
	}
	v := classify(ip)
	if v.reason == "" || (p.allowPrivate && !v.unroutable) {
		return nil
	}
	return &AddressError{Addr: ip, Reason: v.reason, hint: !v.unroutable}
}
