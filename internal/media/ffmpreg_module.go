package media

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// ffmpregWASM is go-ffmpreg's WebAssembly ffmpeg (embed/ffmpreg.wasm.gz of
// the version go.mod requires; GPL-3.0, see docs/ARCHITECTURE.md), kept
// compressed here rather than imported through go-ffmpreg/embed. That
// package unpacks its 20 MB into the heap when the process starts, which a
// server with a system ffmpeg never needs and one without needs only while
// compiling; TestFFmpregWASMIsTheModulesOwn keeps the copy in step.
//
//go:embed ffmpreg.wasm.gz
var ffmpregWASM string

// ffmpregBinary unpacks the module for one compile; nothing keeps the result.
func ffmpregBinary() ([]byte, error) {
	if len(ffmpregWASM) < 4 {
		return nil, fmt.Errorf("the embedded ffmpeg is missing from this build")
	}
	zr, err := gzip.NewReader(strings.NewReader(ffmpregWASM))
	if err != nil {
		return nil, fmt.Errorf("the embedded ffmpeg is damaged: %w", err)
	}
	// gzip ends with the unpacked size, so the buffer is allocated once.
	var out bytes.Buffer
	out.Grow(int(binary.LittleEndian.Uint32([]byte(ffmpregWASM[len(ffmpregWASM)-4:]))))
	if _, err := io.Copy(&out, zr); err != nil {
		return nil, fmt.Errorf("the embedded ffmpeg is damaged: %w", err)
	}
	return out.Bytes(), nil
}
