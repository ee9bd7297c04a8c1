// Command mediabench measures how fast Assay serves byte ranges of a stored
// video (issue 4) against nginx serving the same file, side by side:
//
//	go run ./cmd/mediabench                  # 20 MB file, wrk -t2 -c50 -d10s, 3 rounds each, 1 core per server
//	go run ./cmd/mediabench -conn-context    # the app's handler on App.Run's server plus ConnContext: media.ConnContext
//	go run ./cmd/mediabench -server plain    # media.Local behind a bare mux, without the app's middleware
//	go run ./cmd/mediabench -procs 2         # both servers may use both cores (nothing pinned)
//
// It writes a random file named like a storage key into a temporary data
// directory, starts Assay in-process on a 127.0.0.1 port (by default the
// whole app as `assay serve` runs it: app.New and App.Run, ASSAY_ROLE=web,
// SQLite and the embedded Redis, access log at info level into a file, so
// every middleware a real request passes), and nginx on another 127.0.0.1
// port serving the same directory (sendfile on, tcp_nopush on as in
// Debian's nginx.conf, access log into a file, the same response headers).
// It checks that both serve the right bytes, warms both up, then runs wrk
// against each in turn, -rounds times, alternating which goes first, so that
// noise on the machine falls on both. Each wrk request asks for a random
// byte range of -min-range to -max-range bytes; each wrk thread has a fixed
// seed, so both servers get the same sequence of ranges.
//
// Fairness: GOMAXPROCS is set to -procs and nginx runs -procs worker
// processes. wrk runs on the same machine and needs CPU too: with -pin (the
// default when -procs is below the number of CPUs) the servers are pinned to
// the first -procs CPUs and wrk to the rest, so that neither steals the
// other's core. The table shows the CPU each server and wrk used during each
// run and the machine's softirq (loopback TCP) and idle time; a run whose
// idle column is far below its neighbours' met other work on the machine.
// -quiet waits for idle cores before each run.
//
// Only loopback traffic; every run is bounded; nginx is stopped and the
// temporary directory removed at the end (also on Ctrl-C).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/media"
)

const key = "01JABCDEFGHJKMNPQRSTVWXYZ0-720.mp4"

type options struct {
	size               int64
	minRange, maxRange int64
	threads, conns     int
	duration, warmup   time.Duration
	rounds, procs      int
	server             string
	wrk, nginx         string
	cpuprofile         string
	keep               bool
	quiet              float64
	quietWait          time.Duration
	pin                bool
	nopush             bool
	nodelay            bool
	connContext        bool
	serverCPUs         string // taskset lists when pinned
	wrkCPUs            string
}

