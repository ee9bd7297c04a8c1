package ap

import (
	"time"

	"github.com/go-fed/activity/streams/vocab"
)

// Actor is a remote actor as its server describes it.
type Actor struct {
	ID, Type                  string
	PreferredUsername         string
	Name                      string // plain text
	Summary                   string // sanitized HTML
	URL                       string // profile page
	Inbox, Outbox             string
	Followers, Following      string
	SharedInbox               string
	PublicKeyID               string
	PublicKeyOwner            string
	PublicKeyPEM              string
	IconURL                   string
	ManuallyApprovesFollowers bool
	Published                 time.Time
}

// Object is a remote post: a PeerTube Video, a Mastodon or Loops Note with a
// video attachment, a comment, a Tombstone.
type Object struct {
	ID, Type     string
	AttributedTo string // the author: the first actor; for PeerTube's [Person, Group], the Person
	Name         string // plain text
	Summary      string // sanitized HTML
	Content      string // sanitized HTML (PeerTube's markdown is escaped into paragraphs)
	URL          string // HTML page
	InReplyTo    string
	Published    time.Time
	Updated      time.Time
	Duration     time.Duration
	Sensitive    bool

	// Media are the playable files, from attachments and url Links (and
	// the MP4s PeerTube lists in an HLS Link's tag): video/* and HLS
	// playlists, best first (MP4, then other video, then HLS; heights up
	// to 1080 tallest first).
	Media []Link
	// Thumbnails are the images from icon, image and preview, largest first.
	Thumbnails []Link
	Tags       []Tag

	// DigitalSourceType is the object's own digitalSourceType, raw;
	// AttachmentSourceTypes those of its attachments. Normalizing them into
	// a label is the provenance package's job.
	DigitalSourceType     string
	AttachmentSourceTypes []string

	To, Cc []string
	Public bool // the public collection is in to or cc
}

// Activity is a received activity, with its object resolved as far as the
// document itself allows.
type Activity struct {
	ID, Type string
	Actor    string
	// Object is set when the object is embedded and is a post (Create,
	// Update, Delete{Tombstone}, Announce of an embedded Note).
	Object *Object
	// ObjectActor is set when the object is an embedded actor
	// (Update{Person}, Delete{Person}).
	ObjectActor *Actor
	// Inner is set when the object is an embedded activity (Undo{Follow},
	// Accept{Follow}).
	Inner *Activity
	// ObjectIRI is the object's id, embedded or not; for Flag, the first.
	ObjectIRI string
	// ObjectIRIs are all objects (Flag reports an account and posts).
	ObjectIRIs []string
	Target     string
	Content    string // sanitized HTML: a report's text (content, or summary as Lemmy sends it)
	To, Cc     []string
	Published  time.Time
}

// Activity types the inbox handles; anything else is ErrUnsupportedType.
var activityTypes = map[string]bool{
	"Create": true, "Update": true, "Delete": true,
	"Follow": true, "Accept": true, "Reject": true, "Undo": true,
	"Like": true, "Announce": true, "Flag": true,
}

// Actor types, as Mastodon accepts them (fetch_remote_actor_service.rb).
var actorTypes = map[string]bool{
	"Person": true, "Service": true, "Application": true, "Group": true, "Organization": true,
}

// Object types that can carry a post.
var objectTypes = map[string]bool{
	"Note": true, "Video": true, "Article": true, "Page": true, "Image": true,
	"Audio": true, "Document": true, "Event": true, "Question": true, "Tombstone": true,
}

// maxInner bounds Undo{Undo{…}}: real servers nest one level.
const maxInner = 3

// ParseActivity parses an activity received at an inbox. It refuses, with a
// 400 *apperr.Error saying why, anything that is not a well-formed activity
// with a type, an http(s) actor, an id (except Delete, which GoToSocial sends
// without one) and the object its type needs. A well-formed activity of a
// type Assay does not handle wraps ErrUnsupportedType.
func ParseActivity(body []byte) (*Activity, error) {
	t, m, err := decode(body)
	if err != nil {
		return nil, err
	}
	name := t.GetTypeName()
	if !activityTypes[name] {
		if actorTypes[name] || objectTypes[name] {
			return nil, unsupported("%s is not an activity", typeString(m["type"]))
		}
		return nil, unsupported("unsupported activity type %s", typeString(m["type"]))
	}
	if idOf(t) == "" && m["id"] != nil {
		return nil, refuse("the activity's id %s is not an http(s) URL", typeString(m["id"]))
	}
	return activityFrom(t, 0)
}

