package ap

import (
	"encoding/json"
	"net/http"

	"github.com/assay-social/assay/internal/apperr"
)

// Envelope is what an inbox must know before it accepts an activity: who
// sends it, what it is, and which object it is about. Reading it resolves no
// vocabulary, so it costs a JSON decode, not a go-fed parse (a tenth of the
// time): a busy inbox verifies and stores at wire speed and leaves the full
// ParseActivity to the job that processes the activity.
type Envelope struct {
	ID         string
	Type       string
	Actor      string
	ObjectID   string // the object's id, embedded or by reference
	ObjectType string // when embedded
	Embedded   bool   // the object is embedded, not a bare IRI

	// Label candidates of an embedded object, raw: its digitalSourceType
	// and its attachments', and its tags (FEP-4c96 Labels among them).
	SourceTypes []string
	Tags        []Tag
}

type rawEnvelope struct {
	ID     any             `json:"id"`
	Type   any             `json:"type"`
	Actor  json.RawMessage `json:"actor"`
	Object json.RawMessage `json:"object"`
}

type rawRef struct {
	ID   any `json:"id"`
	Type any `json:"type"`
}

type rawLabelled struct {
	DigitalSourceType any             `json:"digitalSourceType"`
	Attachment        json.RawMessage `json:"attachment"`
	Tag               json.RawMessage `json:"tag"`
}

type rawTag struct {
	Type              any `json:"type"`
	Name              any `json:"name"`
	Href              any `json:"href"`
	DigitalSourceType any `json:"digitalSourceType"`
}

// ParseEnvelope checks the size, depth and JSON of an inbox body and reads
// its envelope. It refuses what ParseActivity would refuse for the same
// reasons — with a 400 — and an activity type Assay does not handle wraps
// ErrUnsupportedType.
func ParseEnvelope(body []byte) (*Envelope, error) {
	if len(body) > MaxBodyBytes {
		return nil, refuse("the document is %d bytes; the limit is %d", len(body), MaxBodyBytes)
	}
	if err := checkDepth(body, MaxDepth); err != nil {
		return nil, err
	}
	var raw rawEnvelope
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, apperr.Wrap(http.StatusBadRequest, "the document is not a valid JSON object", err)
	}
	e := &Envelope{Type: rawType(raw.Type)}
	if e.Type == "" {
		return nil, refuse("the document has no type")
	}
	if !activityTypes[e.Type] {
		return nil, unsupported("unsupported activity type %s", typeString(raw.Type))
	}
	e.ID, _ = raw.ID.(string)
	if e.ID == "" && e.Type != "Delete" {
		return nil, refuse("the %s activity has no id", e.Type)
	}
	if e.ID != "" && !isHTTPURL(e.ID) {
		return nil, refuse("the %s activity's id %q is not an http(s) URL", e.Type, e.ID)
	}
	if e.Actor = refID(raw.Actor); e.Actor == "" {
		return nil, refuse("the %s activity has no actor", e.Type)
	}
	if !isHTTPURL(e.Actor) {
		return nil, refuse("the %s activity's actor %q is not an http(s) URL", e.Type, e.Actor)
	}
	e.ObjectID = refID(raw.Object)
	if len(raw.Object) > 0 && raw.Object[0] == '{' {
		var ref rawRef
		if json.Unmarshal(raw.Object, &ref) == nil {
			e.Embedded, e.ObjectType = true, rawType(ref.Type)
		}
		e.readLabels(raw.Object)
	}
	if e.ObjectID == "" && e.Type != "Flag" && !e.Embedded {
		return nil, refuse("the %s activity has no object", e.Type)
	}
	if (e.Type == "Create" || e.Type == "Update") && !e.Embedded {
		return nil, refuse("the %s activity has no embedded object", e.Type)
	}
	if e.Type == "Create" && e.ObjectID == "" {
		return nil, refuse("the object of the Create activity has no id")
	}
	return e, nil
}

// refID reads an id given as a string, an object with an id, or a list of
// either (the first one).
func refID(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var ref rawRef
	if json.Unmarshal(raw, &ref) == nil {
		id, _ := ref.ID.(string)
		return id
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return refID(list[0])
	}
	return ""
}

// readLabels collects an embedded object's label candidates. Malformed
// parts are skipped: the full parse refuses them later if they matter.
func (e *Envelope) readLabels(object json.RawMessage) {
	var obj rawLabelled
	if json.Unmarshal(object, &obj) != nil {
		return
	}
	if s, ok := obj.DigitalSourceType.(string); ok {
		e.SourceTypes = append(e.SourceTypes, s)
	}
	for _, a := range rawList(obj.Attachment) {
		if s, ok := a.DigitalSourceType.(string); ok {
			e.SourceTypes = append(e.SourceTypes, s)
		}
	}
	for _, t := range rawList(obj.Tag) {
		name, _ := t.Name.(string)
		href, _ := t.Href.(string)
		e.Tags = append(e.Tags, Tag{Type: rawType(t.Type), Name: name, Href: href})
	}
}

// rawList reads a property given as one object or a list of them.
func rawList(raw json.RawMessage) []rawTag {
	if len(raw) == 0 {
		return nil
	}
	var list []rawTag
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one rawTag
	if json.Unmarshal(raw, &one) == nil {
		return []rawTag{one}
	}
	return nil
}
