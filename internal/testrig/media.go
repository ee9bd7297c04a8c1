package testrig

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
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
	return i.Multipart(http.MethodPost, "/api/v1/videos", token, fields, FormFile{Field: "file", Name: fileName, Content: content})
}

// FormFile is one file in a multipart/form-data request.
type FormFile struct {
	Field, Name string
	Content     []byte
}

// Multipart sends fields and files to the API as multipart/form-data.
func (i *Instance) Multipart(method, path, token string, fields map[string]string, files ...FormFile) *Response {
	i.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v) //nolint:errcheck // writes to memory
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.Field, f.Name)
		if err != nil {
			i.t.Fatal(err)
		}
		fw.Write(f.Content) //nolint:errcheck // writes to memory
	}
	mw.Close()
	req, err := http.NewRequest(method, i.URL+path, &body)
	if err != nil {
		i.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return do(i.t, http.DefaultClient, req)
}

// Picture is a w×h gradient encoded as "png" or "jpeg", for avatars and
// thumbnails.
func Picture(t testing.TB, w, h int, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	default:
		t.Fatalf("Picture: no format %q", format)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
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
