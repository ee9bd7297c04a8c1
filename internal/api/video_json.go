package api

import (
	"encoding/json"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/videos"
)

// encodedVideos keeps the JSON of recently listed videos: encoding twenty
// videos was a third of a timeline page's cost.
type encodedVideos struct{ videos.Rendered[[]byte] }

func encodeVideo(v *model.Video) ([]byte, error) { return json.Marshal(videoView(v)) }

// page encodes videos as a JSON array, as json.Encoder would (with the
// closing newline).
func (c *encodedVideos) page(vs []*model.Video) ([]byte, error) {
	out := make([]byte, 0, 1024*len(vs)+2)
	out = append(out, '[')
	for i, v := range vs {
		if i > 0 {
			out = append(out, ',')
		}
		b, err := c.Of(v, encodeVideo)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return append(out, ']', '\n'), nil
}
