// Package ap is the one place that converts between ActivityStreams JSON and
// Assay's world, like GoToSocial's typeutils.
//
// Parsing (parse.go) turns foreign JSON into plain structs — Activity, Actor,
// Object — that know nothing of the database; the federation layer maps them
// to rows. Every document is decoded with go-fed's streams.ToType, after cheap
// size and depth checks, and all remote HTML is sanitized here.
//
// Serializing (build.go, serialize.go) builds go-fed vocab types from our
// models and writes them through one wrapper, Serialize, which fixes the
// @context and the list-valued properties Mastodon needs as JSON arrays.
package ap

import (
	"errors"
	"net/url"
	"strings"
)

// Public is the ActivityStreams public collection.
const Public = "https://www.w3.org/ns/activitystreams#Public"

// ContentType is what we send and serve; ActivityPub also accepts
// `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`.
const ContentType = "application/activity+json"

// Limits on what we agree to parse.
const (
	// MaxBodyBytes is the largest document accepted (DESIGN §7).
	MaxBodyBytes = 1 << 20
	// MaxDepth is the deepest nesting of JSON objects and arrays accepted.
	// Real activities nest 5–7 levels; PeerTube videos about 6.
	MaxDepth = 64
)

// ErrUnsupportedType is wrapped by the error ParseActivity, ParseActor and
// ParseObject return for a well-formed document whose type Assay does not
// handle (Block, Move, EmojiReact, a Create of a ChatMessage, …). The inbox
// answers such activities with 202 and ignores them; test with errors.Is.
var ErrUnsupportedType = errors.New("unsupported ActivityStreams type")

// Digital source type vocabulary (IPTC), as emitted on the wire.
const (
	DigitalSourceTrained   = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
	DigitalSourceComposite = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
	DigitalSourceCapture   = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
)

// AILabel is the human-readable label of a synthetic clip: the Video's
// summary (Mastodon shows it; GoToSocial makes it the content warning) and a
// line of its content.
const AILabel = "🤖 AI-generated video"

// AIHashtag is the hashtag every synthetic clip carries, so Mastodon users can
// filter it with the tools they already have.
const AIHashtag = "AIGenerated"

// Paths builds this instance's ActivityPub ids and page URLs from the public
// base URL (ASSAY_PUBLIC_URL). One place, so ids never drift.
type Paths struct {
	Base *url.URL
}

func (p Paths) join(elem ...string) string {
	base := strings.TrimRight(p.Base.String(), "/")
	for _, e := range elem {
		base += "/" + url.PathEscape(e)
	}
	return base
}

// ActorURI is a local user's actor id: Base/users/NAME.
func (p Paths) ActorURI(username string) string { return p.join("users", username) }

// Inbox is a local user's inbox.
func (p Paths) Inbox(username string) string { return p.ActorURI(username) + "/inbox" }

// Outbox is a local user's outbox collection.
func (p Paths) Outbox(username string) string { return p.ActorURI(username) + "/outbox" }

// Followers is a local user's followers collection.
func (p Paths) Followers(username string) string { return p.ActorURI(username) + "/followers" }

// Following is a local user's following collection.
func (p Paths) Following(username string) string { return p.ActorURI(username) + "/following" }

// KeyID is the id of an actor's public key: ACTOR#main-key.
func KeyID(actorURI string) string { return actorURI + "#main-key" }

// ProfileURL is a local user's HTML profile page: Base/@NAME.
func (p Paths) ProfileURL(username string) string { return p.join("@" + username) }

// SharedInbox is the instance-wide inbox: Base/inbox.
func (p Paths) SharedInbox() string { return p.join("inbox") }

// InstanceActor is the instance actor (an Application) used to sign fetches.
func (p Paths) InstanceActor() string { return p.join("actor") }

// VideoURI is a local video's ActivityPub id.
func (p Paths) VideoURI(id string) string { return p.join("videos", id) }

// WatchURL is a local video's watch page; the same URL, content-negotiated.
func (p Paths) WatchURL(id string) string { return p.VideoURI(id) }

// CommentURI is a local comment's ActivityPub id.
func (p Paths) CommentURI(id string) string { return p.join("comments", id) }

// ActivityURI is the id of an activity we published.
func (p Paths) ActivityURI(id string) string { return p.join("activities", id) }

// TagURL is a hashtag's page: Base/tags/NAME.
func (p Paths) TagURL(name string) string { return p.join("tags", name) }

// isPublic reports whether an addressing entry names the public collection,
// in any of the forms servers use (JSON-LD compaction yields "as:Public").
func isPublic(iri string) bool {
	return iri == Public || iri == "as:Public" || iri == "Public"
}
