package api

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/videos"
)

// maxFieldBytes bounds each text field of an upload form.
const maxFieldBytes = 16 << 10

// upload receives POST /api/v1/videos. The body is read part by part and
// the file streamed to disk, never held in memory; past the size limit the
// request is cut off with 413 and nothing is kept.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request, user *model.User) {
	limit := h.Videos.MaxUploadBytes()
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20) // the file plus its form fields
	mr, err := r.MultipartReader()
	if err != nil {
		httpx.JSONError(w, r, apperr.BadRequest("send the video as multipart/form-data with a part named file"))
		return
	}
	var form videos.UploadForm
	var staged *videos.Staged
	defer func() {
		if staged != nil {
			staged.Discard() // Upload takes ownership once called; until then it is ours
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			httpx.JSONError(w, r, readError(err, limit))
			return
		}
		switch part.FormName() {
		case "file":
			if staged != nil {
				httpx.JSONError(w, r, apperr.BadRequest("send one file per upload"))
				return
			}
			if staged, err = h.Videos.Stage(); err != nil {
				httpx.JSONError(w, r, err)
				return
			}
			form.FileName = part.FileName()
			n, err := io.Copy(staged.File, io.LimitReader(part, limit+1))
			if err == nil && n > limit {
				err = &http.MaxBytesError{Limit: limit}
			}
			if err == nil && n == 0 {
				err = apperr.Unprocessable("the file is empty")
			}
			if err != nil {
				httpx.JSONError(w, r, readError(err, limit))
				return
			}
		case "title":
			form.Title, err = field(part)
		case "description":
			form.Description, err = field(part)
		case "source":
			form.Source, err = field(part)
		}
		if err != nil {
			httpx.JSONError(w, r, err)
			return
		}
	}
	if staged == nil {
		httpx.JSONError(w, r, apperr.BadRequest("the upload has no part named file"))
		return
	}
	st := staged
	staged = nil
	v, err := h.Videos.Upload(r.Context(), user, st, form)
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusAccepted, videoView(v))
}

func field(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxFieldBytes {
		return "", apperr.BadRequest("a form field is longer than 16 KiB")
	}
	return string(b), nil
}

// readError names the size limit when that is what stopped the read.
func readError(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.TooLarge("the file is larger than this instance's limit of " + humanBytes(limit))
	}
	var public *apperr.Error
	if errors.As(err, &public) {
		return err
	}
	return apperr.BadRequest("the upload was cut short or is not valid multipart/form-data")
}

func humanBytes(n int64) string {
	const mb = 1 << 20
	if n%mb == 0 {
		return strconv.FormatInt(n/mb, 10) + " MB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
