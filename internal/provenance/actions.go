package provenance

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// cborDec decodes untrusted assertion CBOR. The input is at most
// maxAssertion bytes; the limits keep nesting shallow and every count in a
// header bounded before anything is allocated for it.
var cborDec = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		MaxNestedLevels:  16,
		MaxArrayElements: 65536,
		MaxMapPairs:      65536,
		IndefLength:      cbor.IndefLengthAllowed,
		TagsMd:           cbor.TagsAllowed,
		UTF8:             cbor.UTF8DecodeInvalid,
	}.DecMode()
	if err != nil {
		panic(err) // the options above are constant
	}
	return dm
}()

// actionSource is one digital source type declared by an action.
type actionSource struct {
	action string // e.g. "c2pa.created"
	field  string // "digitalSourceType", or "parameters.<key…>"
	dst    string // canonical IRI
}

// The actions assertion (c2pa.actions and c2pa.actions.v2):
//
//	{ "actions": [ { "action": "c2pa.created",
//	                 "digitalSourceType": "http://cv.iptc.org/…",
//	                 "parameters": { … }, "related": [ action … ], … } … ],
//	  "templates": [ { "action": "c2pa.edited", "digitalSourceType": … } … ], … }
//
// Fields are decoded one by one as raw CBOR so that an unexpected type in
// one place does not hide a declaration elsewhere, and so that unknown
// fields are skipped without being materialised.
type actionsCBOR struct {
	Actions   []cbor.RawMessage `cbor:"actions"`
	Templates []cbor.RawMessage `cbor:"templates"`
}

type actionCBOR struct {
	Action            cbor.RawMessage   `cbor:"action"`
	DigitalSourceType cbor.RawMessage   `cbor:"digitalSourceType"`
	Parameters        cbor.RawMessage   `cbor:"parameters"`
	Related           []cbor.RawMessage `cbor:"related"`
}

// maxRelatedDepth bounds recursion through "related" actions;
// maxParamDepth bounds the search inside "parameters".
const (
	maxRelatedDepth = 4
	maxParamDepth   = 4
)

// decodeActions returns every digital source type an actions assertion
// declares: an action's digitalSourceType, one inside its parameters (any
// key ending in "digitalSourceType", e.g. parameters.digitalSourceType, as
// older writers put it), in related actions, and in templates that apply to
// an action present (or to "*").
func decodeActions(data []byte) ([]actionSource, error) {
	var a actionsCBOR
	if err := cborDec.Unmarshal(data, &a); err != nil {
		var te *cbor.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, err
		}
		// A field of the wrong type was skipped; keep what did decode.
	}
	var out []actionSource
	names := make(map[string]bool)
	for _, raw := range a.Actions {
		out = appendAction(out, raw, names, 0)
	}
	for _, raw := range a.Templates {
		var t actionCBOR
		if cborDec.Unmarshal(raw, &t) != nil {
			continue
		}
		if name, _ := rawString(t.Action); names[name] || name == "*" {
			out = appendAction(out, raw, nil, maxRelatedDepth)
		}
	}
	return out, nil
}

func appendAction(out []actionSource, raw cbor.RawMessage, names map[string]bool, depth int) []actionSource {
	var act actionCBOR
	if err := cborDec.Unmarshal(raw, &act); err != nil {
		var te *cbor.UnmarshalTypeError
		if !errors.As(err, &te) {
			return out
		}
	}
	name, _ := rawString(act.Action)
	if names != nil {
		names[name] = true
	}
	if s, ok := rawString(act.DigitalSourceType); ok {
		if iri, ok := Normalize(s); ok {
			out = append(out, actionSource{action: name, field: "digitalSourceType", dst: iri})
		}
	}
	if act.Parameters != nil {
		scanCBOR(act.Parameters, "parameters", maxParamDepth, func(field, iri string) {
			out = append(out, actionSource{action: name, field: field, dst: iri})
		})
	}
	if depth < maxRelatedDepth {
		for _, r := range act.Related {
			out = appendAction(out, r, names, depth+1)
		}
	}
	return out
}

// rawString decodes a CBOR text string.
func rawString(raw cbor.RawMessage) (string, bool) {
	if raw == nil {
		return "", false
	}
	var s string
	if cborDec.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// isDSTKey: a map key naming a digital source type, in any prefix or case
// ("digitalSourceType", "Iptc4xmpExt:DigitalSourceType", "com.example.digitalsourcetype").
func isDSTKey(k string) bool {
	return strings.HasSuffix(strings.ToLower(k), "digitalsourcetype")
}

// scanCBOR looks through a CBOR map/array tree (depth levels at most) for
// keys naming a digital source type whose value is a known IRI (a string, or
// a JSON-LD style {"@id": IRI}). Keys are visited in sorted order so the
// findings come out in a stable order.
func scanCBOR(raw cbor.RawMessage, path string, depth int, found func(field, iri string)) {
	if depth <= 0 || len(raw) == 0 {
		return
	}
	switch raw[0] >> 5 { // CBOR major type
	case 5: // map
		var m map[string]cbor.RawMessage
		if cborDec.Unmarshal(raw, &m) != nil {
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v := m[k]
			if isDSTKey(k) {
				if iri, ok := cborIRI(v); ok {
					found(path+"."+k, iri)
					continue
				}
			}
			scanCBOR(v, path+"."+k, depth-1, found)
		}
	case 4: // array
		var a []cbor.RawMessage
		if cborDec.Unmarshal(raw, &a) != nil {
			return
		}
		for _, v := range a {
			scanCBOR(v, path, depth-1, found)
		}
	}
}

func cborIRI(v cbor.RawMessage) (string, bool) {
	if s, ok := rawString(v); ok {
		return Normalize(s)
	}
	var m struct {
		ID cbor.RawMessage `cbor:"@id"`
	}
	if cborDec.Unmarshal(v, &m) == nil {
		if s, ok := rawString(m.ID); ok {
			return Normalize(s)
		}
	}
	return "", false
}

// metadataSourceTypes reads an IPTC/metadata assertion (JSON-LD in a json
// box, or CBOR) for Iptc4xmpExt:DigitalSourceType.
func metadataSourceTypes(typ string, payload []byte) []string {
	var out []string
	add := func(_, iri string) {
		if !slices.Contains(out, iri) {
			out = append(out, iri)
		}
	}
	if typ == "cbor" {
		scanCBOR(payload, "", 8, add)
		return out
	}
	var v any
	if json.Unmarshal(payload, &v) != nil {
		return nil
	}
	scanJSON(v, 8, add)
	return out
}

func scanJSON(v any, depth int, found func(field, iri string)) {
	if depth <= 0 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if isDSTKey(k) {
				s, _ := t[k].(string)
				if m, ok := t[k].(map[string]any); ok {
					s, _ = m["@id"].(string)
				}
				if iri, ok := Normalize(s); ok {
					found(k, iri)
					continue
				}
			}
			scanJSON(t[k], depth-1, found)
		}
	case []any:
		for _, e := range t {
			scanJSON(e, depth-1, found)
		}
	}
}
