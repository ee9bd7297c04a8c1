package model

import "testing"

func TestNewIDGrowsStrictly(t *testing.T) {
	prev := NewID()
	for range 10000 {
		id := NewID()
		if id <= prev {
			t.Fatalf("%s after %s: ids must grow strictly, even within a millisecond", id, prev)
		}
		prev = id
	}
}
