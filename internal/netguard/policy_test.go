package netguard

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestForbidden(t *testing.T) {
	tests := []struct {
		addr      string
		forbidden bool
	}{
		// IPv4 ranges the guard refuses.
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"127.0.0.1", true},
		{"127.0.0.2", true},
		{"127.255.255.255", true},
		{"169.254.169.254", true},
		{"169.254.0.1", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.0.0.8", true},
		{"192.0.2.1", true},
		{"192.88.99.1", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		// IPv4 neighbours of those ranges, and well-known public hosts.
		{"1.1.1.1", false},
		{"8.8.8.8", false},
		{"9.255.255.255", false},
		{"11.0.0.1", false},
		{"100.63.255.255", false},
		{"100.128.0.0", false},
		{"172.15.255.255", false},
		{"172.32.0.0", false},
		{"192.167.255.255", false},
		{"192.169.0.0", false},
		{"198.17.255.255", false},
		{"198.20.0.0", false},
		{"223.255.255.255", false},
		// IPv6.
		{"::", true},
		{"::1", true},
		{"::127.0.0.1", true},
		{"::8.8.8.8", true},
		{"::ffff:0:10.0.0.1", true},
		{"100::1", true},
		{"2001::1", true},
		{"2001:2::1", true},
		{"2001:db8::1", true},
		{"2001:db8:ffff::1", true},
		{"3fff::1", true},
		{"fc00::1", true},
		{"fd00::2", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"febf::1", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"ff05::1:3", true},
		{"2606:4700::1111", false},
		{"2001:4860:4860::8888", false},
		{"2a00:1450:4001::1", false},
		// IPv4-mapped IPv6 forms.
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:192.168.0.1", true},
		{"::ffff:100.64.0.1", true},
		{"::ffff:0.0.0.0", true},
		{"::ffff:224.0.0.1", true},
		{"::ffff:1.1.1.1", false},
		// NAT64 and 6to4 reach the IPv4 address they embed.
		{"64:ff9b::7f00:1", true},    // 127.0.0.1
		{"64:ff9b::a00:1", true},     // 10.0.0.1
		{"64:ff9b::a9fe:a9fe", true}, // 169.254.169.254
		{"64:ff9b::101:101", false},  // 1.1.1.1
		{"64:ff9b:1::1.1.1.1", true}, // local-use NAT64
		{"2002:7f00:1::1", true},     // 127.0.0.1
		{"2002:c0a8:101::1", true},   // 192.168.1.1
		{"2002:a9fe:a9fe::", true},   // 169.254.169.254
		{"2002:808:808::1", false},   // 8.8.8.8
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.addr)
			if got := Forbidden(ip); got != tt.forbidden {
				t.Errorf("Forbidden(%s) = %v, want %v (reason %q)", ip, got, tt.forbidden, classify(ip).reason)
			}
		})
	}
	if !Forbidden(netip.Addr{}) {
		t.Error("the zero Addr must be forbidden")
	}
}

func TestPolicyCheck(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		pol     policy
		addr    string
		allowed bool
		hint    bool // error suggests ASSAY_ALLOW_PRIVATE_NETWORKS
	}{
		{"public", policy{}, "1.1.1.1", true, false},
		{"private refused", policy{}, "10.0.0.1", false, true},
		{"loopback refused", policy{}, "127.0.0.1", false, true},
		{"multicast refused", policy{}, "224.0.0.1", false, false},
		{"allow private: loopback", policy{allowPrivate: true}, "127.0.0.1", true, false},
		{"allow private: v6 loopback", policy{allowPrivate: true}, "::1", true, false},
		{"allow private: mapped loopback", policy{allowPrivate: true}, "::ffff:127.0.0.1", true, false},
		{"allow private: private", policy{allowPrivate: true}, "192.168.0.10", true, false},
		{"allow private: link-local", policy{allowPrivate: true}, "169.254.169.254", true, false},
		{"allow private: still no multicast", policy{allowPrivate: true}, "239.1.1.1", false, false},
		{"allow private: still no unspecified", policy{allowPrivate: true}, "0.0.0.0", false, false},
		{"allow private: still no v6 unspecified", policy{allowPrivate: true}, "::", false, false},
		{"allow private: still no broadcast", policy{allowPrivate: true}, "255.255.255.255", false, false},
		{"allow private: still no reserved", policy{allowPrivate: true}, "240.0.0.1", false, false},
		{"trusted range", policy{allow: trusted}, "10.1.2.3", true, false},
		{"trusted range, mapped form", policy{allow: trusted}, "::ffff:10.1.2.3", true, false},
		{"outside trusted range", policy{allow: trusted}, "10.2.0.1", false, true},
		{"trusted v6 loopback", policy{allow: trusted}, "::1", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.pol.check(netip.MustParseAddr(tt.addr))
			if tt.allowed {
				if err != nil {
					t.Fatalf("check(%s) = %v, want allowed", tt.addr, err)
				}
				return
			}
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("check(%s) = %v, want ErrForbiddenAddress", tt.addr, err)
			}
			var ae *AddressError
			if !errors.As(err, &ae) || ae.Reason == "" {
				t.Fatalf("check(%s) = %#v, want an *AddressError with a reason", tt.addr, err)
			}
			if got := strings.Contains(err.Error(), "ASSAY_ALLOW_PRIVATE_NETWORKS"); got != tt.hint {
				t.Errorf("error %q: mentions ASSAY_ALLOW_PRIVATE_NETWORKS = %v, want %v", err, got, tt.hint)
			}
		})
	}
}

func TestAddressErrorMessage(t *testing.T) {
	err := policy{}.check(netip.MustParseAddr("10.0.0.1"))
	want := "netguard: refusing to connect to 10.0.0.1: private network address (set ASSAY_ALLOW_PRIVATE_NETWORKS=true for local testing)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	err = policy{}.check(netip.MustParseAddr("64:ff9b::a9fe:a9fe"))
	if err == nil || !strings.Contains(err.Error(), "NAT64 address embedding 169.254.169.254") {
		t.Fatalf("NAT64 error does not name the embedded address: %v", err)
	}
}
