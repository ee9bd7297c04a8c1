package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assay-social/assay/internal/signing"
)

// rsaRates is this machine's RSA-2048 signing rate, measured in the same run
// as the federation numbers so that the two can be compared as a ratio.
type rsaRates struct {
	goOne, goAll           float64 // crypto/rsa SignPKCS1v15 of SHA-256 digests, 1 goroutine / GOMAXPROCS goroutines
	signPOSTOne            float64 // signing.SignPOST, the whole outgoing-signature path, 1 goroutine
	signPOSTAll            float64 // signing.SignPOST, GOMAXPROCS goroutines
	verifyAll              float64 // signing.Verify of one delivery (what an inbox does), GOMAXPROCS goroutines
	opensslOne, opensslAll float64 // `openssl speed rsa2048` (one process) and with -multi GOMAXPROCS; 0 if unavailable
	procs                  int
}

// rsaMeasure is how to measure the signing rate: d per configuration (0
// skips it), and whether to run openssl too.
type rsaMeasure struct {
	d       time.Duration
	openssl bool
}

// run measures and prints the rates. The modes call it after their setup,
// just before the timed phase, with the instance idle: the rate and the
// federation numbers then come from the same minute on the same machine.
func (m rsaMeasure) run(ctx context.Context) (rsaRates, error) {
	if m.d <= 0 {
		return rsaRates{}, nil
	}
	waitQuiet("the RSA measurement")
	r, err := measureRSA(ctx, m.d, m.openssl)
	if err != nil {
		return r, fmt.Errorf("measuring RSA: %w", err)
	}
	r.print()
	return r, nil
}

// measureRSA signs for d per configuration.
func measureRSA(ctx context.Context, d time.Duration, withOpenSSL bool) (rsaRates, error) {
	r := rsaRates{procs: runtime.GOMAXPROCS(0)}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return r, err
	}
	raw := func() error {
		var buf [8]byte
		binary.LittleEndian.PutUint64(buf[:], uint64(time.Now().UnixNano()))
		sum := sha256.Sum256(buf[:])
		_, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		return err
	}
	body := bytes.Repeat([]byte(`{"type":"Note","content":"x"}`), 36)
	post := func() error {
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.2:8080/users/f0/inbox", nil)
		if err != nil {
			return err
		}
		return signing.SignPOST(req, body, "http://127.0.0.1:8080/users/alice#main-key", key)
	}
	signed, err := http.NewRequest(http.MethodPost, "http://127.0.0.2:8080/users/f0/inbox", nil)
	if err != nil {
		return r, err
	}
	if err := signing.SignPOST(signed, body, "http://127.0.0.1:8080/users/alice#main-key", key); err != nil {
		return r, err
	}
	received := &http.Request{Method: http.MethodPost, URL: signed.URL, Host: signed.Host, Header: signed.Header, RequestURI: "/users/f0/inbox"}
	verify := func() error { return signing.Verify(received, body, &key.PublicKey, time.Time{}) }
	if r.goOne, err = rate(d, 1, raw); err != nil {
		return r, err
	}
	if r.goAll, err = rate(d, r.procs, raw); err != nil {
		return r, err
	}
	if r.signPOSTOne, err = rate(d, 1, post); err != nil {
		return r, err
	}
	if r.signPOSTAll, err = rate(d, r.procs, post); err != nil {
		return r, err
	}
	if r.verifyAll, err = rate(d, r.procs, verify); err != nil {
		return r, err
	}
	if withOpenSSL {
		secs := max(1, int(d.Round(time.Second)/time.Second))
		r.opensslOne, _ = opensslSpeed(ctx, secs, 1)
		if r.procs > 1 {
			r.opensslAll, _ = opensslSpeed(ctx, secs, r.procs)
		} else {
			r.opensslAll = r.opensslOne
		}
	}
	return r, nil
}

// rate runs op from workers goroutines for d and returns operations per second.
func rate(d time.Duration, workers int, op func() error) (float64, error) {
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := op(); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds(), firstErr
}

// opensslSpeed runs `openssl speed -seconds S [-multi N] rsa2048` and returns
// its sign/s, or 0 and an error when openssl is missing or says something else.
func opensslSpeed(ctx context.Context, secs, multi int) (float64, error) {
	path, err := exec.LookPath("openssl")
	if err != nil {
		return 0, err
	}
	args := []string{"speed", "-seconds", strconv.Itoa(secs)}
	if multi > 1 {
		args = append(args, "-multi", strconv.Itoa(multi))
	}
	args = append(args, "rsa2048")
	// RSA speed runs sign and verify, each for secs: leave room for both.
	cctx, cancel := context.WithTimeout(ctx, time.Duration(4*secs+30)*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, path, args...).Output()
	if err != nil {
		return 0, fmt.Errorf("openssl %s: %w", strings.Join(args, " "), err)
	}
	return parseOpenSSLSpeed(string(out))
}

// parseOpenSSLSpeed reads the sign/s column of the "rsa 2048 bits" line:
//
//	                  sign    verify    sign/s verify/s
//	rsa 2048 bits 0.000933s 0.000026s   1071.7  38111.4
func parseOpenSSLSpeed(out string) (float64, error) {
	var v float64
	found := false
	for line := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 7 && f[0] == "rsa" && f[1] == "2048" && f[2] == "bits" {
			x, err := strconv.ParseFloat(f[5], 64)
			if err != nil {
				return 0, fmt.Errorf("openssl speed: unreadable sign/s %q", f[5])
			}
			v, found = x, true
		}
	}
	if !found {
		return 0, fmt.Errorf("openssl speed: no \"rsa 2048 bits\" line in its output")
	}
	return v, nil
}

func (r rsaRates) print() {
	fmt.Printf("RSA-2048 signing rate on this machine (GOMAXPROCS=%d):\n", r.procs)
	fmt.Printf("  crypto/rsa SignPKCS1v15:   %7.0f signs/s on 1 goroutine, %7.0f signs/s on %d\n", r.goOne, r.goAll, r.procs)
	fmt.Printf("  signing.SignPOST:          %7.0f signs/s on 1 goroutine, %7.0f signs/s on %d\n", r.signPOSTOne, r.signPOSTAll, r.procs)
	fmt.Printf("  signing.Verify (inbox side): %7.0f verifies/s on %d\n", r.verifyAll, r.procs)
	if r.opensslOne > 0 {
		fmt.Printf("  openssl speed rsa2048:     %7.0f signs/s (one process), %7.0f signs/s with -multi %d\n", r.opensslOne, r.opensslAll, r.procs)
	} else {
		fmt.Printf("  openssl speed rsa2048:     not measured (openssl missing or -openssl=false)\n")
	}
}
