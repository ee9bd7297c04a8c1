package ap

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/assay-social/assay/internal/model"
)

func testPaths(t testing.TB) Paths {
	t.Helper()
	u, err := url.Parse("https://a.example")
	if err != nil {
		t.Fatal(err)
	}
	return Paths{Base: u}
}

const testPEM = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu3L4vnpNLzVH31MeWI39\n-----END PUBLIC KEY-----\n"

func testAccount(p Paths) *model.Account {
	return &model.Account{
		ID: "01ACCT", Username: "alice", DisplayName: "Alice", Summary: "Films\nsunsets",
		URI: p.ActorURI("alice"), FollowersURI: p.Followers("alice"), InboxURI: p.Inbox("alice"),
		PublicKeyURI: KeyID(p.ActorURI("alice")), PublicKeyPEM: testPEM, ActorType: "Person",
		IconURL:   "https://a.example/media/avatar.png",
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func testVideo(p Paths, synthetic bool) *model.Video {
	v := &model.Video{
		ID: "01JVIDEO", URI: p.VideoURI("01JVIDEO"), URL: p.WatchURL("01JVIDEO"),
		Title: "Sunset over Lisbon", Description: "Golden hour\nby the river <3",
		DurationSeconds: 7.6, Public: true, State: model.VideoReady,
		PublishedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		UpdatedAt:   time.Date(2026, 11, 25, 12, 0, 0, 500, time.UTC),
		Media: []*model.MediaFile{
			{Role: model.MediaThumbnail, URL: "https://a.example/media/01J-thumb.jpg", MimeType: "image/jpeg", Width: 360, Height: 640},
			{Role: model.MediaRendition, URL: "https://a.example/media/01J-720.mp4", MimeType: "video/mp4", Width: 720, Height: 1280, Size: 2400000},
		},
		Tags: []*model.VideoTag{{Name: "lisbon"}},
	}
	if synthetic {
		v.Synthetic = true
		v.DigitalSourceType = DigitalSourceTrained
		v.LabelSource = model.LabelGenerated
	}
	return v
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("our output is not JSON: %v\n%s", err, b)
	}
	return m
}

func serialize(t *testing.T, v vocab.Type) []byte {
	t.Helper()
	b, err := Serialize(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func isArray(t *testing.T, m map[string]any, key string, n int) []any {
	t.Helper()
	a, ok := m[key].([]any)
	if !ok {
		t.Fatalf("%s is %T, want a JSON array", key, m[key])
	}
	if n >= 0 && len(a) != n {
		t.Fatalf("len(%s) = %d, want %d", key, len(a), n)
	}
	return a
}

func TestContextIsExactlyDesigns(t *testing.T) {
	p := testPaths(t)
	b := serialize(t, Follow(p.ActivityURI("1"), p.ActorURI("alice"), "https://b.example/users/bob"))
	var got struct {
		Context json.RawMessage `json:"@context"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var gotCtx, wantCtx any
	_ = json.Unmarshal(got.Context, &gotCtx)
	_ = json.Unmarshal([]byte(`["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
	  {"sensitive": "as:sensitive", "Hashtag": "as:Hashtag", "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
	   "digitalSourceType": {"@id": "http://schema.org/digitalSourceType", "@type": "@id"}}]`), &wantCtx)
	if !reflect.DeepEqual(gotCtx, wantCtx) {
		t.Errorf("@context = %s", got.Context)
	}
}

func TestPersonMeetsMastodonRequirements(t *testing.T) {
	p := testPaths(t)
	acct := testAccount(p)
	acct.ManuallyApprovesFollowers = true
	b, err := PersonJSON(p, acct)
	if err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, b)
	id := "https://a.example/users/alice"
	eq(t, "type", m["type"], any("Person"))
	eq(t, "id", m["id"], any(id))
	eq(t, "preferredUsername", m["preferredUsername"], any("alice"))
	eq(t, "inbox", m["inbox"], any(id+"/inbox"))
	eq(t, "url", m["url"], any("https://a.example/@alice"))
	pk, _ := m["publicKey"].(map[string]any)
	eq(t, "publicKey.id", pk["id"], any(id+"#main-key"))
	eq(t, "publicKey.owner", pk["owner"], any(id))
	eq(t, "publicKey.publicKeyPem", pk["publicKeyPem"], any(testPEM))
	ep, _ := m["endpoints"].(map[string]any)
	eq(t, "endpoints.sharedInbox", ep["sharedInbox"], any("https://a.example/inbox"))
	eq(t, "manuallyApprovesFollowers", m["manuallyApprovesFollowers"], any(true))
	eq(t, "discoverable", m["discoverable"], any(true))

	a, err := ParseActor(b)
	if err != nil {
		t.Fatalf("our Person does not parse back: %v", err)
	}
	want := Actor{
		ID: id, Type: "Person", PreferredUsername: "alice", Name: "Alice", Summary: "<p>Films<br>sunsets</p>",
		URL: "https://a.example/@alice", Inbox: id + "/inbox", Outbox: id + "/outbox", Followers: id + "/followers",
		Following: id + "/following", SharedInbox: "https://a.example/inbox", PublicKeyID: id + "#main-key",
		PublicKeyOwner: id, PublicKeyPEM: testPEM, IconURL: "https://a.example/media/avatar.png",
		ManuallyApprovesFollowers: true, Published: acct.CreatedAt,
	}
	if !reflect.DeepEqual(*a, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", *a, want)
	}
}

func TestInstanceActor(t *testing.T) {
	p := testPaths(t)
	b, err := InstanceActorJSON(p, &model.Account{Username: "a.example", PublicKeyPEM: testPEM})
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseActor(b)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Type", a.Type, "Application")
	eq(t, "ID", a.ID, "https://a.example/actor")
	eq(t, "Inbox", a.Inbox, "https://a.example/actor/inbox")
	eq(t, "Outbox", a.Outbox, "https://a.example/actor/outbox")
	eq(t, "PublicKeyID", a.PublicKeyID, "https://a.example/actor#main-key")
	eq(t, "PublicKeyOwner", a.PublicKeyOwner, "https://a.example/actor")
	eq(t, "PreferredUsername", a.PreferredUsername, "a.example")
	eq(t, "ManuallyApprovesFollowers", a.ManuallyApprovesFollowers, true)
}

func TestSyntheticVideoWireFormat(t *testing.T) {
	p := testPaths(t)
	v := testVideo(p, true)
	obj, err := VideoObject(p, v, testAccount(p), "")
	if err != nil {
		t.Fatal(err)
	}
	b := serialize(t, obj)
	m := decodeJSON(t, b)
	eq(t, "type", m["type"], any("Video"))
	eq(t, "summary", m["summary"], any("🤖 AI-generated video"))
	eq(t, "content", m["content"], any("<p>Sunset over Lisbon</p><p>Golden hour<br>by the river &lt;3</p><p>🤖 AI-generated video</p>"))
	eq(t, "digitalSourceType", m["digitalSourceType"], any("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"))
	eq(t, "duration (rounded)", m["duration"], any("PT8S"))
	eq(t, "mediaType", m["mediaType"], any("text/html"))
	eq(t, "sensitive", m["sensitive"], any(false))
	eq(t, "published", m["published"], any("2026-11-25T12:00:00Z"))
	if _, ok := m["updated"]; ok {
		t.Error("updated set although the video was not edited")
	}
	eq(t, "attributedTo", m["attributedTo"], any("https://a.example/users/alice"))

	urls := isArray(t, m, "url", 2)
	u0, _ := urls[0].(map[string]any)
	eq(t, "url[0].mediaType", u0["mediaType"], any("text/html"))
	eq(t, "url[0].href", u0["href"], any("https://a.example/videos/01JVIDEO"))
	u1, _ := urls[1].(map[string]any)
	eq(t, "url[1].mediaType", u1["mediaType"], any("video/mp4"))
	eq(t, "url[1].size", u1["size"], any(float64(2400000)))
	eq(t, "url[1].height", u1["height"], any(float64(1280)))

	att := isArray(t, m, "attachment", 1)
	d, _ := att[0].(map[string]any)
	eq(t, "attachment.type", d["type"], any("Document"))
	eq(t, "attachment.mediaType", d["mediaType"], any("video/mp4"))
	eq(t, "attachment.url (a string, as older Mastodon reads it)", d["url"], any("https://a.example/media/01J-720.mp4"))
	eq(t, "attachment.name", d["name"], any("AI-generated video: Sunset over Lisbon"))
	eq(t, "attachment.width", d["width"], any(float64(720)))
	eq(t, "attachment.digitalSourceType", d["digitalSourceType"], any(DigitalSourceTrained))

	icon := isArray(t, m, "icon", 1)
	ic, _ := icon[0].(map[string]any)
	eq(t, "icon.type", ic["type"], any("Image"))
	eq(t, "icon.mediaType", ic["mediaType"], any("image/jpeg"))

	tags := isArray(t, m, "tag", 2)
	last, _ := tags[1].(map[string]any)
	eq(t, "tag AI", last["name"], any("#AIGenerated"))
	eq(t, "tag AI type", last["type"], any("Hashtag"))
	eq(t, "tag AI href", last["href"], any("https://a.example/tags/AIGenerated"))
	isArray(t, m, "to", 1)
	eq(t, "cc", isArray(t, m, "cc", 1)[0], any("https://a.example/users/alice/followers"))

	// Round trip through our own parser.
	o, err := ParseObject(b)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ID", o.ID, v.URI)
	eq(t, "Duration", o.Duration, 8*time.Second)
	eq(t, "Summary", o.Summary, AILabel)
	eq(t, "DigitalSourceType", o.DigitalSourceType, DigitalSourceTrained)
	eq(t, "AttachmentSourceTypes", strings.Join(o.AttachmentSourceTypes, ","), DigitalSourceTrained)
	eq(t, "URL", o.URL, v.URL)
	eq(t, "Public", o.Public, true)
	if len(o.Media) != 1 || o.Media[0].Size != 2400000 || o.Media[0].Width != 720 || o.Media[0].DigitalSourceType != DigitalSourceTrained {
		t.Errorf("Media = %+v", o.Media)
	}
	hasTag(t, o.Tags, "Hashtag", "#AIGenerated")
	hasTag(t, o.Tags, "Hashtag", "#lisbon")
	eq(t, "Thumbnails", len(o.Thumbnails), 1)
}

func TestGeneratorNamedInSummary(t *testing.T) {
	p := testPaths(t)
	obj, err := VideoObject(p, testVideo(p, true), testAccount(p), "procedural")
	if err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, serialize(t, obj))
	eq(t, "summary", m["summary"], any("🤖 AI-generated video (made with procedural)"))
}

func TestHumanVideoHasNoLabel(t *testing.T) {
	p := testPaths(t)
	v := testVideo(p, false)
	obj, err := VideoObject(p, v, testAccount(p), "ignored")
	if err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, serialize(t, obj))
	for _, k := range []string{"summary", "digitalSourceType"} {
		if _, ok := m[k]; ok {
			t.Errorf("human video has %s: %v", k, m[k])
		}
	}
	if strings.Contains(m["content"].(string), "AI-generated") {
		t.Errorf("content = %v", m["content"])
	}
	tags := isArray(t, m, "tag", 1)
	if tg := tags[0].(map[string]any); tg["name"] != "#lisbon" {
		t.Errorf("tag = %v", tg)
	}
	att := isArray(t, m, "attachment", 1)[0].(map[string]any)
	eq(t, "attachment.name", att["name"], any("Sunset over Lisbon"))
	if _, ok := att["digitalSourceType"]; ok {
		t.Error("attachment has digitalSourceType")
	}

	// A camera clip may say so: emitted, but still no summary.
	v.DigitalSourceType = DigitalSourceCapture
	v.UpdatedAt = v.PublishedAt.Add(time.Hour)
	obj, _ = VideoObject(p, v, testAccount(p), "")
	m = decodeJSON(t, serialize(t, obj))
	eq(t, "digitalSourceType", m["digitalSourceType"], any(DigitalSourceCapture))
	if _, ok := m["summary"]; ok {
		t.Error("digitalCapture video has a summary")
	}
	eq(t, "updated", m["updated"], any("2026-11-25T13:00:00Z"))
}

func TestVideoWithoutTagsStillHasArrays(t *testing.T) {
	p := testPaths(t)
	v := testVideo(p, true)
	v.Tags = nil
	v.Public = false
	obj, _ := VideoObject(p, v, testAccount(p), "")
	m := decodeJSON(t, serialize(t, obj))
	isArray(t, m, "tag", 1)
	isArray(t, m, "attachment", 1)
	isArray(t, m, "url", 2)
	eq(t, "to (followers only)", isArray(t, m, "to", 1)[0], any("https://a.example/users/alice/followers"))
	if _, ok := m["cc"]; ok {
		t.Error("cc on a followers-only video")
	}
}

func TestCommentRoundTrip(t *testing.T) {
	p := testPaths(t)
	acct := testAccount(p)
	c := &model.Comment{ID: "01C", URI: p.CommentURI("01C"), Content: PlainToHTML("Lovely <3"),
		CreatedAt: time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)}
	c.UpdatedAt = c.CreatedAt
	note, err := CommentObject(p, c, acct, "https://b.example/videos/9", []string{Public}, []string{acct.FollowersURI, "https://b.example/users/bob"})
	if err != nil {
		t.Fatal(err)
	}
	b := serialize(t, Create(p.ActivityURI("01A"), acct.URI, note, []string{Public}, []string{acct.FollowersURI}))
	m := decodeJSON(t, b)
	obj := m["object"].(map[string]any)
	isArray(t, obj, "to", 1)
	isArray(t, obj, "cc", 2)
	if _, ok := obj["@context"]; ok {
		t.Error("embedded object repeats @context")
	}
	a, err := ParseActivity(b)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Type", a.Type, "Create")
	eq(t, "ID", a.ID, "https://a.example/activities/01A")
	eq(t, "Actor", a.Actor, acct.URI)
	o := a.Object
	eq(t, "Object.Type", o.Type, "Note")
	eq(t, "Object.ID", o.ID, "https://a.example/comments/01C")
	eq(t, "InReplyTo", o.InReplyTo, "https://b.example/videos/9")
	eq(t, "Content", o.Content, "<p>Lovely &lt;3</p>")
	eq(t, "AttributedTo", o.AttributedTo, acct.URI)
	eq(t, "Public", o.Public, true)
	eq(t, "Published", o.Published, c.CreatedAt)
}

func TestActivitiesRoundTrip(t *testing.T) {
	p := testPaths(t)
	alice, bob := p.ActorURI("alice"), "https://b.example/users/bob"
	follow := Follow("https://b.example/follows/1", bob, alice)
	video := "https://a.example/videos/1"
	when := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		t     vocab.Type
		check func(t *testing.T, a *Activity)
	}{
		{"Follow", Follow(p.ActivityURI("f"), alice, bob), simple("Follow", alice, bob)},
		{"Accept{Follow}", Accept(p.ActivityURI("a"), alice, follow), wrapping("Accept", alice, "Follow", bob, alice)},
		{"Accept IRI", Accept(p.ActivityURI("a2"), alice, "https://b.example/follows/1"), simple("Accept", alice, "https://b.example/follows/1")},
		{"Reject{Follow}", Reject(p.ActivityURI("r"), alice, follow), wrapping("Reject", alice, "Follow", bob, alice)},
		{"Undo{Like}", Undo(p.ActivityURI("u"), alice, Like(p.ActivityURI("l"), alice, video)), wrapping("Undo", alice, "Like", alice, video)},
		{"Like", Like(p.ActivityURI("l"), alice, video), simple("Like", alice, video)},
		{"Announce", Announce(p.ActivityURI("b"), alice, video, []string{Public}, []string{p.Followers("alice")}, when), func(t *testing.T, a *Activity) {
			simple("Announce", alice, video)(t, a)
			eq(t, "Published", a.Published, when)
		}},
		{"Delete", Delete(p.ActivityURI("d"), alice, video, []string{Public}, nil), func(t *testing.T, a *Activity) {
			simple("Delete", alice, video)(t, a)
			if a.Object == nil || a.Object.Type != "Tombstone" {
				t.Errorf("Object = %+v", a.Object)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := serialize(t, c.t)
			a, err := ParseActivity(b)
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			c.check(t, a)
		})
	}
	// Mastodon answers a Follow with the Follow embedded and addressed to
	// its actor.
	m := decodeJSON(t, serialize(t, Accept(p.ActivityURI("a"), alice, follow)))
	eq(t, "Accept.to", isArray(t, m, "to", 1)[0], any(bob))

	// Update of a video carries the whole Video.
	obj, _ := VideoObject(p, testVideo(p, true), testAccount(p), "")
	a, err := ParseActivity(serialize(t, Update(p.ActivityURI("up"), alice, obj, []string{Public}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Object == nil || a.Object.Type != "Video" || a.Object.DigitalSourceType != DigitalSourceTrained {
		t.Errorf("Update object = %+v", a.Object)
	}
}

func TestCollections(t *testing.T) {
	p := testPaths(t)
	id := p.Followers("alice")
	m := decodeJSON(t, serialize(t, OrderedCollection(id, 3, id+"?page=1")))
	eq(t, "type", m["type"], any("OrderedCollection"))
	eq(t, "totalItems", m["totalItems"], any(float64(3)))
	eq(t, "first", m["first"], any(id+"?page=1"))

	m = decodeJSON(t, serialize(t, OrderedCollectionPage(id+"?page=1", id, id+"?page=2", "", []any{"https://b.example/users/bob"})))
	eq(t, "type", m["type"], any("OrderedCollectionPage"))
	eq(t, "partOf", m["partOf"], any(id))
	eq(t, "next", m["next"], any(id+"?page=2"))
	if _, ok := m["prev"]; ok {
		t.Error("prev on the first page")
	}
	eq(t, "orderedItems[0]", isArray(t, m, "orderedItems", 1)[0], any("https://b.example/users/bob"))

	m = decodeJSON(t, serialize(t, OrderedCollectionPage(id+"?page=2", id, "", id+"?page=1", nil)))
	isArray(t, m, "orderedItems", 0)
}

func TestPaths(t *testing.T) {
	u, _ := url.Parse("https://a.example/")
	p := Paths{Base: u}
	eq(t, "ActorURI", p.ActorURI("alice"), "https://a.example/users/alice")
	eq(t, "Inbox", p.Inbox("alice"), "https://a.example/users/alice/inbox")
	eq(t, "SharedInbox", p.SharedInbox(), "https://a.example/inbox")
	eq(t, "VideoURI", p.VideoURI("01J"), "https://a.example/videos/01J")
	eq(t, "WatchURL", p.WatchURL("01J"), "https://a.example/videos/01J")
	eq(t, "CommentURI", p.CommentURI("01C"), "https://a.example/comments/01C")
	eq(t, "ActivityURI", p.ActivityURI("01A"), "https://a.example/activities/01A")
	eq(t, "TagURL", p.TagURL("AIGenerated"), "https://a.example/tags/AIGenerated")
	eq(t, "InstanceActor", p.InstanceActor(), "https://a.example/actor")
	eq(t, "ProfileURL", p.ProfileURL("alice"), "https://a.example/@alice")
}