func activityFrom(t vocab.Type, depth int) (*Activity, error) {
	a := &Activity{
		ID:        idOf(t),
		Type:      t.GetTypeName(),
		Actor:     firstID(actorNodes(t)),
		Target:    firstID(targetNodes(t)),
		To:        ids(toNodes(t)),
		Cc:        ids(ccNodes(t)),
		Published: publishedOf(t),
	}
	a.Content = SanitizeHTML(contentOf(t))
	if a.Content == "" {
		a.Content = SanitizeHTML(summaryOf(t))
	}
	inner := depth > 0
	if a.ID == "" && !inner && a.Type != "Delete" {
		return nil, refuse("the %s activity has no id", a.Type)
	}
	if a.ID != "" && !isHTTPURL(a.ID) {
		return nil, refuse("the %s activity's id %q is not an http(s) URL", a.Type, a.ID)
	}
	if a.Actor == "" {
		return nil, refuse("the %s activity has no actor", a.Type)
	}
	if !isHTTPURL(a.Actor) {
		return nil, refuse("the %s activity's actor %q is not an http(s) URL", a.Type, a.Actor)
	}

	objs := objectNodes(t)
	a.ObjectIRIs = ids(objs)
	if len(a.ObjectIRIs) > 0 {
		a.ObjectIRI = a.ObjectIRIs[0]
	}
	if len(objs) > 0 && a.Type != "Flag" {
		if err := a.resolveObject(objs[0], depth); err != nil {
			return nil, err
		}
	}

	switch a.Type {
	case "Create":
		if a.Object == nil {
			return nil, refuse("the Create activity has no embedded object")
		}
		if a.Object.Type == "Tombstone" {
			return nil, unsupported("unsupported activity: Create of a Tombstone")
		}
	case "Update":
		if a.Object == nil && a.ObjectActor == nil {
			return nil, refuse("the Update activity has no embedded object or actor")
		}
	case "Flag":
		if len(a.ObjectIRIs) == 0 {
			return nil, refuse("the Flag activity names no object")
		}
	default:
		if a.ObjectIRI == "" {
			return nil, refuse("the %s activity has no object", a.Type)
		}
	}
	return a, nil
}

// resolveObject fills Object, ObjectActor or Inner from an embedded object.
func (a *Activity) resolveObject(n node, depth int) error {
	typ := n.typeName()
	switch {
	case n.iri != "":
		return nil
	case n.t != nil && activityTypes[typ]:
		if depth+1 > maxInner {
			return refuse("the %s activity nests activities deeper than %d", a.Type, maxInner)
		}
		inner, err := activityFrom(n.t, depth+1)
		if err != nil {
			return err
		}
		a.Inner = inner
	case n.t != nil && actorTypes[typ]:
		a.ObjectActor = actorFrom(n.t)
	case n.t != nil && objectTypes[typ]:
		obj, err := objectFrom(n.t)
		if err != nil {
			return err
		}
		a.Object = obj
	case a.Type == "Create" || a.Type == "Update":
		// A Create of something go-fed or Assay does not know
		// (ChatMessage, Collection, an extension type).
		if typ == "" {
			return refuse("the %s activity's object has no type", a.Type)
		}
		return unsupported("unsupported activity: %s of %q", a.Type, typ)
	}
	return nil
}

// ParseActor parses an actor document (Person, Service, Application, Group,
// Organization). It refuses an actor without an http(s) id, an inbox (an
// "inbox": null included) or a preferredUsername, which Mastodon requires
// to address the actor by WebFinger.
func ParseActor(body []byte) (*Actor, error) {
	t, m, err := decode(body)
	if err != nil {
		return nil, err
	}
	if !actorTypes[t.GetTypeName()] {
		return nil, unsupported("%s is not an actor type", typeString(m["type"]))
	}
	a := actorFrom(t)
	switch {
	case a.ID == "" && m["id"] != nil:
		return nil, refuse("the actor's id %s is not an http(s) URL", typeString(m["id"]))
	case a.ID == "":
		return nil, refuse("the actor has no id")
	case !isHTTPURL(a.ID):
		return nil, refuse("the actor's id %q is not an http(s) URL", a.ID)
	case a.Inbox == "":
		return nil, refuse("the actor %s has no inbox", a.ID)
	case !isHTTPURL(a.Inbox):
		return nil, refuse("the actor's inbox %q is not an http(s) URL", a.Inbox)
	case a.PreferredUsername == "":
		return nil, refuse("the actor %s has no preferredUsername", a.ID)
	}
	return a, nil
}

