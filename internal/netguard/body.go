package netguard

import (
	"fmt"
	"io"
)

// limitedBody fails, rather than truncates, a body longer than its limit.
type limitedBody struct {
	rc    io.ReadCloser
	left  int64 // bytes still allowed
	limit int64
	url   string
	err   error // sticky once the limit is passed
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	// Ask for one byte more than allowed, to tell "exactly the limit" from "over".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		b.err = fmt.Errorf("%w: more than %d bytes from %s", ErrTooLarge, b.limit, b.url)
		n = int(b.left)
		b.left = 0
		return n, b.err
	}
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
