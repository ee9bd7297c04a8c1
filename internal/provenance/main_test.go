package provenance

import (
	"flag"
	"os"
	"testing"
)

// TestMain lowers the fuzzing engine's minimisation budget unless
// -fuzzminimizetime is given. By default every new interesting input is
// minimised for up to 60 s; inputs grown from real MP4 boxes are KiBs long
// and the minimiser tries byte ranges pairwise, so a plain
// `go test -fuzz=FuzzDetect -fuzztime=60s` spent its minute minimising a
// single input (about 30 execs in total). With 500 ms it runs thousands of
// executions a second.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.fuzzminimizetime" })
	if !given {
		if err := flag.Set("test.fuzzminimizetime", "500ms"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
