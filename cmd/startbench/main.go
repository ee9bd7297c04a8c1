// Command startbench measures how fast a built assay binary becomes healthy
// on a fresh data directory and how much memory it holds when idle.
//
//	go build -o /tmp/assay-bench ./cmd/assay
//	go run ./cmd/startbench -bin /tmp/assay-bench -runs 10
//
// Each run starts `BIN serve` on a fresh temporary data directory and a free
// 127.0.0.1 port, times process start → first 200 from GET /healthz, waits
// -idle, reads VmRSS from /proc/PID/status, then sends SIGTERM and expects a
// clean exit. It talks to nothing but 127.0.0.1 and stops by itself.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Targets from the issue.
const (
	targetHealthy = 2 * time.Second
	targetRSSMB   = 80.0
)

const (
	pollEvery      = 5 * time.Millisecond
	healthyTimeout = 30 * time.Second
	exitTimeout    = 15 * time.Second
)

type result struct {
	healthy time.Duration
	rssMB   float64
}

func main() {
	bin := flag.String("bin", "", "path to a built assay binary (required)")
	runs := flag.Int("runs", 10, "number of start-ups")
	idle := flag.Duration("idle", 3*time.Second, "how long to stay idle before reading RSS")
	flag.Parse()
	if *bin == "" || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}

	var healthy, rss []float64
	for i := 1; i <= *runs; i++ {
		r, err := runOnce(*bin, *idle)
		if err != nil {
			fmt.Fprintf(os.Stderr, "run %d: %v\n", i, err)
			os.Exit(1)
		}
		ms := float64(r.healthy.Microseconds()) / 1000
		fmt.Printf("run %2d: healthy after %7.1f ms, idle RSS %6.1f MB\n", i, ms, r.rssMB)
		healthy = append(healthy, ms)
		rss = append(rss, r.rssMB)
	}

	fmt.Printf("\ntime to healthy: median %7.1f ms, max %7.1f ms (target < %v)\n",
		median(healthy), slices.Max(healthy), targetHealthy)
	fmt.Printf("idle RSS:        median %7.1f MB, max %7.1f MB (target < %.0f MB)\n",
		median(rss), slices.Max(rss), targetRSSMB)
	okHealthy := slices.Max(healthy) < float64(targetHealthy.Milliseconds())
	okRSS := slices.Max(rss) < targetRSSMB
	verdict := "PASS"
	if !okHealthy || !okRSS {
		verdict = "FAIL"
	}
	fmt.Printf("verdict: %s (worst run: healthy %s, RSS %s)\n", verdict, passFail(okHealthy), passFail(okRSS))
}

func passFail(ok bool) string {
	if ok {
		return "ok"
	}
	return "over target"
}

// runOnce starts one server on a fresh data dir and measures it.
func runOnce(bin string, idle time.Duration) (result, error) {
	dir, err := os.MkdirTemp("", "startbench-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return result{}, err
	}

	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"ASSAY_DATA_DIR=" + dir,
		"ASSAY_LISTEN=" + addr,
		"ASSAY_LOG_LEVEL=warn",
	}
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	// done closes when the process has exited; waitErr is valid after that.
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	// Whatever happens, do not leave the server running.
	defer func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
			<-done
		}
	}()

	var r result
	if r.healthy, err = waitHealthy("http://"+addr+"/healthz", start, done); err != nil {
		return r, err
	}
	select {
	case <-done:
		return r, fmt.Errorf("server exited while idle: %v", waitErr)
	case <-time.After(idle):
	}
	if r.rssMB, err = rssMB(cmd.Process.Pid); err != nil {
		return r, err
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return r, err
	}
	select {
	case <-done:
		if waitErr != nil {
			return r, fmt.Errorf("after SIGTERM: %v", waitErr)
		}
	case <-time.After(exitTimeout):
		return r, fmt.Errorf("did not exit within %v of SIGTERM", exitTimeout)
	}
	return r, nil
}

// waitHealthy polls url until it answers 200 and returns the time since start.
func waitHealthy(url string, start time.Time, done <-chan struct{}) (time.Duration, error) {
	// No proxy: the only peer is the server on 127.0.0.1.
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	for time.Since(start) < healthyTimeout {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		select {
		case <-done:
			return 0, errors.New("server exited before it was healthy")
		case <-time.After(pollEvery):
		}
	}
	return 0, fmt.Errorf("not healthy within %v", healthyTimeout)
}

// freeAddr asks the kernel for a free loopback port. The port is released
// before the server binds it; a collision in that gap makes the run fail
// loudly rather than measure the wrong thing.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// rssMB reads the resident set size of pid, in MiB.
func rssMB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fields := strings.Fields(rest) // "12345 kB"
			if len(fields) != 2 || fields[1] != "kB" {
				return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
			}
			kb, err := strconv.ParseFloat(fields[0], 64)
			if err != nil {
				return 0, err
			}
			return kb / 1024, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// median returns the middle value of xs (the mean of the two middle values
// for an even count), without reordering xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
