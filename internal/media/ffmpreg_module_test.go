package media

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The WASM runner comes from the go-ffmpreg version go.mod requires, the
// binary from our copy: they must be the same release, or the module's host
// functions may not match what the runner provides.
func TestFFmpregWASMIsTheModulesOwn(t *testing.T) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "codeberg.org/gruf/go-ffmpreg").Output()
	if err != nil {
		t.Fatalf("go list the go-ffmpreg module: %v", err)
	}
	theirs, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "embed", "ffmpreg.wasm.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(theirs, []byte(ffmpregWASM)) {
		t.Fatal("internal/media/ffmpreg.wasm.gz differs from the go-ffmpreg module's embed/ffmpreg.wasm.gz: copy it again after changing the module's version")
	}
	zr, err := gzip.NewReader(bytes.NewReader(theirs))
	if err != nil {
		t.Fatal(err)
	}
	want, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ffmpregBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || !bytes.HasPrefix(got, []byte("\x00asm")) {
		t.Fatalf("unpacked %d bytes, want the %d-byte WebAssembly module", len(got), len(want))
	}
}
