package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"codeberg.org/gruf/go-ffmpreg/wasm"
	"github.com/tetratelabs/wazero"
)

// FFmpeg runs ffmpeg and ffprobe, either the system's or the embedded WASM
// build (DESIGN.md §2). Every path in args lies inside dir, the one
// directory the run may touch: the WASM build is given only that directory,
// and the system build runs in it.
type FFmpeg interface {
	// Name says which build this is, for logs and benchmarks.
	Name() string
	// Run runs program ("ffmpeg" or "ffprobe") and returns its standard
	// output; a non-zero exit is an *ExitError carrying the end of stderr.
	Run(ctx context.Context, dir, program string, args ...string) ([]byte, error)
}

// ExitError is ffmpeg or ffprobe refusing its input: what it said last is
// usually the reason a person needs.
type ExitError struct {
	Program string
	Code    int
	Stderr  string
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("%s exited with %d: %s", e.Program, e.Code, e.Stderr)
}

// componentTag is ffmpeg's "[mov,mp4,… @ 0x5636…] " line prefix: noise to
// the person reading the reason.
var componentTag = regexp.MustCompile(`\[[^\]]* @ 0x[0-9a-f]+\] *`)

// lastLines keeps the end of stderr, where ffmpeg says what went wrong.
func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(componentTag.ReplaceAllString(string(b), "")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

// NewFFmpeg picks the build ASSAY_FFMPEG asks for: "system" needs ffmpeg and
// ffprobe on PATH, "embedded" uses the WASM build with its compilation cache
// in cacheDir, "auto" prefers the system's.
func NewFFmpeg(mode, cacheDir string) (FFmpeg, error) {
	sys, sysErr := systemFFmpeg()
	switch mode {
	case "system":
		if sysErr != nil {
			return nil, fmt.Errorf("ASSAY_FFMPEG=system: %w", sysErr)
		}
		return sys, nil
	case "embedded":
		return Embedded(cacheDir), nil
	case "auto", "":
		if sysErr == nil {
			return sys, nil
		}
		return Embedded(cacheDir), nil
	}
	return nil, fmt.Errorf("ASSAY_FFMPEG=%q: want auto, system or embedded", mode)
}

type system struct{ ffmpeg, ffprobe string }

func systemFFmpeg() (*system, error) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, errors.New("ffmpeg is not on PATH")
	}
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		return nil, errors.New("ffprobe is not on PATH")
	}
	return &system{ffmpeg: ffmpeg, ffprobe: ffprobe}, nil
}

func (s *system) Name() string { return "system" }

func (s *system) Run(ctx context.Context, dir, program string, args ...string) ([]byte, error) {
	bin := s.ffmpeg
	if program == "ffprobe" {
		bin = s.ffprobe
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
	cmd.Env = []string{"PATH=/usr/bin:/bin"} // nothing of ours leaks into a parser of hostile files
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil, &ExitError{Program: program, Code: exit.ExitCode(), Stderr: lastLines(stderr.Bytes(), 3)}
	}
	return stdout.Bytes(), err
}

// embedded is the WASM build. Compiling it takes seconds, so it happens
// once per process (and wazero keeps the result on disk for the next
// process); runs are bounded because each holds a whole ffmpeg's memory.
type embedded struct {
	once     sync.Once
	cacheDir string
	rt       wazero.Runtime
	module   wazero.CompiledModule
	err      error
	slots    chan struct{}
}

var (
	embeddedMu sync.Mutex
	embeddedBy = map[string]*embedded{}
)

// Embedded returns the process's WASM ffmpeg for cacheDir, compiling it
// on first use.
func Embedded(cacheDir string) FFmpeg {
	embeddedMu.Lock()
	defer embeddedMu.Unlock()
	if e, ok := embeddedBy[cacheDir]; ok {
		return e
	}
	e := &embedded{cacheDir: cacheDir, slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))}
	embeddedBy[cacheDir] = e
	return e
}

func (e *embedded) Name() string { return "embedded" }

func (e *embedded) compile() {
	ctx := context.Background()
	cfg := wazero.NewRuntimeConfig().WithCloseOnContextDone(true) // a job timeout stops the run
	if e.cacheDir != "" {
		if err := os.MkdirAll(e.cacheDir, 0o750); err == nil {
			if cache, err := wazero.NewCompilationCacheWithDir(e.cacheDir); err == nil {
				cfg = cfg.WithCompilationCache(cache)
			}
		}
	}
	e.rt, e.err = wasm.NewRuntime(ctx, cfg)
	if e.err != nil {
		return
	}
	bin, err := ffmpregBinary()
	if err != nil {
		e.err = err
		return
	}
	e.module, e.err = e.rt.CompileModule(ctx, bin)
}

func (e *embedded) Run(ctx context.Context, dir, program string, args ...string) ([]byte, error) {
	e.once.Do(e.compile)
	if e.err != nil {
		return nil, fmt.Errorf("embedded ffmpeg: %w", e.err)
	}
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	code, err := wasm.Run(ctx, e.rt, e.module, wasm.Args{
		Name: program, Args: args, Stdout: &stdout, Stderr: &stderr,
		Config: func(c wazero.ModuleConfig) wazero.ModuleConfig {
			// Only the run's own directory, mounted at its real path so
			// the same absolute paths work for both builds.
			return c.WithFSConfig(wazero.NewFSConfig().WithDirMount(abs, abs))
		},
	})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w", program, err)
	}
	if code != 0 {
		return nil, &ExitError{Program: program, Code: int(code), Stderr: lastLines(stderr.Bytes(), 3)}
	}
	return stdout.Bytes(), nil
}
