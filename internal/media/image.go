package media

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // registers GIF with image.Decode
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers WebP with image.Decode

	"github.com/assay-social/assay/internal/apperr"
)

// Avatar limits: the upload, the picture it may decode to (a small file can
// claim a huge canvas), and the side of what is stored.
const (
	MaxAvatarBytes    = 2 << 20
	maxAvatarPixels   = 40_000_000
	AvatarSide        = 400
	avatarJPEGQuality = 90
)

// Image is a picture re-encoded for serving.
type Image struct {
	Data          []byte
	Ext, MimeType string // "png" or "jpg"
	Width, Height int
}

// AvatarFromForm reads the "avatar" file of a parsed multipart form with
// ReadAvatar; nil, nil when the form has none, or an empty one (a form
// whose file input was left alone).
func AvatarFromForm(r *http.Request) (*Image, error) {
	file, hdr, err := r.FormFile("avatar")
	if err != nil {
		return nil, nil
	}
	defer file.Close()
	if hdr.Size == 0 {
		return nil, nil
	}
	return ReadAvatar(file)
}

// ReadAvatar takes an uploaded profile picture. The content decides what it
// is, never its name: it must decode as PNG, JPEG, WebP or GIF. It is scaled
// to fit AvatarSide and re-encoded, which drops whatever else the file
// carried (EXIF location, trailing data, further GIF frames); a JPEG stays a
// JPEG, anything else becomes a PNG, keeping transparency.
func ReadAvatar(r io.Reader) (*Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxAvatarBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the avatar: %w", err)
	}
	if len(data) > MaxAvatarBytes {
		return nil, apperr.TooLarge(fmt.Sprintf("The picture is larger than %d MB; please choose a smaller one.", MaxAvatarBytes>>20))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, apperr.BadRequest("That file is not a PNG, JPEG, WebP or GIF image. Please choose a picture in one of those formats.")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxAvatarPixels {
		return nil, apperr.BadRequest("That picture is too large to use: at most 40 million pixels.")
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, apperr.BadRequest("That " + format + " image is damaged and cannot be read.")
	}
	img := fit(src, AvatarSide)
	var buf bytes.Buffer
	out := &Image{Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	if format == "jpeg" {
		out.Ext, out.MimeType = "jpg", "image/jpeg"
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: avatarJPEGQuality})
	} else {
		out.Ext, out.MimeType = "png", "image/png"
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding the avatar: %w", err)
	}
	out.Data = buf.Bytes()
	return out, nil
}

// fit scales img down to at most side pixels on its long side.
func fit(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		w, h = side, max(1, h*side/w)
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}
