package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/videos"
)

// upload receives POST /api/v1/videos. The body is read part by part and
// the file streamed to disk, never held in memory; past the size limit the
// request is cut off with 413 and nothing is kept.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request, user *model.User) {
	v, err := ReceiveUpload(w, r, h.Videos, user, nil)
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusAccepted, videoView(v))
}

// ReceiveUpload streams a multipart upload into the videos service and
// explains what went wrong in words; the web's upload form uses it too.
func ReceiveUpload(w http.ResponseWriter, r *http.Request, vs *videos.Service, user *model.User, check func(name, value string) error) (*model.Video, error) {
	limit := vs.MaxUploadBytes()
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20) // the file plus its form fields
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.BadRequest("send the video as multipart/form-data with a part named file")
	}
	staged, form, err := vs.Receive(mr, check)
	if err != nil {
		var tooBig *http.MaxBytesError
		var public *apperr.Error
		switch {
		case errors.Is(err, videos.ErrTooLarge) || errors.As(err, &tooBig):
			return nil, apperr.TooLarge("the file is larger than this instance's limit of " + humanBytes(limit))
		case errors.As(err, &public):
			return nil, err
		}
		return nil, apperr.BadRequest("the upload was cut short or is not valid multipart/form-data")
	}
	return vs.Upload(r.Context(), user, staged, form)
}

func humanBytes(n int64) string {
	const mb = 1 << 20
	if n%mb == 0 {
		return strconv.FormatInt(n/mb, 10) + " MB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
