package media

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/assay-social/assay/internal/httpx"
)

// Header values shared by every response. net/http only reads them; each
// slice is full (len == cap), so a later Header.Add copies instead of
// writing into it.
var (
	hdrMP4       = []string{"video/mp4"}
	hdrJPEG      = []string{"image/jpeg"}
	hdrPNG       = []string{"image/png"}
	hdrImmutable = []string{"public, max-age=31536000, immutable"}
	hdrBytes     = []string{"bytes"}
	hdrNosniff   = []string{"nosniff"}
	hdrAnyOrigin = []string{"*"}
)

// ServeHTTP answers GET and HEAD /media/{key} from the directory: Range
// (one or several), If-Range, If-None-Match and If-Modified-Since through
// http.ServeContent, the body copied by the kernel (sendfile) when the
// connection allows it. A key's bytes never change, so responses may be
// cached for good; remote instances' players embed them, so any origin may
// read them. Anything that is not a stored file is a plain 404.
func (l *Local) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Access-Control-Allow-Origin"] = hdrAnyOrigin
	h["X-Content-Type-Options"] = hdrNosniff

	key := r.PathValue("key")
	f, err := l.Open(key) // ErrNotExist for anything that is not a key
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			httpx.Logger(r.Context()).Error("opening media", "key", key, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}

	switch {
	case strings.HasSuffix(key, ".mp4"):
		h["Content-Type"] = hdrMP4
	case strings.HasSuffix(key, ".png"): // avatars
		h["Content-Type"] = hdrPNG
	default:
		h["Content-Type"] = hdrJPEG // ValidKey allows only .mp4, .png and .jpg
	}
	h["Cache-Control"] = hdrImmutable
	h["Accept-Ranges"] = hdrBytes
	h["Etag"] = []string{etag(st.Size(), st.ModTime().UnixNano())}

	// Hold partial TCP segments back while the response is written, as
	// nginx's tcp_nopush does, so headers and body leave in full segments
	// (needs ConnContext on the server). Measured with cmd/mediabench
	// (docs/BENCHMARKS.md, issue 4): without it Go's small header write
	// and the partial segments pushed around sendfile cost the receiver so
	// much more that Assay reached only 0.5-0.7 of nginx on loopback.
	if r.Method != http.MethodHead {
		if c, ok := r.Context().Value(connKey{}).(*corkConn); ok {
			c.cork(true)
			defer c.cork(false)
		}
	}

	// ServeContent copies with io.CopyN, which becomes sendfile(2) when w
	// has ReadFrom: the connection's writer has, and the app's middleware
	// passes it through (internal/app statusWriter).
	// name "" because the Content-Type is set: nothing to guess or sniff.
	http.ServeContent(w, r, "", st.ModTime(), f)
}

type connKey struct{}

// corkConn is a connection whose TCP_CORK can be set.
type corkConn struct{ rc syscall.RawConn }

func (c *corkConn) cork(on bool) {
	if on {
		c.rc.Control(corkOn)
	} else {
		c.rc.Control(corkOff)
	}
}

// ConnContext is for http.Server.ConnContext: it lets ServeHTTP cork the
// TCP connection while it sends a file. Without it files are served all
// the same, only less efficiently.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if !canCork {
		return ctx
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return ctx // TLS, unix sockets: no sendfile anyway
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return ctx
	}
	return context.WithValue(ctx, connKey{}, &corkConn{rc})
}

// etag is strong and cheap: a key's file is written once, so its size and
// modification time name its bytes.
func etag(size, mtime int64) string {
	var b [2 + 16 + 1 + 16]byte
	e := append(b[:0], '"')
	e = strconv.AppendInt(e, size, 16)
	e = append(e, '-')
	e = strconv.AppendInt(e, mtime, 16)
	e = append(e, '"')
	return string(e)
}
