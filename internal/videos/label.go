package videos

import (
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/provenance"
)

// The words every page and feed uses for a synthetic-media label, so a clip
// is described the same way wherever a person meets it.

// LabelKind is "AI-generated" for a clip a generative model made
// (trainedAlgorithmicMedia), "AI-edited" for one edited with a model
// (compositeWithTrainedAlgorithmicMedia), and "" for an unlabelled clip.
func LabelKind(v *model.Video) string {
	if !v.Synthetic {
		return ""
	}
	if iri, _ := provenance.Normalize(v.DigitalSourceType); iri == provenance.CompositeWithTrainedAlgorithmicMedia {
		return "AI-edited"
	}
	return "AI-generated"
}

// LabelOrigin says where a label came from, in a person's words: generated
// here, detected in the file, declared by the uploader, or set by the
// server the clip came from (named). "" for an unlabelled clip.
func LabelOrigin(v *model.Video) string {
	if !v.Synthetic {
		return ""
	}
	switch v.LabelSource {
	case model.LabelGenerated:
		return "generated on this server"
	case model.LabelDetected:
		return "detected in the file's provenance data"
	case model.LabelDeclared:
		return "declared by the uploader"
	case model.LabelRemote:
		if v.Account != nil && v.Account.Domain != "" {
			return "labelled by " + v.Account.Domain
		}
		return "labelled by its home server"
	}
	return ""
}

// LabelLine is the one-line label, e.g. "AI-generated (label: declared by
// the uploader)" or "AI-generated (labelled by b.example)"; "" for an
// unlabelled clip.
func LabelLine(v *model.Video) string {
	kind := LabelKind(v)
	origin := LabelOrigin(v)
	switch {
	case kind == "":
		return ""
	case origin == "":
		return kind
	case v.LabelSource == model.LabelRemote:
		return kind + " (" + origin + ")"
	}
	return kind + " (label: " + origin + ")"
}
