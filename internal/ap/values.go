package ap

import (
	"net/url"
	"sort"
	"strings"

	"github.com/go-fed/activity/streams/vocab"
)

// This file reads values out of go-fed's generated property types, which all
// share a shape (Len/At, GetIRI/GetType per entry) but no common interface.
// Each entry becomes a node: an IRI, a type go-fed knows, or a JSON object it
// does not know (a Hashtag, an FEP-4c96 Label, a type-less Link), which go-fed
// keeps verbatim.

// node is one value of a property.
type node struct {
	iri string         // a bare IRI (http/https or anything with a scheme)
	t   vocab.Type     // a type go-fed resolved
	raw map[string]any // a JSON object go-fed did not resolve
}

// iter is what every generated property iterator offers.
type iter interface {
	GetIRI() *url.URL
	GetType() vocab.Type
}

// listProp is what every generated non-functional property offers.
type listProp[I iter] interface {
	Len() int
	At(int) I
	Serialize() (any, error)
}

// anyURIIter is the extra kind `url` entries have: an xsd:anyURI string.
type anyURIIter interface {
	IsXMLSchemaAnyURI() bool
	GetXMLSchemaAnyURI() *url.URL
}

// nodes lists a property's values. p may be nil (property absent).
func nodes[I iter](p listProp[I]) []node {
	if p == nil {
		return nil
	}
	n := p.Len()
	out := make([]node, 0, n)
	var raws []any // the serialized list, fetched only if an entry is unknown
	for i := 0; i < n; i++ {
		it := p.At(i)
		if u := it.GetIRI(); u != nil {
			out = append(out, node{iri: u.String()})
			continue
		}
		if a, ok := any(it).(anyURIIter); ok && a.IsXMLSchemaAnyURI() {
			if u := a.GetXMLSchemaAnyURI(); u != nil {
				out = append(out, node{iri: u.String()})
			}
			continue
		}
		if t := it.GetType(); t != nil {
			out = append(out, node{t: t})
			continue
		}
		if raws == nil {
			raws = serializedList(p)
		}
		if i < len(raws) {
			if m, ok := raws[i].(map[string]any); ok {
				out = append(out, node{raw: m})
			}
		}
	}
	return out
}

// serializedList returns a property's values as go-fed serializes them: the
// original JSON for entries it did not understand. go-fed collapses a single
// value, so a one-element list comes back bare.
func serializedList[I iter](p listProp[I]) []any {
	v, err := p.Serialize()
	if err != nil {
		return nil
	}
	if l, ok := v.([]any); ok && p.Len() != 1 {
		return l
	}
	return []any{v}
}

// rawNodes lists the values of a raw JSON property (string, object or array).
func rawNodes(v any) []node {
	switch x := v.(type) {
	case string:
		return []node{{iri: x}}
	case map[string]any:
		return []node{{raw: x}}
	case []any:
		out := make([]node, 0, len(x))
		for _, e := range x {
			switch y := e.(type) {
			case string:
				out = append(out, node{iri: y})
			case map[string]any:
				out = append(out, node{raw: y})
			}
		}
		return out
	}
	return nil
}

// id is the node's IRI or the id of the object it embeds.
func (n node) id() string {
	switch {
	case n.iri != "":
		return n.iri
	case n.t != nil:
		return idOf(n.t)
	case n.raw != nil:
		s, _ := n.raw["id"].(string)
		return s
	}
	return ""
}

// typeName is the node's ActivityStreams type ("" for a bare IRI).
func (n node) typeName() string {
	switch {
	case n.t != nil:
		return n.t.GetTypeName()
	case n.raw != nil:
		return rawType(n.raw["type"])
	}
	return ""
}

// ext reads an extension property: go-fed's unknown properties for a typed
// node, the object itself for a raw one.
func (n node) ext(key string) any {
	switch {
	case n.t != nil:
		return unknownProp(n.t, key)
	case n.raw != nil:
		return n.raw[key]
	}
	return nil
}

// rawType is the first string of a raw "type" value.
func rawType(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				return s
			}
		}
	}
	return ""
}

func idOf(t vocab.Type) string {
	if t == nil {
		return ""
	}
	if p := t.GetJSONLDId(); p != nil && p.Get() != nil {
		return p.Get().String()
	}
	return ""
}

type unknowner interface {
	GetUnknownProperties() map[string]any
}

// unknownProp is an extension term go-fed kept verbatim.
func unknownProp(t vocab.Type, key string) any {
	if u, ok := t.(unknowner); ok {
		return u.GetUnknownProperties()[key]
	}
	return nil
}

// firstID is the id of the first value of a property, or "".
func firstID(ns []node) string {
	for _, n := range ns {
		if id := n.id(); id != "" {
			return id
		}
	}
	return ""
}

// ids are the ids of all values of a property.
func ids(ns []node) []string {
	var out []string
	for _, n := range ns {
		if id := n.id(); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// textIter is what name, summary, content and preferredUsername entries offer.
type textIter interface {
	GetIRI() *url.URL
	IsXMLSchemaString() bool
	GetXMLSchemaString() string
	IsRDFLangString() bool
	GetRDFLangString() map[string]string
}

type textProp[I textIter] interface {
	Len() int
	At(int) I
}

// firstText is the first text value of a list-valued text property.
func firstText[I textIter](p textProp[I]) string {
	if p == nil {
		return ""
	}
	for i := 0; i < p.Len(); i++ {
		if s := textOf(p.At(i)); s != "" {
			return s
		}
	}
	return ""
}

func textOf(it textIter) string {
	switch {
	case it.IsXMLSchemaString():
		return it.GetXMLSchemaString()
	case it.IsRDFLangString():
		return pickLang(it.GetRDFLangString())
	case it.GetIRI() != nil:
		return it.GetIRI().String()
	}
	return ""
}

// pickLang picks one value of a language map deterministically: the
// language-less one (see protectText) first, then by language tag.
func pickLang(m map[string]string) string {
	if s, ok := m[""]; ok {
		return s
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if m[k] != "" {
			return m[k]
		}
	}
	return ""
}

// rawText reads a text value from raw JSON: a string or a language map.
func rawText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		m := make(map[string]string, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok {
				m[k] = s
			}
		}
		return pickLang(m)
	}
	return ""
}

// textKeys are the text properties go-fed would misread as IRIs when they
// contain a colon ("Update: new release" parses as a URL with scheme
// "update" and comes back lowercased).
var textKeys = []string{"name", "summary", "content", "preferredUsername"}

// protectText rewrites such values into a language map with the empty
// language, which go-fed keeps verbatim and pickLang reads first.
func protectText(m map[string]any) {
	for _, k := range textKeys {
		if s, ok := m[k].(string); ok && strings.IndexByte(s, ':') >= 0 {
			m[k] = map[string]any{"": s}
		}
	}
}

// iriString reads an IRI-valued extension: a string, or an object's id.
func iriString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if s, ok := x["id"].(string); ok {
			return s
		}
		if s, ok := x["@id"].(string); ok {
			return s
		}
	case []any:
		for _, e := range x {
			if s := iriString(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// boolValue reads a boolean extension (some servers send "true").
func boolValue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}

// intValue reads a JSON number as a non-negative int, 0 otherwise.
func intValue(v any) int64 {
	f, ok := v.(float64)
	if !ok || f < 0 || f > 1<<53 {
		return 0
	}
	return int64(f)
}

// isHTTPURL is true for an absolute http or https URL with a host: the only
// kind of id, actor or inbox we accept.
func isHTTPURL(s string) bool {
	if len(s) > 2048 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
