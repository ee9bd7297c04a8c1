// Package testrig hands any test a ready Assay instance — real database,
// real Redis (or the embedded ones), jobs running, HTTP on a loopback port —
// and standard fixtures. With ASSAY_TEST_DATABASE_URL and
// ASSAY_TEST_REDIS_URL set, every instance gets a fresh PostgreSQL database
// and its own Redis namespace, so packages can run in parallel.
package testrig

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"
)

// Environment variables that switch the suites to real servers.
const (
	EnvDatabaseURL = "ASSAY_TEST_DATABASE_URL"
	EnvRedisURL    = "ASSAY_TEST_REDIS_URL"
)

// UsesPostgres reports whether this run tests on PostgreSQL.
func UsesPostgres() bool { return os.Getenv(EnvDatabaseURL) != "" }

// UsesRealRedis reports whether this run tests on a Redis server.
func UsesRealRedis() bool { return os.Getenv(EnvRedisURL) != "" }

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// FreshDatabase returns the URL of a new, empty PostgreSQL database that is
// dropped when the test ends, or "" (meaning SQLite) when the run is not on
// PostgreSQL.
func FreshDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvDatabaseURL)
	if admin == "" {
		return ""
	}
	name := randomName("assay_test_")
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvDatabaseURL, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("dropping test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvDatabaseURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// FreshRedis returns the Redis URL and a namespace of its own for one test,
// whose queues and keys are deleted when the test ends; or "" and "" for the
// embedded Redis.
func FreshRedis(t testing.TB) (redisURL, namespace string) {
	t.Helper()
	redisURL = os.Getenv(EnvRedisURL)
	if redisURL == "" {
		return "", ""
	}
	namespace = randomName("t")
	t.Cleanup(func() { dropNamespace(t, redisURL, namespace) })
	return redisURL, namespace
}

func dropNamespace(t testing.TB, redisURL, namespace string) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return
	}
	client := redis.NewClient(opts)
	defer client.Close()
	inspector := asynq.NewInspectorFromRedisClient(client)
	queues, _ := inspector.Queues()
	for _, q := range queues {
		if strings.HasPrefix(q, namespace+"-") {
			inspector.DeleteQueue(q, true) //nolint:errcheck // best effort
		}
	}
	ctx := context.Background()
	for _, pattern := range []string{"assay:" + namespace + ":*", "asynq:{" + namespace + "-*"} {
		iter := client.Scan(ctx, 0, pattern, 200).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
	}
}

// Backend names the database and Redis this run uses, for test names and logs.
func Backend() string {
	db, r := "sqlite", "embedded-redis"
	if UsesPostgres() {
		db = "postgres"
	}
	if UsesRealRedis() {
		r = "redis"
	}
	return fmt.Sprintf("%s+%s", db, r)
}
