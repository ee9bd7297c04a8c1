package videos

import (
	"errors"
	"io"
	"mime/multipart"

	"github.com/assay-social/assay/internal/apperr"
)

// maxFieldBytes bounds each text field of an upload form.
const maxFieldBytes = 16 << 10

// ErrTooLarge is an upload past ASSAY_MAX_UPLOAD_MB.
var ErrTooLarge = errors.New("upload larger than the limit")

// Receive reads an upload form part by part, streaming the file (the part
// named "file") into a staging directory and never holding it in memory.
// check, when not nil, sees every text field as it arrives and may refuse
// the request (the web form's CSRF token comes first, before any byte of
// the file is written). On error nothing is left behind; on success the
// caller passes the Staged upload to Upload, which owns it from then on.
func (s *Service) Receive(mr *multipart.Reader, check func(name, value string) error) (*Staged, UploadForm, error) {
	var form UploadForm
	var staged *Staged
	fail := func(err error) (*Staged, UploadForm, error) {
		if staged != nil {
			staged.Discard()
		}
		return nil, form, err
	}
	limit := s.media.MaxUploadBytes
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		if part.FormName() == "file" {
			if staged != nil {
				return fail(apperr.BadRequest("send one file per upload"))
			}
			if staged, err = s.Stage(); err != nil {
				return fail(err)
			}
			form.FileName = part.FileName()
			n, err := io.Copy(staged.File, io.LimitReader(part, limit+1))
			switch {
			case err != nil:
				return fail(err)
			case n > limit:
				return fail(ErrTooLarge)
			case n == 0:
				return fail(apperr.Unprocessable("the file is empty"))
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return fail(err)
		}
		if len(b) > maxFieldBytes {
			return fail(apperr.BadRequest("a form field is longer than 16 KiB"))
		}
		value := string(b)
		if check != nil {
			if err := check(part.FormName(), value); err != nil {
				return fail(err)
			}
		}
		switch part.FormName() {
		case "title":
			form.Title = value
		case "description":
			form.Description = value
		case "source":
			form.Source = value
		}
	}
	if staged == nil {
		return fail(apperr.BadRequest("the upload has no file"))
	}
	return staged, form, nil
}
