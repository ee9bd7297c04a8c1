package benchkit

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// StartProfile writes a CPU profile of one timed phase to PATH-PHASE.pprof
// and returns what stops it; with an empty path it does nothing.
func StartProfile(path, phase string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path + "-" + phase + ".pprof")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpuprofile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintln(os.Stderr, "cpuprofile:", err)
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
