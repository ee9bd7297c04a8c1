package ap

import (
	"encoding/json"
	"fmt"

	"github.com/go-fed/activity/streams/vocab"
)

// jsonLDContext is the @context of everything we send (DESIGN §5). The inline
// terms name the extensions we use; digitalSourceType is bound to its full
// schema.org IRI because Mastodon's own "schema:" prefix ends in '#' and
// would produce the wrong IRI.
func jsonLDContext() []any {
	return []any{
		"https://www.w3.org/ns/activitystreams",
		"https://w3id.org/security/v1",
		map[string]any{
			"sensitive":                 "as:sensitive",
			"Hashtag":                   "as:Hashtag",
			"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
			"digitalSourceType": map[string]any{
				"@id":   "http://schema.org/digitalSourceType",
				"@type": "@id",
			},
		},
	}
}

// alwaysArrays are properties Mastodon and others iterate without checking
// for a single object; go-fed writes a one-element list as a bare value.
var alwaysArrays = map[string]bool{
	"attachment":   true,
	"tag":          true,
	"orderedItems": true,
	"to":           true,
	"cc":           true,
}

// videoArrays are also arrays on a Video, as PeerTube writes them (DESIGN §5).
var videoArrays = map[string]bool{
	"url":  true,
	"icon": true,
}

// Serialize writes a vocab type as the JSON we send: go-fed's serialization,
// the fixed @context, and list-valued properties as JSON arrays even with
// one element.
//
// It calls the type's own Serialize rather than streams.Serialize: that
// wrapper only adds a @context computed from the vocabularies in use (which
// we replace anyway) and the computation took 70% of the time.
func Serialize(t vocab.Type) ([]byte, error) {
	m, err := t.Serialize()
	if err != nil {
		return nil, fmt.Errorf("serialize %s: %w", t.GetTypeName(), err)
	}
	forceArrays(m)
	m["@context"] = jsonLDContext()
	return json.Marshal(m)
}

// forceArrays wraps single values of list properties into arrays, in the
// document and every object embedded in it.
func forceArrays(m map[string]any) {
	isVideo := m["type"] == "Video"
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			forceArrays(x)
		case []any:
			for _, e := range x {
				if em, ok := e.(map[string]any); ok {
					forceArrays(em)
				}
			}
		}
		if _, isList := v.([]any); isList || v == nil {
			continue
		}
		if alwaysArrays[k] || (isVideo && videoArrays[k]) {
			m[k] = []any{m[k]}
		}
	}
}

// setExt sets an extension property on a type, through go-fed's unknown
// properties: the one place Assay writes terms go-fed v1.0.0 does not know
// (sensitive, manuallyApprovesFollowers, endpoints, digitalSourceType, size).
func setExt(t vocab.Type, key string, value any) {
	if u, ok := t.(unknowner); ok {
		u.GetUnknownProperties()[key] = value
	}
}
