package provenance

import "strings"

// NS is the IPTC Digital Source Type vocabulary namespace. Every term is
// NS + term; the canonical form Assay emits is this http one.
const NS = "http://cv.iptc.org/newscodes/digitalsourcetype/"

// The IPTC Digital Source Type terms (https://cv.iptc.org/newscodes/digitalsourcetype/).
const (
	// Made by a generative model: synthetic.
	TrainedAlgorithmicMedia = NS + "trainedAlgorithmicMedia"
	// Edited with a generative model (inpainting, outpainting, composite with
	// model output): synthetic.
	CompositeWithTrainedAlgorithmicMedia = NS + "compositeWithTrainedAlgorithmicMedia"
	// Made by an algorithm with no training data (procedural). Not AI for filtering.
	AlgorithmicMedia = NS + "algorithmicMedia"

	DigitalCapture          = NS + "digitalCapture"
	ComputationalCapture    = NS + "computationalCapture"
	NegativeFilm            = NS + "negativeFilm"
	PositiveFilm            = NS + "positiveFilm"
	Print                   = NS + "print"
	HumanEdits              = NS + "humanEdits"
	CompositeCapture        = NS + "compositeCapture"
	AlgorithmicallyEnhanced = NS + "algorithmicallyEnhanced"
	DigitalCreation         = NS + "digitalCreation"
	DataDrivenMedia         = NS + "dataDrivenMedia"
	ScreenCapture           = NS + "screenCapture"
	VirtualRecording        = NS + "virtualRecording"
	Composite               = NS + "composite"
	// A composite that includes synthetic elements. IPTC does not say the
	// elements came from a trained model, so Assay does not count it as
	// synthetic (DESIGN §5 names only the two trained terms).
	CompositeSynthetic = NS + "compositeSynthetic"

	// Retired IPTC terms, still found in older files.
	MinorHumanEdits = NS + "minorHumanEdits"
	DigitalArt      = NS + "digitalArt"
	SoftwareImage   = NS + "softwareImage"
)

// vocabulary maps the lower-cased term to its canonical IRI.
var vocabulary = func() map[string]string {
	m := make(map[string]string)
	for _, iri := range []string{
		TrainedAlgorithmicMedia, CompositeWithTrainedAlgorithmicMedia, AlgorithmicMedia,
		DigitalCapture, ComputationalCapture, NegativeFilm, PositiveFilm, Print, HumanEdits,
		CompositeCapture, AlgorithmicallyEnhanced, DigitalCreation, DataDrivenMedia,
		ScreenCapture, VirtualRecording, Composite, CompositeSynthetic,
		MinorHumanEdits, DigitalArt, SoftwareImage,
	} {
		m[strings.ToLower(strings.TrimPrefix(iri, NS))] = iri
	}
	// A common misspelling seen in the wild.
	m["compositedwithtrainedalgorithmicmedia"] = CompositeWithTrainedAlgorithmicMedia
	return m
}()

// Normalize maps a digital source type as found in the wild to its canonical
// http IRI. It accepts the http and https IRIs, the bare term
// ("trainedAlgorithmicMedia"), any letter case of the term and the
// misspelling "compositedWithTrainedAlgorithmicMedia". ok is false for
// anything outside the IPTC vocabulary.
func Normalize(s string) (iri string, ok bool) {
	s = strings.TrimSpace(s)
	term := s
	if i := strings.Index(s, "://"); i >= 0 {
		scheme := strings.ToLower(s[:i])
		if scheme != "http" && scheme != "https" {
			return "", false
		}
		rest := s[i+3:]
		const host = "cv.iptc.org/newscodes/digitalsourcetype/"
		if len(rest) < len(host) || !strings.EqualFold(rest[:len(host)], host) {
			return "", false
		}
		term = rest[len(host):]
	}
	term = strings.TrimSuffix(term, "/")
	iri, ok = vocabulary[strings.ToLower(term)]
	return iri, ok
}

// IsSynthetic reports whether a digital source type says a generative model
// made or edited the media: trainedAlgorithmicMedia or
// compositeWithTrainedAlgorithmicMedia (in any form Normalize accepts).
// algorithmicMedia is not synthetic.
func IsSynthetic(iri string) bool {
	c, ok := Normalize(iri)
	return ok && (c == TrainedAlgorithmicMedia || c == CompositeWithTrainedAlgorithmicMedia)
}

// strength orders findings for Result.DigitalSourceType:
// trained > composite-with-trained > any other term.
func strength(iri string) int {
	switch iri {
	case TrainedAlgorithmicMedia:
		return 3
	case CompositeWithTrainedAlgorithmicMedia:
		return 2
	case "":
		return 0
	default:
		return 1
	}
}