func main() {
	var o options
	flag.Int64Var(&o.size, "size", 20_000_000, "file size in bytes")
	flag.Int64Var(&o.minRange, "min-range", 256<<10, "smallest range requested, bytes")
	flag.Int64Var(&o.maxRange, "max-range", 2<<20, "largest range requested, bytes")
	flag.IntVar(&o.threads, "t", 2, "wrk threads")
	flag.IntVar(&o.conns, "c", 50, "wrk connections")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "length of each measured wrk run")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "length of the unmeasured warm-up run against each server (0: none)")
	flag.IntVar(&o.rounds, "rounds", 3, "measured runs per server, interleaved")
	flag.IntVar(&o.procs, "procs", 1, "GOMAXPROCS for Assay and worker_processes for nginx")
	flag.StringVar(&o.server, "server", "app", "app: the whole Assay handler (middleware included); plain: media.Local behind a bare mux")
	flag.StringVar(&o.wrk, "wrk", "wrk", "wrk binary")
	flag.StringVar(&o.nginx, "nginx", "nginx", "nginx binary")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of this process during the Assay runs to this file")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (logs, nginx.conf, wrk script)")
	flag.BoolVar(&o.pin, "pin", true, "pin the servers to the first -procs CPUs and wrk to the others (when there are others)")
	flag.BoolVar(&o.nopush, "nginx-tcp-nopush", true, "nginx's tcp_nopush (TCP_CORK while sending a file), on in Debian's default nginx.conf")
	flag.BoolVar(&o.nodelay, "assay-tcp-nodelay", true, "experiment: false turns Nagle's algorithm back on for Assay's connections (Go sets TCP_NODELAY by default; `assay serve` does not change it)")
	flag.BoolVar(&o.connContext, "conn-context", false, "give Assay's http.Server ConnContext: media.ConnContext (TCP_CORK while a file is sent); with -server app the app's handler is then served by an http.Server like App.Run's plus that field")
	flag.Float64Var(&o.quiet, "quiet", 0, "before each run, wait until the machine has had this many idle cores over a second (0: don't wait)")
	flag.DurationVar(&o.quietWait, "quiet-wait", 2*time.Minute, "with -quiet: wait at most this long each time, then run anyway")
	flag.Parse()
	if o.minRange < 1 || o.maxRange < o.minRange || o.maxRange > o.size || o.rounds < 1 || o.procs < 1 {
		fmt.Fprintln(os.Stderr, "mediabench: want 1 <= -min-range <= -max-range <= -size, -rounds >= 1, -procs >= 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mediabench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	wrkBin, err := exec.LookPath(o.wrk)
	if err != nil {
		return fmt.Errorf("wrk: %w (apt-get install wrk)", err)
	}
	nginxBin, err := exec.LookPath(o.nginx)
	if err != nil {
		return fmt.Errorf("nginx: %w (apt-get install nginx)", err)
	}
	runtime.GOMAXPROCS(o.procs)
	if n := runtime.NumCPU(); o.pin && o.procs < n {
		if _, err := exec.LookPath("taskset"); err != nil {
			return fmt.Errorf("-pin: %w", err)
		}
		o.serverCPUs, o.wrkCPUs = cpuList(0, o.procs-1), cpuList(o.procs, n-1)
		// Every thread of this process, the in-process Assay server included.
		if out, err := exec.Command("taskset", "-a", "-p", "-c", o.serverCPUs, strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
			return fmt.Errorf("taskset: %w: %s", err, out)
		}
	} else {
		o.pin = false
	}

	dir, err := os.MkdirTemp("", "mediabench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Println("temporary directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	// nginx's workers run as nobody: let them read the file.
	os.Chmod(dir, 0o755)
	dataDir := filepath.Join(dir, "assay")
	mediaDir := filepath.Join(dataDir, "media")
	if err := os.MkdirAll(mediaDir, 0o755); err != nil {
		return err
	}
	os.Chmod(dataDir, 0o755)
	data := make([]byte, o.size)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(mediaDir, key), data, 0o644); err != nil {
		return err
	}

	assayURL, stopAssay, err := startAssay(ctx, o, dataDir, mediaDir)
	if err != nil {
		return err
	}
	defer stopAssay()
	nginxURL, nginxPIDs, stopNginx, err := startNginx(ctx, o, nginxBin, dir, mediaDir)
	if err != nil {
		return err
	}
	defer stopNginx()

	for _, s := range []struct{ name, url string }{{"assay", assayURL}, {"nginx", nginxURL}} {
		if err := check(s.url+"/media/"+key, data); err != nil {
			return fmt.Errorf("%s serves the file wrong: %w", s.name, err)
		}
	}

	script := filepath.Join(dir, "ranges.lua")
	if err := os.WriteFile(script, []byte(fmt.Sprintf(luaScript, o.size, o.minRange, o.maxRange)), 0o644); err != nil {
		return err
	}
	type server struct {
		name string
		url  string
		cpu  func() time.Duration
	}
	servers := []server{
		{"assay", assayURL, selfCPU},
		{"nginx", nginxURL, func() time.Duration { return procsCPU(nginxPIDs) }},
	}
	wrkRun := func(s server, d time.Duration) (result, error) {
		if err := waitQuiet(ctx, o); err != nil {
			return result{}, err
		}
		m0 := machineCPU()
		cpu0 := s.cpu()
		start := time.Now()
		res, err := runWrk(ctx, wrkBin, o, d, script, s.url+"/media/"+key)
		wall := time.Since(start).Seconds()
		res.serverCores = (s.cpu() - cpu0).Seconds() / wall
		m1 := machineCPU()
		res.idleCores = (m1.idle - m0.idle).Seconds() / wall
		res.softirqCores = (m1.softirq - m0.softirq).Seconds() / wall
		res.wrkCores /= wall
		res.server = s.name
		return res, err
	}

	pinning := "not pinned"
	if o.pin {
		pinning = fmt.Sprintf("servers pinned to CPU %s, wrk to CPU %s", o.serverCPUs, o.wrkCPUs)
	}
	fmt.Printf("file %d bytes, ranges %d–%d bytes, wrk -t%d -c%d -d%s, %d rounds, %d core(s) per server (GOMAXPROCS=%d, nginx worker_processes %d), %s, %d CPUs\nassay: -server %s, ConnContext %v, TCP_NODELAY %v; nginx: sendfile on, tcp_nopush %s\n\n",
		o.size, o.minRange, o.maxRange, o.threads, o.conns, o.duration, o.rounds, o.procs, o.procs, o.procs, pinning, runtime.NumCPU(),
		o.server, o.connContext, o.nodelay, onOff(o.nopush))
	if o.warmup > 0 {
		for _, s := range servers {
			if _, err := wrkRun(s, o.warmup); err != nil {
				return fmt.Errorf("warm-up against %s: %w", s.name, err)
			}
		}
	}
	// CPU columns are in cores (CPU seconds per second). server and wrk are
	// their processes' user+system time; softirq (the kernel's loopback TCP
	// work, charged to no process) and idle are machine-wide.
	fmt.Println("| round | server | req/s | MiB/s | latency avg | p99 | server CPU | wrk CPU | softirq | idle | server CPU s/GiB | errors |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	var results [2][]result
	for round := 1; round <= o.rounds; round++ {
		order := servers
		if round%2 == 0 {
			order = []server{servers[1], servers[0]}
		}
		for _, s := range order {
			profile := s.name == "assay" && o.cpuprofile != ""
			if profile {
				f, err := os.Create(o.cpuprofile)
				if err != nil {
					return err
				}
				defer f.Close()
				pprof.StartCPUProfile(f)
			}
			res, err := wrkRun(s, o.duration)
			if profile {
				pprof.StopCPUProfile()
				o.cpuprofile = "" // the first Assay run only
			}
			if err != nil {
				return fmt.Errorf("round %d against %s: %w", round, s.name, err)
			}
			i := 0
			if s.name == "nginx" {
				i = 1
			}
			results[i] = append(results[i], res)
			res.print(os.Stdout, round)
		}
	}

	var mean [2]result
	for i := range results {
		for _, r := range results[i] {
			n := float64(len(results[i]))
			mean[i].rps += r.rps / n
			mean[i].bytesPerSec += r.bytesPerSec / n
			mean[i].serverCores += r.serverCores / n
			mean[i].wrkCores += r.wrkCores / n
			mean[i].softirqCores += r.softirqCores / n
			mean[i].idleCores += r.idleCores / n
		}
	}
	fmt.Println()
	fmt.Println("| mean | req/s | MiB/s | server CPU | wrk CPU | softirq | idle | server CPU s/GiB |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	for i, name := range []string{"assay", "nginx"} {
		fmt.Printf("| %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %.3f |\n", name, mean[i].rps, mean[i].bytesPerSec/(1<<20),
			mean[i].serverCores, mean[i].wrkCores, mean[i].softirqCores, mean[i].idleCores, cpuPerGiB(mean[i]))
	}
	var perRound []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for r := range results[0] {
		q := results[0][r].rps / results[1][r].rps
		lo, hi = min(lo, q), max(hi, q)
		perRound = append(perRound, fmt.Sprintf("%.2f", q))
	}
	ratio := mean[0].rps / mean[1].rps
	verdict := "PASS"
	if ratio < 0.8 {
		verdict = "FAIL"
	}
	fmt.Printf("\nAssay/nginx, means of the rounds: requests/s %.3f, transfer %.3f, server CPU per GiB %.3f\n",
		ratio, mean[0].bytesPerSec/mean[1].bytesPerSec, cpuPerGiB(mean[0])/cpuPerGiB(mean[1]))
	fmt.Printf("Assay/nginx requests/s round by round: %s (min %.2f, max %.2f)\n", strings.Join(perRound, ", "), lo, hi)
	fmt.Printf("target: Assay >= 0.80 × nginx requests/s: %s\n", verdict)
	return nil
}

func cpuPerGiB(r result) float64 {
	if r.bytesPerSec == 0 {
		return math.NaN()
	}
	return r.serverCores / (r.bytesPerSec / (1 << 30))
}

// startAssay serves mediaDir on a free loopback port: the whole app, or
// media.Local alone.
func startAssay(ctx context.Context, o options, dataDir, mediaDir string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	if !o.nodelay {
		ln = nagleListener{ln}
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	switch o.server {
	case "app":
		env := map[string]string{
			"ASSAY_DATA_DIR": dataDir, "ASSAY_ROLE": "web", "ASSAY_LOG_LEVEL": "info",
			"ASSAY_LISTEN": ln.Addr().String(), "ASSAY_PUBLIC_URL": url,
		}
		cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			cancel()
			ln.Close()
			return "", nil, err
		}
		logFile, err := os.Create(filepath.Join(filepath.Dir(dataDir), "assay.log"))
		if err != nil {
			cancel()
			ln.Close()
			return "", nil, err
		}
		log := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))
		a, err := app.New(ctx, cfg, log)
		if err != nil {
			cancel()
			ln.Close()
			logFile.Close()
			return "", nil, err
		}
		if !o.connContext {
			go func() { done <- a.Run(ctx, ln) }() // as `assay serve`
			return url, func() {
				cancel()
				<-done
				a.Close()
				logFile.Close()
			}, nil
		}
		// App.Run's server, field for field, plus ConnContext.
		srv := &http.Server{
			Handler:           a.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
			ConnContext:       media.ConnContext,
		}
		go func() { done <- srv.Serve(ln) }()
		return url, func() {
			cancel()
			srv.Close()
			<-done
			a.Close()
			logFile.Close()
		}, nil
	case "plain":
		l, err := media.NewLocal(mediaDir)
		if err != nil {
			cancel()
			ln.Close()
			return "", nil, err
		}
		mux := http.NewServeMux()
		mux.Handle("GET /media/{key}", l)
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		if o.connContext {
			srv.ConnContext = media.ConnContext
		}
		go func() { done <- srv.Serve(ln) }()
		return url, func() {
			cancel()
			srv.Close()
			<-done
		}, nil
	default:
		cancel()
		ln.Close()
		return "", nil, fmt.Errorf("-server %q: want app or plain", o.server)
	}
}

