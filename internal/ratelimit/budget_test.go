package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/assay-social/assay/internal/ratelimit"
)

func TestBudgetAllowsMaxPerWindow(t *testing.T) {
	srv := miniredis.RunT(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer client.Close()
	ctx := context.Background()
	b := ratelimit.NewBudget(client, "lookups:", 3, time.Minute)
	for i := 1; i <= 4; i++ {
		ok, err := b.Take(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if want := i <= 3; ok != want {
			t.Fatalf("use %d of a budget of 3: allowed %v", i, ok)
		}
	}
	if ok, _ := b.Take(ctx, "bob"); !ok {
		t.Error("one key's spent budget held another back")
	}
	srv.FastForward(59 * time.Second)
	if ok, _ := b.Take(ctx, "alice"); ok {
		t.Error("allowed again before the window ended")
	}
	srv.FastForward(2 * time.Second)
	if ok, _ := b.Take(ctx, "alice"); !ok {
		t.Error("still refused after the window ended")
	}
}
