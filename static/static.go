// Package static embeds the CSS, scripts and icons. Each file is served under
// a path that carries a hash of its content, so it can be cached forever and
// a new release still reaches every browser at once.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed *.css *.svg *.js
var files embed.FS

// Assets serves the embedded files under /static/HASH/NAME.
type Assets struct {
	hashOf map[string]string // name → short content hash
}

// Load hashes every embedded file once.
func Load() (*Assets, error) {
	a := &Assets{hashOf: map[string]string{}}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashOf[path] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// URL is the cacheable address of an embedded file.
func (a *Assets) URL(name string) string { return "/static/" + a.hashOf[name] + "/" + name }

// ServeHTTP answers GET /static/HASH/NAME. A stale hash still gets the
// current file, but only a current one is marked immutable.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, name, ok := strings.Cut(rest, "/")
	current, known := a.hashOf[name]
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	if hash == current {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeFileFS(w, r, files, name)
}