const nginxConf = `daemon off;
master_process on;
worker_processes %d;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 1024; }
http {
    access_log %[2]s/access.log;
    client_body_temp_path %[2]s/tmp/body;
    proxy_temp_path %[2]s/tmp/proxy;
    fastcgi_temp_path %[2]s/tmp/fastcgi;
    uwsgi_temp_path %[2]s/tmp/uwsgi;
    scgi_temp_path %[2]s/tmp/scgi;
    types { video/mp4 mp4; image/jpeg jpg; }
    sendfile on;
    tcp_nopush %[5]s;
    keepalive_requests 1000000;
    server {
        listen %[3]s;
        location /media/ {
            alias %[4]s/;
            etag on;
            add_header Cache-Control "public, max-age=31536000, immutable";
            add_header Access-Control-Allow-Origin *;
            add_header X-Content-Type-Options nosniff;
        }
    }
}
`

// startNginx runs nginx in the foreground with its own prefix under dir; it
// returns the URL, the pids of the master and workers, and a stop function.
func startNginx(ctx context.Context, o options, bin, dir, mediaDir string) (string, []int, func(), error) {
	prefix := filepath.Join(dir, "nginx")
	if err := os.MkdirAll(filepath.Join(prefix, "tmp"), 0o755); err != nil {
		return "", nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a free port, released for nginx
	if err != nil {
		return "", nil, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	conf := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(nginxConf, o.procs, prefix, addr, mediaDir, onOff(o.nopush))), 0o644); err != nil {
		return "", nil, nil, err
	}
	var stderr bytes.Buffer
	cmd := pinned(context.Background(), o.serverCPUs, bin, "-p", prefix+"/", "-c", conf, "-e", filepath.Join(prefix, "error.log"))
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", nil, nil, fmt.Errorf("starting nginx: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		select {
		case <-exited:
			return
		default:
		}
		cmd.Process.Signal(syscall.SIGQUIT) // graceful: finish and exit
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // master and workers
			<-exited
		}
	}
	url := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Head(url + "/media/" + key)
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-exited:
			return "", nil, nil, fmt.Errorf("nginx exited: %s", stderr.String())
		case <-ctx.Done():
			stop()
			return "", nil, nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, nil, fmt.Errorf("nginx did not answer on %s: %s", addr, stderr.String())
		}
	}
	pids := append([]int{cmd.Process.Pid}, children(cmd.Process.Pid)...)
	if len(pids) != 1+o.procs {
		stop()
		return "", nil, nil, fmt.Errorf("nginx has %d worker processes, want %d", len(pids)-1, o.procs)
	}
	return url, pids, stop, nil
}

