// Package benchkit holds what the load commands in cmd/ (fedbench,
// timelinebench, webbench) share: a throw-away PostgreSQL database, an
// instance started on it in-process and waited for until healthy, the
// machine's load and CPU profiles. Loopback only.
package benchkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for creating and dropping the database
)

// FreshDatabase creates an empty database named prefix_RANDOM on the server
// of admin (a loopback PostgreSQL URL) and returns its URL and a function
// that drops it.
func FreshDatabase(ctx context.Context, admin, prefix string) (string, func(), error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("-db: want postgres://user@host:port/db?sslmode=disable")
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return "", nil, fmt.Errorf("-db: %s is not a loopback address; the benchmarks talk to loopback only", u.Hostname())
	}
	buf := make([]byte, 6)
	rand.Read(buf)
	name := prefix + "_" + hex.EncodeToString(buf)
	if err := exec(ctx, admin, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("creating database %s: %w", name, err)
	}
	drop := func() {
		if err := exec(context.Background(), admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "dropping database %s: %v\n", name, err)
		}
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

func exec(ctx context.Context, dsn, statement string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, statement)
	return err
}

// WaitHealthy polls url until it answers 200.
func WaitHealthy(ctx context.Context, url string, within time.Duration) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not healthy within %v", url, within)
}

// LoadAvg is the 1, 5 and 15-minute load averages: other work on the
// machine shows here.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
