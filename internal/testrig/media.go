package testrig

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// EnvRequireFFmpeg makes a missing system ffmpeg a failure instead of a
// skip; .ci/run installs ffmpeg and sets it, so CI never skips silently.
const EnvRequireFFmpeg = "ASSAY_REQUIRE_FFMPEG"

// FFmpegBuilds are the ASSAY_FFMPEG values a media test runs under: the
// embedded WASM build always, the system build when it is installed.
func FFmpegBuilds(t testing.TB) []string {
	t.Helper()
	builds := []string{"embedded"}
	_, errFFmpeg := exec.LookPath("ffmpeg")
	_, errProbe := exec.LookPath("ffprobe")
	switch {
	case errFFmpeg == nil && errProbe == nil:
		builds = append([]string{"system"}, builds...)
	case os.Getenv(EnvRequireFFmpeg) == "1":
		t.Fatalf("%s=1 but ffmpeg and ffprobe are not both on PATH (apt-get install ffmpeg)", EnvRequireFFmpeg)
	default:
		t.Logf("system ffmpeg not installed: testing the embedded WASM build only (apt-get install ffmpeg to test both)")
	}
	return builds
}

// Upload posts a file to POST /api/v1/videos as multipart/form-data, the
// way a browser or app does, with the given form fields.
func (i *Instance) Upload(token, fileName string, content []byte, fields map[string]string) *Response {
	i.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v) //nolint:errcheck // writes to memory
	}
	fw, err := mw.CreateFormFile("file", fileName)
	if err != nil {
		i.t.Fatal(err)
	}
	fw.Write(content) //nolint:errcheck // writes to memory
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, i.URL+"/api/v1/videos", &body)
	if err != nil {
		i.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return do(i.t, http.DefaultClient, req)
}

// Files lists the files under the instance's data directory dir (e.g.
// "media", "uploads"), for tests that prove nothing was left behind.
func (i *Instance) Files(dir string) []string {
	i.t.Helper()
	var out []string
	root := filepath.Join(i.Config.DataDir, dir)
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error { //nolint:errcheck // a missing dir is an empty one
		if err == nil && path != root {
			out = append(out, strings.TrimPrefix(path, root+string(filepath.Separator)))
		}
		return nil
	})
	return out
}