func actorFrom(t vocab.Type) *Actor {
	a := &Actor{
		ID:                idOf(t),
		Type:              t.GetTypeName(),
		PreferredUsername: StripTags(preferredUsernameOf(t)),
		Name:              StripTags(nameOf(t)),
		Summary:           RemoteHTML(summaryOf(t)),
		URL:               pageURL(urlNodes(t)),
		Inbox:             inboxOf(t),
		Outbox:            outboxOf(t),
		Followers:         followersOf(t),
		Following:         followingOf(t),
		Published:         publishedOf(t),
	}
	a.PublicKeyID, a.PublicKeyOwner, a.PublicKeyPEM = publicKeyOf(t)
	if ep, ok := unknownProp(t, "endpoints").(map[string]any); ok {
		a.SharedInbox, _ = ep["sharedInbox"].(string)
	}
	if !isHTTPURL(a.SharedInbox) {
		a.SharedInbox = ""
	}
	a.ManuallyApprovesFollowers = boolValue(unknownProp(t, "manuallyApprovesFollowers"))
	if icons := thumbnails(iconNodes(t)); len(icons) > 0 {
		a.IconURL = icons[0].Href
	}
	return a
}

// ParseObject parses a post fetched by URL (a Video, a Note, …). It refuses
// an object without an http(s) id; an actor or an unknown type wraps
// ErrUnsupportedType.
func ParseObject(body []byte) (*Object, error) {
	t, m, err := decode(body)
	if err != nil {
		return nil, err
	}
	if !objectTypes[t.GetTypeName()] {
		return nil, unsupported("%s is not a supported object type", typeString(m["type"]))
	}
	if idOf(t) == "" && m["id"] != nil {
		return nil, refuse("the object's id %s is not an http(s) URL", typeString(m["id"]))
	}
	return objectFrom(t)
}

func objectFrom(t vocab.Type) (*Object, error) {
	o := &Object{
		ID:        idOf(t),
		Type:      t.GetTypeName(),
		Name:      StripTags(nameOf(t)),
		Summary:   SanitizeHTML(summaryOf(t)), // a content warning: plain words
		URL:       pageURL(urlNodes(t)),
		InReplyTo: firstID(inReplyToNodes(t)),
		Published: publishedOf(t),
		Updated:   updatedOf(t),
		Duration:  durationOf(t),
		Sensitive: boolValue(unknownProp(t, "sensitive")),
		To:        ids(toNodes(t)),
		Cc:        ids(ccNodes(t)),
	}
	if o.ID == "" {
		return nil, refuse("the %s object has no id", o.Type)
	}
	if !isHTTPURL(o.ID) {
		return nil, refuse("the %s object's id %q is not an http(s) URL", o.Type, o.ID)
	}
	o.AttributedTo = author(attributedToNodes(t))
	switch mediaTypeOf(t) {
	case "text/markdown", "text/plain":
		o.Content = PlainToHTML(contentOf(t))
	default:
		o.Content = RemoteHTML(contentOf(t))
	}
	for _, r := range append(append([]string{}, o.To...), o.Cc...) {
		if isPublic(r) {
			o.Public = true
		}
	}
	o.DigitalSourceType = iriString(unknownProp(t, "digitalSourceType"))

	var mc mediaCollector
	attachments := attachmentNodes(t)
	for _, n := range attachments {
		if n.iri != "" {
			continue
		}
		mc.add(n, 0)
		if dst := iriString(n.ext("digitalSourceType")); dst != "" {
			o.AttachmentSourceTypes = append(o.AttachmentSourceTypes, dst)
		}
	}
	for _, n := range urlNodes(t) {
		if n.iri == "" {
			mc.add(n, 0)
		}
	}
	rankMedia(mc.links)
	o.Media = mc.links
	o.Thumbnails = thumbnails(iconNodes(t), imageNodes(t), previewNodes(t))
	o.Tags = tagsOf(tagNodes(t))
	return o, nil
}

// author picks the attributed actor: the first Person if any (PeerTube
// attributes a video to its account and its channel, in either order), else
// the first entry.
func author(ns []node) string {
	for _, n := range ns {
		if n.typeName() == "Person" {
			if id := n.id(); id != "" {
				return id
			}
		}
	}
	return firstID(ns)
}
