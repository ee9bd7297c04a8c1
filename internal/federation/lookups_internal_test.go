package federation

import (
	"context"
	"testing"
)

// A visitor's budget is per address, and per /64 for IPv6: whoever holds
// one address of such a network holds them all.
func TestAskedFromBudgetsOneIPv6NetworkAsOneClient(t *testing.T) {
	key := func(addr string) string {
		return AskedFrom(context.Background(), addr).Value(askedByKey{}).(*asker).budgetKey
	}
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"192.0.2.1", "192.0.2.2", false},
		{"::ffff:192.0.2.1", "192.0.2.1", true}, // the same client, written two ways
	} {
		if got := key(c.a) == key(c.b); got != c.same {
			t.Errorf("%s and %s share a budget: %v, want %v (%q, %q)", c.a, c.b, got, c.same, key(c.a), key(c.b))
		}
	}
}