// nagleListener turns TCP_NODELAY off on accepted connections.
type nagleListener struct{ net.Listener }

func (l nagleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(false)
	}
	return c, err
}

// pinned is a command run under taskset -c cpus (which execs it, keeping
// the pid), or as is when cpus is "".
func pinned(ctx context.Context, cpus, bin string, args ...string) *exec.Cmd {
	if cpus == "" {
		return exec.CommandContext(ctx, bin, args...)
	}
	return exec.CommandContext(ctx, "taskset", append([]string{"-c", cpus, bin}, args...)...)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func cpuList(first, last int) string {
	if first == last {
		return strconv.Itoa(first)
	}
	return strconv.Itoa(first) + "-" + strconv.Itoa(last)
}

// check fetches a range and the whole file and compares them with data.
func check(url string, data []byte) error {
	for _, c := range []struct {
		rng        string
		start, end int
	}{{"bytes=12345-1060000", 12345, 1060001}, {"", 0, len(data)}} {
		req, _ := http.NewRequest("GET", url, nil)
		want := http.StatusOK
		if c.rng != "" {
			req.Header.Set("Range", c.rng)
			want = http.StatusPartialContent
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != want || !bytes.Equal(body, data[c.start:c.end]) {
			return fmt.Errorf("Range %q: status %d, %d bytes, want %d and %d bytes", c.rng, resp.StatusCode, len(body), want, c.end-c.start)
		}
		if resp.Header.Get("Content-Type") != "video/mp4" {
			return fmt.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
		}
	}
	return nil
}

// luaScript asks for a random range of [min, max] bytes in each request;
// each wrk thread has a fixed seed, so both servers see the same ranges.
const luaScript = `local size, minlen, maxlen = %d, %d, %d
local n = 0
function setup(thread)
    n = n + 1
    thread:set("seed", n)
end
function init(args)
    math.randomseed(seed)
end
function request()
    local len = math.random(minlen, maxlen)
    local start = math.random(0, size - len)
    return wrk.format(nil, nil, { ["Range"] = "bytes=" .. start .. "-" .. (start + len - 1) })
end
`

type result struct {
	server                  string
	rps, bytesPerSec        float64
	latencyAvg, p99         string
	errors                  int
	serverCores, wrkCores   float64
	softirqCores, idleCores float64
}

func (r result) print(w io.Writer, round int) {
	fmt.Fprintf(w, "| %d | %s | %.0f | %.0f | %s | %s | %.2f | %.2f | %.2f | %.2f | %.3f | %d |\n", round, r.server, r.rps, r.bytesPerSec/(1<<20),
		r.latencyAvg, r.p99, r.serverCores, r.wrkCores, r.softirqCores, r.idleCores, cpuPerGiB(r), r.errors)
}

var (
	reRPS      = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	reTransfer = regexp.MustCompile(`(?m)^Transfer/sec:\s+([0-9.]+)([KMGT]?B)`)
	reLatency  = regexp.MustCompile(`(?m)^\s+Latency\s+(\S+)`)
	reP99      = regexp.MustCompile(`(?m)^\s+99%\s+(\S+)`)
	reNon2xx   = regexp.MustCompile(`(?m)Non-2xx or 3xx responses:\s+(\d+)`)
	reSocket   = regexp.MustCompile(`(?m)Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func runWrk(ctx context.Context, bin string, o options, d time.Duration, script, url string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	secs := strconv.Itoa(int(math.Ceil(d.Seconds())))
	cmd := pinned(ctx, o.wrkCPUs, bin, "-t"+strconv.Itoa(o.threads), "-c"+strconv.Itoa(o.conns), "-d"+secs+"s",
		"--latency", "-s", script, url)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("wrk: %w: %s", err, out.String())
	}
	var r result
	if st := cmd.ProcessState; st != nil {
		r.wrkCores = (st.UserTime() + st.SystemTime()).Seconds() // divided by wall time by the caller
	}
	text := out.String()
	m := reRPS.FindStringSubmatch(text)
	t := reTransfer.FindStringSubmatch(text)
	if m == nil || t == nil {
		return r, fmt.Errorf("cannot read wrk's output:\n%s", text)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	r.bytesPerSec, _ = strconv.ParseFloat(t[1], 64)
	r.bytesPerSec *= map[string]float64{"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}[t[2]]
	if m := reLatency.FindStringSubmatch(text); m != nil {
		r.latencyAvg = m[1]
	}
	if m := reP99.FindStringSubmatch(text); m != nil {
		r.p99 = m[1]
	}
	if m := reNon2xx.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1])
		r.errors += n
	}
	if m := reSocket.FindStringSubmatch(text); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.Atoi(s)
			r.errors += n
		}
	}
	return r, nil
}

// selfCPU is the CPU this process (the in-process Assay server; the
// benchmark itself only waits meanwhile) has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procsCPU sums utime+stime of the processes from /proc (USER_HZ = 100).
func procsCPU(pids []int) time.Duration {
	var ticks int64
	for _, pid := range pids {
		f := statFields(pid)
		if len(f) > 13 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += u + s
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// statFields returns /proc/PID/stat after the command name: field 3 (state)
// is [0], field 4 (ppid) [1], utime [11], stime [12].
func statFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

func children(ppid int) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(pid); len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitQuiet waits until the machine has had o.quiet idle cores over one
// second, for at most o.quietWait: on a machine shared with other work
// (builds, tests), a run should not start in the middle of a burst.
func waitQuiet(ctx context.Context, o options) error {
	if o.quiet <= 0 {
		return nil
	}
	start := time.Now()
	for time.Since(start) < o.quietWait {
		i0, t0 := machineCPU().idle, time.Now()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
		if (machineCPU().idle-i0).Seconds()/time.Since(t0).Seconds() >= o.quiet {
			return nil
		}
	}
	fmt.Fprintf(os.Stderr, "mediabench: the machine was not quiet (%.1f idle cores) within %s; running anyway\n", o.quiet, o.quietWait)
	return nil
}

type machine struct{ idle, softirq time.Duration }

// machineCPU reads the machine's idle (with iowait) and softirq time from
// /proc/stat (USER_HZ = 100).
func machineCPU() machine {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return machine{}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return machine{}
	}
	fields := strings.Fields(sc.Text()) // cpu user nice system idle iowait irq softirq ...
	if len(fields) < 8 || fields[0] != "cpu" {
		return machine{}
	}
	tick := func(i int) time.Duration {
		n, _ := strconv.ParseInt(fields[i], 10, 64)
		return time.Duration(n) * 10 * time.Millisecond
	}
	return machine{idle: tick(4) + tick(5), softirq: tick(7)}
}
