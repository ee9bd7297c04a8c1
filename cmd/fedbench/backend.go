package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/benchkit"
	"github.com/assay-social/assay/internal/config"
)

// backend says where an instance keeps its data: a PostgreSQL server and a
// Redis server (each run gets a fresh database and its own namespace), or,
// with both empty, SQLite in a temporary directory and the embedded Redis.
type backend struct {
	adminDB  string // postgres://… of a database we may CREATE DATABASE from; "" for SQLite
	redisURL string // "" for the embedded Redis

	// Experiments for proposed fixes, off by default: extra query
	// parameters on the instance's database URL (e.g. pgx's
	// default_query_exec_mode=simple_protocol), and a different
	// database/sql idle-connection limit set after app.New.
	dbParams  string
	dbMaxIdle int
}

func (b backend) String() string {
	db, r := "sqlite", "embedded-redis"
	if b.adminDB != "" {
		db = "postgres"
	}
	if b.redisURL != "" {
		r = "redis"
	}
	s := db + "+" + r
	if b.dbParams != "" {
		s += ", database URL +" + b.dbParams
	}
	if b.dbMaxIdle > 0 {
		s += fmt.Sprintf(", max idle DB connections set to %d", b.dbMaxIdle)
	}
	return s
}

func randomName(prefix string) string {
	buf := make([]byte, 6)
	rand.Read(buf)
	return prefix + hex.EncodeToString(buf)
}

// instance is one running Assay, built by app.New exactly as `assay serve`
// builds it, serving on a loopback listener.
type instance struct {
	*app.App
	URL string

	cancel  context.CancelFunc
	runDone chan error
	cleanup []func() // run in reverse order by stop
}

// instanceOptions choose how an instance runs.
type instanceOptions struct {
	host        string      // loopback address to listen on
	role        config.Role // all, or web (no workers)
	concurrency int         // ASSAY_WORKER_CONCURRENCY
	logLevel    string
}

// startInstance creates a fresh database (or SQLite directory) and Redis
// namespace, builds the instance with app.New and serves it until stop.
func startInstance(ctx context.Context, b backend, o instanceOptions, log *slog.Logger) (inst *instance, err error) {
	inst = &instance{}
	defer func() {
		if err != nil {
			inst.stop()
			inst = nil
		}
	}()

	dataDir, err := os.MkdirTemp("", "fedbench-")
	if err != nil {
		return inst, err
	}
	inst.cleanup = append(inst.cleanup, func() { os.RemoveAll(dataDir) })

	env := map[string]string{
		"ASSAY_DATA_DIR":               dataDir,
		"ASSAY_ALLOW_PRIVATE_NETWORKS": "true",
		"ASSAY_ROLE":                   string(o.role),
		"ASSAY_WORKER_CONCURRENCY":     strconv.Itoa(o.concurrency),
		"ASSAY_LOG_LEVEL":              o.logLevel,
	}
	if b.adminDB != "" {
		dbURL, drop, err := benchkit.FreshDatabase(ctx, b.adminDB, "fedbench")
		if err != nil {
			return inst, err
		}
		if b.dbParams != "" {
			sep := "?"
			if strings.Contains(dbURL, "?") {
				sep = "&"
			}
			dbURL += sep + b.dbParams
		}
		inst.cleanup = append(inst.cleanup, drop)
		env["ASSAY_DATABASE_URL"] = dbURL
	}
	if b.redisURL != "" {
		ns := randomName("fb")
		inst.cleanup = append(inst.cleanup, func() { dropNamespace(b.redisURL, ns) })
		env["ASSAY_REDIS_URL"] = b.redisURL
		env["ASSAY_REDIS_NAMESPACE"] = ns
	}

	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, "0"))
	if err != nil {
		return inst, fmt.Errorf("listening on %s: %w", o.host, err)
	}
	inst.URL = "http://" + ln.Addr().String()
	env["ASSAY_LISTEN"] = ln.Addr().String()
	env["ASSAY_PUBLIC_URL"] = inst.URL

	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		ln.Close()
		return inst, fmt.Errorf("configuration: %w", err)
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return inst, fmt.Errorf("starting the instance: %w", err)
	}
	inst.App = a
	if b.dbMaxIdle > 0 {
		pool, ok := a.Store.DB().(interface{ SetMaxIdleConns(int) })
		if !ok {
			return inst, errors.New("-db-max-idle: the store's handle has no connection pool")
		}
		pool.SetMaxIdleConns(b.dbMaxIdle)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	inst.cancel = cancel
	inst.runDone = make(chan error, 1)
	go func() { inst.runDone <- a.Run(runCtx, ln) }()
	if err := benchkit.WaitHealthy(ctx, inst.URL+"/healthz", 30*time.Second); err != nil {
		return inst, err
	}
	return inst, nil
}

// stop shuts the instance down and removes its database, namespace and files.
func (i *instance) stop() {
	if i == nil {
		return
	}
	if i.cancel != nil {
		i.cancel()
		select {
		case err := <-i.runDone:
			if err != nil {
				fmt.Fprintf(os.Stderr, "instance stopped with: %v\n", err)
			}
		case <-time.After(30 * time.Second):
			fmt.Fprintln(os.Stderr, "instance did not stop within 30s")
		}
	}
	if i.App != nil {
		i.App.Close()
	}
	for k := len(i.cleanup) - 1; k >= 0; k-- {
		i.cleanup[k]()
	}
}

// dropNamespace deletes the asynq queues and assay keys of one namespace.
func dropNamespace(redisURL, namespace string) {
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, pattern := range []string{"assay:" + namespace + ":*", "asynq:{" + namespace + "-*"} {
		iter := client.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
	}
}

// loopbackOnly refuses any URL whose host is not a 127.0.0.0/8 address:
// this command talks to nothing else.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() || ip.To4() == nil {
		return fmt.Errorf("%s is not on 127.0.0.0/8; fedbench talks to loopback only", raw)
	}
	return nil
}

// poolStats reads the database/sql pool counters of an instance's store.
func poolStats(inst *instance) (sql.DBStats, bool) {
	p, ok := inst.Store.DB().(interface{ Stats() sql.DBStats })
	if !ok {
		return sql.DBStats{}, false
	}
	return p.Stats(), true
}

// poolReport says how the connection pool behaved between two readings:
// waits for a free connection, and connections closed (and so reopened)
// because more were idle than the pool keeps.
func poolReport(a, b sql.DBStats) string {
	return fmt.Sprintf("DB pool: max open %d, in use at end %d; %d waits for a connection (%.1f s in all); %d connections closed as surplus idle, %d as idle-timed-out",
		b.MaxOpenConnections, b.InUse, b.WaitCount-a.WaitCount, (b.WaitDuration - a.WaitDuration).Seconds(),
		b.MaxIdleClosed-a.MaxIdleClosed, b.MaxIdleTimeClosed-a.MaxIdleTimeClosed)
}
