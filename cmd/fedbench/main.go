// Command fedbench measures Assay's federation throughput on loopback
// (issue 3): the fan-out of one post to many followers, and the acceptance
// of signed activities at the shared inbox.
//
//	go run ./cmd/fedbench -mode fanout -shared=false   # 1,000 deliveries, one per personal inbox
//	go run ./cmd/fedbench -mode fanout -shared=true    # 200 deliveries, one per shared inbox
//	go run ./cmd/fedbench -mode inbox                  # 20,000 Create{Video}, receiver's workers off
//	go run ./cmd/fedbench -mode inbox -workers         # the same with the receiver's workers on
//
// fanout starts one sender instance in-process (app.New, as `assay serve`
// does) and -receivers receiving servers on 127.0.0.2, 127.0.0.3, …, each
// hosting -followers-per-receiver follower actors. The receivers verify
// every delivery for real (signing.Verify against the sender's key, fetched
// once per receiver from the sender's actor with a plain GET; Digest; Date;
// signer = actor). The follows are written into the sender's database
// directly; then one video is published and the time from the publish call
// to the last verified delivery is measured.
//
// inbox starts one receiving instance and a sender actor server, pre-signs
// -n distinct Create{Video} activities to the receiver's shared inbox and
// sends them from -c concurrent keep-alive clients, timing each request.
//
// Both modes measure this machine's RSA-2048 signing rate after their setup,
// just before the timed phase (crypto/rsa and signing.SignPOST in-process,
// and `openssl speed rsa2048`, one process and -multi NumCPU, when openssl
// is installed), so the results can be read as ratios within one run. Each
// timed phase also reports the CPU used meanwhile by this process, by
// PostgreSQL, by Redis and by everything else on the machine, and the
// database pool's waits and reconnections; -quiet waits for a lull first on
// a machine shared with other work.
//
// Each instance gets a fresh PostgreSQL database (created from -db, dropped
// at the end) and its own Redis namespace (deleted at the end); -db ""
// -redis "" use SQLite in a temporary directory and the embedded Redis.
// -db-params and -db-max-idle change the instance's database connection for
// experiments with proposed fixes; they are off by default. Everything talks
// to 127.0.0.0/8 only, every wait is bounded by -timeout (or -quiet-wait),
// and the command stops by itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/assay-social/assay/internal/benchkit"
)

func main() {
	mode := flag.String("mode", "", "fanout or inbox (required)")
	db := flag.String("db", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		`PostgreSQL URL to create a fresh database from ("" for SQLite)`)
	redisURL := flag.String("redis", "redis://127.0.0.1:6379", `Redis URL ("" for the embedded Redis)`)
	concurrency := flag.Int("concurrency", 64, "worker concurrency of the instance under test (ASSAY_WORKER_CONCURRENCY)")
	timeout := flag.Duration("timeout", 3*time.Minute, "give up a timed phase after this long")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed phase (the whole process: instance, receivers, clients) to this file")
	rsaTime := flag.Duration("rsa-time", 3*time.Second, "how long to sign for each RSA rate measurement (0 skips it)")
	useOpenSSL := flag.Bool("openssl", true, "also run `openssl speed rsa2048` if openssl is installed")
	flag.StringVar(&traceFile, "trace", "", "with -cpuprofile: also write an execution trace of the timed phase to this file")
	flag.Float64Var(&quietWanted, "quiet", 0, "before each measurement, wait until the machine has this many idle cores (0: don't wait)")
	flag.DurationVar(&quietWithin, "quiet-wait", 5*time.Minute, "with -quiet: wait at most this long each time")
	dbParams := flag.String("db-params", "", "experiment: query parameters appended to the instance's database URL, e.g. default_query_exec_mode=simple_protocol")
	dbMaxIdle := flag.Int("db-max-idle", 0, "experiment: set the instance's database/sql MaxIdleConns after app.New (0: leave the server's setting)")
	logLevel := flag.String("log-level", "warn", "log level of the instance under test")

	shared := flag.Bool("shared", false, "fanout: followers advertise a shared inbox (one delivery per receiver)")
	receivers := flag.Int("receivers", 200, "fanout: receiving servers")
	perReceiver := flag.Int("followers-per-receiver", 5, "fanout: follower actors on each receiving server")
	runs := flag.Int("runs", 1, "fanout: videos to publish one after another on the same instance, each timed")
	prefetch := flag.Bool("prefetch-key", false, "fanout: receivers fetch the sender's key before the timer starts (default: on first delivery, timed)")

	n := flag.Int("n", 20000, "inbox: activities to send (timed)")
	clients := flag.Int("c", 32, "inbox: concurrent HTTP clients")
	workers := flag.Bool("workers", false, "inbox: run the receiver's workers (ASSAY_ROLE=all) instead of ASSAY_ROLE=web")
	drain := flag.Bool("drain", true, "inbox with -workers: also wait until every activity is processed")
	flag.Parse()

	if *mode != "fanout" && *mode != "inbox" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: parseLevel(*logLevel)}))
	b := backend{adminDB: *db, redisURL: *redisURL, dbParams: *dbParams, dbMaxIdle: *dbMaxIdle}

	fmt.Printf("fedbench -mode %s on %s; %s; GOMAXPROCS=%d, NumCPU=%d; load average %s\n",
		*mode, b, runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU(), benchkit.LoadAvg())
	rm := rsaMeasure{d: *rsaTime, openssl: *useOpenSSL}
	var err error
	switch *mode {
	case "fanout":
		err = runFanout(ctx, fanoutOptions{
			backend: b, concurrency: *concurrency, shared: *shared, receivers: *receivers, perReceiver: *perReceiver,
			runs: *runs, timeout: *timeout, prefetchKey: *prefetch, cpuprofile: *cpuprofile, logLevel: *logLevel, rsa: rm,
		}, log)
	case "inbox":
		err = runInbox(ctx, inboxOptions{
			backend: b, concurrency: *concurrency, workers: *workers, n: *n, clients: *clients, timeout: *timeout,
			drain: *drain, cpuprofile: *cpuprofile, logLevel: *logLevel, rsa: rm,
		}, log)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "fedbench: %v\n", err)
		os.Exit(1)
	}
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelWarn
	}
	return l
}
