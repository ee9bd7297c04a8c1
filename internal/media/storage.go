package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// Storage keeps the files Assay serves under /media/KEY. Keys are flat,
// made by Assay (a video or avatar id and a suffix), and never reused: a key's bytes
// never change, which is what lets /media answer with immutable caching.
type Storage interface {
	// Put moves (or copies) the local file at src into the store under key
	// and returns its size. src is gone afterwards.
	Put(ctx context.Context, key, src string) (int64, error)
	// Delete removes keys; keys that are already gone are not an error.
	Delete(ctx context.Context, keys ...string) error
}

// validKey is the shape of every key Assay writes; anything else asked of
// /media is not ours (and cannot climb out of the directory).
var validKey = regexp.MustCompile(`^[0-9A-Za-z]{10,40}(-[a-z0-9]{1,16})?\.(mp4|jpg|png)$`)

// ValidKey reports whether key could name a stored file.
func ValidKey(key string) bool { return validKey.MatchString(key) }

// Local stores files in one directory on the local file system.
type Local struct{ Dir string }

// NewLocal makes the directory if needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("media directory %s: %w", dir, err)
	}
	return &Local{Dir: dir}, nil
}

func (l *Local) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("media: %q is not a storage key", key)
	}
	return filepath.Join(l.Dir, key), nil
}

// Put renames src into place (same file system: the usual case, one
// syscall) and falls back to a copy across file systems.
func (l *Local) Put(_ context.Context, key, src string) (int64, error) {
	dst, err := l.path(key)
	if err != nil {
		return 0, err
	}
	if err := os.Rename(src, dst); err != nil {
		if err := copyFile(src, dst); err != nil {
			return 0, err
		}
		os.Remove(src)
	}
	st, err := os.Stat(dst)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// Delete removes the keys' files.
func (l *Local) Delete(_ context.Context, keys ...string) error {
	var errs []error
	for _, key := range keys {
		p, err := l.path(key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Open opens a stored file for serving; os.ErrNotExist when there is none.
func (l *Local) Open(key string) (*os.File, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, os.ErrNotExist
	}
	return os.Open(p)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".part"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}
