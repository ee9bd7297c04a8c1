package ap

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/apperr"
)

// parser says which entry point a fixture goes through.
type parser int

const (
	activityParser parser = iota
	actorParser
	objectParser
	// notAS: WebFinger JRDs/XRDs and NodeInfo documents are not
	// ActivityStreams; the federation tests cover them. Here they must be
	// refused by ParseActivity with a reason naming what they are.
	notAS
)

// fixtureCase is one expectation for one file under
// ../shared/fixtures/activitypub (see its README for what each file is).
type fixtureCase struct {
	path  string
	parse parser
	// patch, when set, edits the document before parsing; the case's name
	// says why (a documentation sample without an id, a template
	// placeholder). The raw file then has a case of its own.
	patch func(t *testing.T, b []byte) []byte
	// refuse is a substring of the expected 400 reason; "" means it parses.
	refuse string
	// unsupported: the refusal must also match ErrUnsupportedType.
	unsupported bool
	act         func(t *testing.T, a *Activity)
	actor       func(t *testing.T, a *Actor)
	obj         func(t *testing.T, o *Object)
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func contains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}

// withID gives a Loops documentation sample the activity id Loops' code
// emits (CreateActivityBuilder sets one) but FEDERATION.md leaves out.
func withID(id string) func(t *testing.T, b []byte) []byte {
	return func(t *testing.T, b []byte) []byte {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m["id"] = id
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// fillDomain replaces Mastodon's template placeholder with a real host.
func fillDomain(t *testing.T, b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("{{DOMAIN}}"), []byte("mastodon.example"))
}

// key checks an actor's publicKey block and inbox fields.
func key(id, owner, sharedInbox string) func(t *testing.T, a *Actor) {
	return func(t *testing.T, a *Actor) {
		t.Helper()
		eq(t, "PublicKeyID", a.PublicKeyID, id)
		eq(t, "PublicKeyOwner", a.PublicKeyOwner, owner)
		if !strings.HasPrefix(a.PublicKeyPEM, "-----BEGIN PUBLIC KEY-----") {
			t.Errorf("PublicKeyPEM = %.40q…", a.PublicKeyPEM)
		}
		eq(t, "SharedInbox", a.SharedInbox, sharedInbox)
		if a.Inbox == "" || a.PreferredUsername == "" {
			t.Errorf("inbox %q, preferredUsername %q", a.Inbox, a.PreferredUsername)
		}
	}
}

func simple(typ, actor, object string) func(t *testing.T, a *Activity) {
	return func(t *testing.T, a *Activity) {
		t.Helper()
		eq(t, "Type", a.Type, typ)
		eq(t, "Actor", a.Actor, actor)
		eq(t, "ObjectIRI", a.ObjectIRI, object)
	}
}

func wrapping(typ, actor, innerType, innerActor, innerObject string) func(t *testing.T, a *Activity) {
	return func(t *testing.T, a *Activity) {
		t.Helper()
		eq(t, "Type", a.Type, typ)
		eq(t, "Actor", a.Actor, actor)
		if a.Inner == nil {
			t.Fatalf("Inner is nil; ObjectIRI %q", a.ObjectIRI)
		}
		eq(t, "Inner.Type", a.Inner.Type, innerType)
		eq(t, "Inner.Actor", a.Inner.Actor, innerActor)
		eq(t, "Inner.ObjectIRI", a.Inner.ObjectIRI, innerObject)
		if a.Inner.ID != "" {
			eq(t, "ObjectIRI", a.ObjectIRI, a.Inner.ID)
		}
	}
}

func hasTag(t *testing.T, tags []Tag, typ, name string) {
	t.Helper()
	for _, tg := range tags {
		if tg.Type == typ && tg.Name == name {
			return
		}
	}
	t.Errorf("no %s tag %q in %+v", typ, name, tags)
}

func mp4First(t *testing.T, o *Object, href string, height int) {
	t.Helper()
	if len(o.Media) == 0 {
		t.Fatalf("no media in %s", o.ID)
	}
	eq(t, "Media[0].Href", o.Media[0].Href, href)
	eq(t, "Media[0].MediaType", o.Media[0].MediaType, "video/mp4")
	if height != 0 {
		eq(t, "Media[0] quality", max(o.Media[0].Height, o.Media[0].Width*boolInt(o.Media[0].Height == 0)), height)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hasMedia(t *testing.T, o *Object, mediaType, hrefSuffix string) {
	t.Helper()
	for _, m := range o.Media {
		if m.MediaType == mediaType && strings.HasSuffix(m.Href, hrefSuffix) {
			return
		}
	}
	t.Errorf("no %s media ending in %q among %d", mediaType, hrefSuffix, len(o.Media))
}

var fixtureCases = []fixtureCase{
	// --- PeerTube ---
	{path: "peertube/video.tilvids.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "Type", o.Type, "Video")
		eq(t, "ID", o.ID, "https://tilvids.com/videos/watch/e7946124-7b72-4ad7-9d22-844a84bb2de1")
		eq(t, "Duration", o.Duration, 1145*time.Second)
		eq(t, "AttributedTo (the Person, not the Group)", o.AttributedTo, "https://tilvids.com/accounts/thelinuxexperiment")
		eq(t, "URL", o.URL, "https://tilvids.com/videos/watch/e7946124-7b72-4ad7-9d22-844a84bb2de1")
		contains(t, "Name", o.Name, "Mesa, Wayland & X.org in trouble")
		// The MP4s sit inside the HLS Link's tag; 1080p first.
		mp4First(t, o, "https://tilvids.com/static/streaming-playlists/hls/e7946124-7b72-4ad7-9d22-844a84bb2de1/0b870685-4461-47a3-8fac-e5531cd8acf5-1080-fragmented.mp4", 1080)
		eq(t, "Media[0].Size", o.Media[0].Size, int64(245864545))
		hasMedia(t, o, "video/mp4", "-360-fragmented.mp4")
		hasMedia(t, o, "video/mp4", "-144-fragmented.mp4")
		hasMedia(t, o, "application/x-mpegurl", "-master.m3u8")
		eq(t, "len(Thumbnails)", len(o.Thumbnails), 2)
		eq(t, "Thumbnails[0] (largest)", o.Thumbnails[0].Href, "https://tilvids.com/lazy-static/previews/ef6088ee-c83a-4fcf-8be2-58db95ca5135.jpg")
		eq(t, "Public", o.Public, true)
		eq(t, "Sensitive", o.Sensitive, false)
		contains(t, "Content (markdown as paragraphs)", o.Content, "<p>Head to https://squarespace.com/thelinuxexperiment")
	}},
	{path: "peertube/person.tilvids.json", parse: actorParser, actor: func(t *testing.T, a *Actor) {
		eq(t, "Type", a.Type, "Person")
		eq(t, "PreferredUsername", a.PreferredUsername, "thelinuxexperiment")
		key("https://tilvids.com/accounts/thelinuxexperiment#main-key", "https://tilvids.com/accounts/thelinuxexperiment", "https://tilvids.com/inbox")(t, a)
		if a.IconURL == "" {
			t.Error("no icon")
		}
	}},
	{path: "peertube/group-channel.tilvids.json", parse: actorParser, actor: func(t *testing.T, a *Actor) {
		eq(t, "Type", a.Type, "Group")
		eq(t, "ID", a.ID, "https://tilvids.com/video-channels/thelinuxexperiment_channel")
		key("https://tilvids.com/video-channels/thelinuxexperiment_channel#main-key", "https://tilvids.com/video-channels/thelinuxexperiment_channel", "https://tilvids.com/inbox")(t, a)
	}},
	{path: "peertube/note-comment.tilvids.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "Type", o.Type, "Note")
		eq(t, "InReplyTo", o.InReplyTo, "https://bae.st/objects/87c1cbf5-542a-491d-af57-0414c8648381")
		eq(t, "AttributedTo", o.AttributedTo, "https://video.antopie.org/accounts/yoge6785555")
		eq(t, "Content", o.Content, "<p>@af2@bae.st idk</p>")
		hasTag(t, o.Tags, "Mention", "@af2@bae.st")
	}},
	{path: "peertube/announce-video.tilvids.json", parse: activityParser,
		act: simple("Announce", "https://tilvids.com/video-channels/thelinuxexperiment_channel", "https://tilvids.com/videos/watch/e7946124-7b72-4ad7-9d22-844a84bb2de1")},
	{path: "peertube/create-video.mpegurl-only.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		eq(t, "Type", a.Type, "Create")
		eq(t, "Actor", a.Actor, "https://peertube.local/accounts/createurs")
		o := a.Object
		if o == nil {
			t.Fatal("no object")
		}
		eq(t, "Object.Type", o.Type, "Video")
		eq(t, "Duration", o.Duration, 385*time.Second)
		// Only HLS at the top level: the MP4s come from its tag.
		mp4First(t, o, "https://peertube.local/static/streaming-playlists/hls/abece3c3-b9c6-47f4-8040-f3eed8c602e6/abece3c3-b9c6-47f4-8040-f3eed8c602e6-1080-fragmented.mp4", 1080)
		hasMedia(t, o, "application/x-mpegurl", "/master.m3u8")
		hasTag(t, o.Tags, "Hashtag", "France3")
	}},
	{path: "peertube/create-video.framatube.webvideo.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		o := a.Object
		if o == nil {
			t.Fatal("no object")
		}
		eq(t, "Duration", o.Duration, 3622*time.Second)
		eq(t, "AttributedTo", o.AttributedTo, "https://framatube.local/accounts/framasoft")
		// The plain web-video file beats the fragmented HLS one of the same height.
		mp4First(t, o, "https://framatube.local/static/webseed/6050732a-8a7a-43d4-a6cd-809525a1d206-1080.mp4", 1080)
		hasMedia(t, o, "video/mp4", "-240.mp4")
		if o.Media[len(o.Media)-1].MediaType != "application/x-mpegurl" {
			t.Errorf("HLS playlist should rank last, got %+v", o.Media[len(o.Media)-1])
		}
	}},
	{path: "peertube/video.peertube-social.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "Duration", o.Duration, 5151*time.Second)
		eq(t, "len(Media)", len(o.Media), 3)
		mp4First(t, o, "https://peertube.local/static/webseed/278d2b7c-0f38-4aaa-afe6-9ecc0c4a34fe-480.mp4", 480)
		eq(t, "Name", o.Name, "Twenty Years in Jail: FreeBSD's Jails, Then and Now")
	}},
	{path: "peertube/video.peertube-moe.legacy.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		// mimeType instead of mediaType; Group listed before Person.
		eq(t, "AttributedTo", o.AttributedTo, "https://group.local/accounts/7even")
		eq(t, "Duration", o.Duration, 29*time.Second)
		mp4First(t, o, "https://group.local/static/webseed/df5f464b-be8d-46fb-ad81-2d4c2d1630e3-720.mp4", 720)
		eq(t, "len(Media)", len(o.Media), 4)
	}},
	{path: "peertube/video.gotosocial-test-example.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		// GoToSocial expects the text/html page, the .m3u8 and the trackers
		// among the URLs; we want the page and something playable.
		eq(t, "URL", o.URL, "https://example.org/w/jifTXYpdLJSU269svW8Jdb")
		hasMedia(t, o, "application/x-mpegurl", "-master.m3u8")
		mp4First(t, o, "https://example.org/static/streaming-playlists/hls/942d51e6-9320-4f40-980b-76bba0652bc2/c6b6c9fb-83da-425c-9ce6-680e00eb9ecb-480-fragmented.mp4", 480)
		for _, m := range o.Media {
			if strings.HasPrefix(m.Href, "wss://") || strings.Contains(m.Href, "tracker") {
				t.Errorf("tracker among media: %s", m.Href)
			}
		}
	}},
	{path: "peertube/person.createurs.json", parse: actorParser,
		actor: key("https://peertube.local/accounts/createurs#main-key", "https://peertube.local/accounts/createurs", "https://peertube.local/inbox")},
	{path: "peertube/person.framasoft.json", parse: actorParser,
		actor: key("https://framatube.local/accounts/framasoft#main-key", "https://framatube.local/accounts/framasoft", "https://framatube.local/inbox")},
	{path: "peertube/webfinger.framasoft.json", parse: notAS, refuse: "WebFinger JRD"},
	{path: "peertube/announce-without-context.json", parse: activityParser, // AS2 Core §2.1: no @context means the AS2 context
		act: simple("Announce", "http://127.0.0.1:9002/accounts/peertube", "http://127.0.0.1:9002/videos/watch/997111d4-e8d8-4f45-99d3-857905785d05")},

	// --- Mastodon ---
	{path: "mastodon/note-with-video-attachment.emelie.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "Type", o.Type, "Note")
		eq(t, "len(Media)", len(o.Media), 1)
		mp4First(t, o, "https://files.mocked.local/media_attachments/files/013/049/816/original/e7831178a5e0d6d4.mp4", 0)
		hasTag(t, o.Tags, "Hashtag", "#mastocats")
		contains(t, "Content", o.Content, `class="mention hashtag"`)
		eq(t, "Public", o.Public, true)
	}},
	{path: "mastodon/mastodon-create-with-attachment.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		eq(t, "Type", a.Type, "Create")
		if a.Object == nil {
			t.Fatal("no object")
		}
		eq(t, "Object.Type", a.Object.Type, "Note")
		eq(t, "len(Media) (an image is not a video)", len(a.Object.Media), 0)
	}},
	{path: "mastodon/mastodon-post-activity.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		o := a.Object
		if o == nil {
			t.Fatal("no object")
		}
		eq(t, "Summary", o.Summary, "cw")
		eq(t, "Sensitive", o.Sensitive, true)
		hasTag(t, o.Tags, "Mention", "@karen@testing.local")
		contains(t, "Content (mention span kept)", o.Content, `<span class="h-card"><a href="https://testing.local/users/karen" class="u-url mention"`)
	}},
	{path: "mastodon/mastodon-note-object.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "Content", o.Content, "<p>yeah.</p>")
		eq(t, "AttributedTo", o.AttributedTo, "https://mastodon.local/users/admin")
	}},
	{path: "mastodon/mastodon-actor.json", parse: actorParser,
		actor: key("https://mastodon.local/users/admin#main-key", "https://mastodon.local/users/admin", "https://mastodon.local/inbox")},
	{path: "mastodon/application_actor.json", parse: actorParser, refuse: "is not an http(s) URL"},
	{path: "mastodon/application_actor.json", parse: actorParser, patch: fillDomain, actor: func(t *testing.T, a *Actor) {
		eq(t, "Type", a.Type, "Application")
		eq(t, "ID", a.ID, "https://mastodon.example/actor")
		eq(t, "ManuallyApprovesFollowers", a.ManuallyApprovesFollowers, true)
		key("https://mastodon.example/actor#main-key", "https://mastodon.example/actor", "https://mastodon.example/inbox")(t, a)
	}},
	{path: "mastodon/mastodon_webfinger.json", parse: notAS, refuse: "WebFinger JRD"},
	{path: "mastodon/mastodon-follow-activity.json", parse: activityParser,
		act: simple("Follow", "https://mastodon.local/users/admin", "https://testing.local/users/karen")},
	{path: "mastodon/mastodon-accept-activity.json", parse: activityParser,
		act: wrapping("Accept", "https://mastodon.local/users/admin", "Follow", "https://testing.local/users/karen", "https://mastodon.local/users/admin")},
	{path: "mastodon/mastodon-reject-activity.json", parse: activityParser,
		act: wrapping("Reject", "https://mastodon.local/users/admin", "Follow", "https://testing.local/users/karen", "https://mastodon.local/users/admin")},
	{path: "mastodon/mastodon-unfollow-activity.json", parse: activityParser,
		act: wrapping("Undo", "https://mastodon.local/users/admin", "Follow", "https://mastodon.local/users/admin", "https://testing.local/users/karen")},
	{path: "mastodon/mastodon-like.json", parse: activityParser,
		act: simple("Like", "https://mastodon.local/users/admin", "http://testing.local/objects/eb92579d-3417-42a8-8652-2492c2d4f454")},
	{path: "mastodon/mastodon-undo-like.json", parse: activityParser,
		act: wrapping("Undo", "https://mastodon.local/users/admin", "Like", "https://mastodon.local/users/admin", "http://testing.local/objects/eb92579d-3417-42a8-8652-2492c2d4f454")},
	{path: "mastodon/mastodon-announce.json", parse: activityParser,
		act: simple("Announce", "https://mastodon.local/users/admin", "https://mastodon.local/users/admin/statuses/99512778738411822")},
	{path: "mastodon/mastodon-undo-announce.json", parse: activityParser,
		act: wrapping("Undo", "https://mastodon.local/users/admin", "Announce", "https://mastodon.local/users/admin", "https://mastodon.local/users/admin/statuses/99512778738411822")},
	{path: "mastodon/mastodon-delete.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		simple("Delete", "https://mastodon.local/users/admin", "https://mastodon.local/users/admin/statuses/99620895606148759")(t, a)
		if a.Object == nil || a.Object.Type != "Tombstone" {
			t.Errorf("Object = %+v, want the Tombstone", a.Object)
		}
	}},
	{path: "mastodon/mastodon-delete-user.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		simple("Delete", "https://mastodon.local/users/deleted", "https://mastodon.local/users/deleted")(t, a)
		if a.ObjectActor == nil || a.ObjectActor.ID != "https://mastodon.local/users/deleted" {
			t.Errorf("ObjectActor = %+v", a.ObjectActor)
		}
	}},
	{path: "mastodon/mastodon-update.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		eq(t, "Type", a.Type, "Update")
		if a.ObjectActor == nil {
			t.Fatal("no ObjectActor")
		}
		eq(t, "ObjectActor.Name", a.ObjectActor.Name, "gargle")
		eq(t, "ObjectActor.Summary", a.ObjectActor.Summary, "<p>Some updated bio</p>")
		eq(t, "ObjectActor.PublicKeyID", a.ObjectActor.PublicKeyID, "https://mastodon.local/users/admin#main-key")
		eq(t, "ObjectActor.SharedInbox", a.ObjectActor.SharedInbox, "https://mastodon.local/inbox")
	}},
	{path: "mastodon/mastodon-block-activity.json", parse: activityParser, refuse: `unsupported activity type "Block"`, unsupported: true},
	{path: "mastodon/lemmy-activities-create-note.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		eq(t, "Type", a.Type, "Create")
		o := a.Object
		if o == nil {
			t.Fatal("no object")
		}
		eq(t, "InReplyTo", o.InReplyTo, "https://mamot.fr/users/retiolus/statuses/107224244380204526")
		eq(t, "len(Media) (attachment: [])", len(o.Media), 0)
		hasTag(t, o.Tags, "Mention", "@retiolus@mamot.fr")
	}},
	{path: "mastodon/lemmy-activities-delete.json", parse: activityParser,
		act: simple("Delete", "https://mastodon.madrid/users/felix", "https://mastodon.madrid/users/felix/statuses/107773559874184870")},
	{path: "mastodon/lemmy-activities-flag.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		simple("Flag", "https://mastodon.example/actor", "https://example.com/users/1")(t, a)
		eq(t, "len(ObjectIRIs)", len(a.ObjectIRIs), 3)
		eq(t, "Content", a.Content, "Please take a look at this user and their posts")
	}},
	{path: "mastodon/lemmy-activities-follow.json", parse: activityParser,
		act: simple("Follow", "https://masto.asonix.dog/users/asonix", "https://ds9.lemmy.ml/c/testcom")},
	{path: "mastodon/lemmy-activities-undo-follow.json", parse: activityParser,
		act: wrapping("Undo", "https://masto.asonix.dog/users/asonix", "Follow", "https://masto.asonix.dog/users/asonix", "https://ds9.lemmy.ml/c/testcom")},
	{path: "mastodon/lemmy-activities-like-page.json", parse: activityParser,
		act: simple("Like", "https://mastodon.madrid/users/felix", "https://ds9.lemmy.ml/post/147")},
	{path: "mastodon/lemmy-activities-undo-like-page.json", parse: activityParser,
		act: wrapping("Undo", "https://mastodon.madrid/users/felix", "Like", "https://mastodon.madrid/users/felix", "https://ds9.lemmy.ml/post/147")},
	{path: "mastodon/lemmy-activities-private-message.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "Type", o.Type, "Note")
		eq(t, "Public (a direct message)", o.Public, false)
	}},
	{path: "mastodon/lemmy-activities-private-message.json", parse: activityParser, refuse: `"Note" is not an activity`, unsupported: true},
	{path: "mastodon/lemmy-collections-featured.json", parse: objectParser, refuse: `"OrderedCollection" is not a supported object type`, unsupported: true},
	{path: "mastodon/lemmy-objects-note-1.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "InReplyTo", o.InReplyTo, "https://mamot.fr/users/retiolus/statuses/107224244380204526")
		eq(t, "Public", o.Public, true)
	}},
	{path: "mastodon/lemmy-objects-note-2.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "AttributedTo", o.AttributedTo, "https://floss.social/users/kde")
		eq(t, "len(Media) (image attachment only)", len(o.Media), 0)
		contains(t, "Content", o.Content, `<span class="invisible">https://</span>`)
	}},
	{path: "mastodon/lemmy-objects-page.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "Type", o.Type, "Note")
		contains(t, "Content", o.Content, "Variable never resetting at refresh")
	}},
	{path: "mastodon/lemmy-objects-person.json", parse: actorParser,
		actor: key("https://masto.qa.urbanwildlife.biz/users/mastodon#main-key", "https://masto.qa.urbanwildlife.biz/users/mastodon", "https://masto.qa.urbanwildlife.biz/inbox")},
	{path: "mastodon/requests/activitypub-actor.txt", parse: actorParser, actor: func(t *testing.T, a *Actor) {
		eq(t, "Type", a.Type, "Person")
		key("https://ap.example.com/users/foo#main-key", "https://ap.example.com/users/foo", "https://ap.example.com/inbox")(t, a)
		eq(t, "IconURL (a bare string)", a.IconURL, "https://quitter.no/avatar/7477-300-20160211190340.png")
	}},
	{path: "mastodon/requests/activitypub-actor-individual.txt", parse: actorParser, actor: func(t *testing.T, a *Actor) {
		eq(t, "Type ([Person, vcard:individual])", a.Type, "Person")
		eq(t, "Inbox", a.Inbox, "https://ap.example.com/users/foo/inbox")
	}},
	{path: "mastodon/requests/activitypub-actor-noinbox.txt", parse: actorParser, refuse: "has no inbox"},
	{path: "mastodon/requests/activitypub-webfinger.txt", parse: notAS, refuse: "WebFinger JRD"},
	{path: "mastodon/requests/webfinger.txt", parse: notAS, refuse: "WebFinger JRD"},
	{path: "mastodon/requests/localdomain-webfinger.txt", parse: notAS, refuse: "not valid JSON"}, // XRD (XML)

	// --- GoToSocial ---
	{path: "gotosocial/person-with-sharedinbox.json", parse: actorParser, // key id .../main-key, not #main-key
		actor: key("http://localhost:8080/users/the_mighty_zork/main-key", "http://localhost:8080/users/the_mighty_zork", "http://localhost:8080/sharedInbox")},
	{path: "gotosocial/application-bot-actor.json", parse: actorParser, actor: func(t *testing.T, a *Actor) {
		eq(t, "Type", a.Type, "Application")
		eq(t, "PreferredUsername", a.PreferredUsername, "the_mighty_zork")
	}},
	{path: "gotosocial/note.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		// to/cc are single strings here.
		eq(t, "Public", o.Public, true)
		eq(t, "len(Cc)", len(o.Cc), 1)
		eq(t, "Summary", o.Summary, "introduction post")
		eq(t, "Sensitive", o.Sensitive, true)
	}},
	{path: "gotosocial/note-with-image-attachment-and-tags.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		hasTag(t, o.Tags, "Hashtag", "#welcome")
		hasTag(t, o.Tags, "Emoji", ":rainbow:")
		eq(t, "len(Media)", len(o.Media), 0)
	}},
	{path: "gotosocial/create-note.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		eq(t, "Type", a.Type, "Create")
		if a.Object == nil || a.Object.Type != "Note" {
			t.Fatalf("Object = %+v", a.Object)
		}
	}},
	{path: "gotosocial/delete-public-status.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		// GoToSocial's Delete has no id: accepted, the caller keys it itself.
		eq(t, "ID", a.ID, "")
		simple("Delete", "http://localhost:8080/users/admin", "http://localhost:8080/users/admin/statuses/01F8MH75CBF9JFX4ZAD54N0W0R")(t, a)
	}},
	{path: "gotosocial/delete-public-reply.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		simple("Delete", "http://localhost:8080/users/admin", "http://localhost:8080/users/admin/statuses/01FF25D5Q0DH7CHD57CTRS6WK0")(t, a)
		eq(t, "len(Cc)", len(a.Cc), 2)
	}},
	{path: "gotosocial/announce-self-boost.json", parse: activityParser,
		act: simple("Announce", "http://localhost:8080/users/the_mighty_zork", "http://localhost:8080/users/the_mighty_zork/statuses/01FCTA44PW9H1TB328S9AQXKDS")},
	{path: "gotosocial/flag-report.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		simple("Flag", "http://localhost:8080/users/localhost:8080", "http://fossbros-anonymous.io/users/foss_satan")(t, a)
		eq(t, "len(ObjectIRIs)", len(a.ObjectIRIs), 2)
		eq(t, "Content", a.Content, "dark souls sucks, please yeet this nerd")
	}},
	{path: "gotosocial/accept-like.json", parse: activityParser,
		act: simple("Accept", "http://localhost:8080/users/the_mighty_zork", "https://fossbros-anonymous.io/users/foss_satan/likes/01J1AKRRHQ6MDDQHV0TP716T2K")},
	{path: "gotosocial/accept-announce.json", parse: activityParser,
		act: simple("Accept", "http://localhost:8080/users/the_mighty_zork", "https://fossbros-anonymous.io/users/foss_satan/statuses/01J1AKRRHQ6MDDQHV0TP716T2K")},
	{path: "gotosocial/webfinger.json", parse: notAS, refuse: "WebFinger JRD"},

	// --- Loops (FEDERATION.md samples: shape hints; most lack the id
	// Loops' code sends, so each is checked raw and with an id) ---
	{path: "loops/instance-actor-application.json", parse: actorParser, actor: func(t *testing.T, a *Actor) {
		eq(t, "Type", a.Type, "Application")
		eq(t, "PreferredUsername", a.PreferredUsername, "loops.example.com")
		eq(t, "ManuallyApprovesFollowers", a.ManuallyApprovesFollowers, true)
		eq(t, "PublicKeyID", a.PublicKeyID, "https://loops.example.com/ap/actor#main-key")
	}},
	{path: "loops/webfinger.json", parse: notAS, refuse: "WebFinger JRD"},
	{path: "loops/create-note-video.json", parse: activityParser, refuse: "the Create activity has no id"},
	{path: "loops/create-note-video.json", parse: activityParser, patch: withID("https://loops.example.com/posts/123/activity"), act: func(t *testing.T, a *Activity) {
		eq(t, "Type", a.Type, "Create")
		o := a.Object
		if o == nil {
			t.Fatal("no object")
		}
		eq(t, "Object.Type", o.Type, "Note")
		eq(t, "Object.URL", o.URL, "https://loops.example.com/posts/123")
		mp4First(t, o, "https://loops.example.com/storage/videos/123.mp4", 0)
		eq(t, "Content", o.Content, "<p>Check out this cool video!</p>")
	}},
	{path: "loops/update-person.json", parse: activityParser, refuse: "the Update activity has no id"},
	{path: "loops/update-person.json", parse: activityParser, patch: withID("https://loops.example.com/users/alice#updates/1"), act: func(t *testing.T, a *Activity) {
		eq(t, "Type", a.Type, "Update")
		if a.ObjectActor == nil {
			t.Fatal("no ObjectActor")
		}
		eq(t, "ObjectActor.Name", a.ObjectActor.Name, "Alice Updated")
		eq(t, "ObjectActor.Summary", a.ObjectActor.Summary, "<p>New bio here</p>")
	}},
	{path: "loops/delete-tombstone.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		simple("Delete", "https://loops.example.com/users/alice", "https://loops.example.com/posts/123")(t, a)
	}},
	{path: "loops/follow.json", parse: activityParser, refuse: "the Follow activity has no id"},
	{path: "loops/follow.json", parse: activityParser, patch: withID("https://loops.example.com/follows/1"),
		act: simple("Follow", "https://loops.example.com/users/alice", "https://mastodon.social/users/bob")},
	{path: "loops/accept-follow.json", parse: activityParser, refuse: "the Accept activity has no id"},
	{path: "loops/accept-follow.json", parse: activityParser, patch: withID("https://loops.example.com/accepts/1"),
		act: wrapping("Accept", "https://loops.example.com/users/alice", "Follow", "https://mastodon.social/users/bob", "https://loops.example.com/users/alice")},
	{path: "loops/reject-follow.json", parse: activityParser, refuse: "the Reject activity has no id"},
	{path: "loops/reject-follow.json", parse: activityParser, patch: withID("https://loops.example.com/rejects/1"),
		act: wrapping("Reject", "https://loops.example.com/users/alice", "Follow", "https://mastodon.social/users/bob", "https://loops.example.com/users/alice")},
	{path: "loops/like.json", parse: activityParser, refuse: "the Like activity has no id"},
	{path: "loops/like.json", parse: activityParser, patch: withID("https://loops.example.com/likes/1"),
		act: simple("Like", "https://loops.example.com/users/alice", "https://mastodon.social/users/bob/statuses/789")},
	{path: "loops/announce.json", parse: activityParser, refuse: "the Announce activity has no id"},
	{path: "loops/announce.json", parse: activityParser, patch: withID("https://loops.example.com/announces/1"),
		act: simple("Announce", "https://loops.example.com/users/alice", "https://mastodon.social/users/bob/statuses/789")},
	{path: "loops/undo-follow.json", parse: activityParser, refuse: "the Undo activity has no id"},
	{path: "loops/undo-follow.json", parse: activityParser, patch: withID("https://loops.example.com/undos/1"),
		act: wrapping("Undo", "https://loops.example.com/users/alice", "Follow", "https://loops.example.com/users/alice", "https://mastodon.social/users/bob")},
	{path: "loops/undo-like.json", parse: activityParser, refuse: "the Undo activity has no id"},
	{path: "loops/undo-like.json", parse: activityParser, patch: withID("https://loops.example.com/undos/2"),
		act: wrapping("Undo", "https://loops.example.com/users/alice", "Like", "https://loops.example.com/users/alice", "https://mastodon.social/users/bob/statuses/789")},
	{path: "loops/undo-announce.json", parse: activityParser, refuse: "the Undo activity has no id"},
	{path: "loops/undo-announce.json", parse: activityParser, patch: withID("https://loops.example.com/undos/3"),
		act: wrapping("Undo", "https://loops.example.com/users/alice", "Announce", "https://loops.example.com/users/alice", "https://mastodon.social/users/bob/statuses/789")},

	// --- Pleroma, Misskey, Lemmy ---
	{path: "pleroma/person.karen.json", parse: actorParser,
		actor: key("https://mocked.local/users/karen#main-key", "https://mocked.local/users/karen", "https://mocked.local/inbox")},
	{path: "pleroma/webfinger.json", parse: notAS, refuse: "WebFinger JRD"},
	{path: "pleroma/lemmy-objects-note.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "InReplyTo", o.InReplyTo, "https://enterprise.lemmy.ml/post/55143")
		eq(t, "Public (in cc)", o.Public, true)
		eq(t, "Content (plain text made HTML)", o.Content, "<p>Have what?</p>")
	}},
	{path: "pleroma/lemmy-activities-create-note.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		eq(t, "Actor", a.Actor, "https://greenish.red/users/nutomic")
		if a.Object == nil || a.Object.Type != "Note" {
			t.Fatalf("Object = %+v", a.Object)
		}
	}},
	{path: "pleroma/lemmy-activities-delete.json", parse: activityParser,
		act: simple("Delete", "https://greenish.red/users/vpzom", "https://greenish.red/objects/38e2b983-ebf5-4387-9bc2-3b80305469c9")},
	{path: "pleroma/lemmy-activities-follow.json", parse: activityParser,
		act: simple("Follow", "https://mycrowd.ca/users/kinetix", "https://lemmy.ca/u/kinetix")},
	{path: "misskey/person.mametsuko.json", parse: actorParser,
		actor: key("https://mk.local/users/8ozbzjs3o8#main-key", "https://mk.local/users/8ozbzjs3o8", "https://mk.local/inbox")},
	{path: "misskey/misskey-like.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		simple("Like", "https://mastodon.local/users/admin", "https://akkoma.local/objects/c331bbf7-2eb9-4801-a709-2a6103492a5a")(t, a)
		eq(t, "Content (the reaction)", a.Content, ":pudding:")
	}},
	{path: "misskey/quote.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "Type", o.Type, "Note")
		contains(t, "Content", o.Content, "i quompt u")
	}},
	{path: "lemmy/objects-person.json", parse: actorParser,
		actor: key("https://enterprise.lemmy.ml/u/picard#main-key", "https://enterprise.lemmy.ml/u/picard", "https://enterprise.lemmy.ml/inbox")},
	{path: "lemmy/objects-group.json", parse: actorParser, actor: func(t *testing.T, a *Actor) {
		eq(t, "Type", a.Type, "Group")
		key("https://enterprise.lemmy.ml/c/tenforward#main-key", "https://enterprise.lemmy.ml/c/tenforward", "https://enterprise.lemmy.ml/inbox")(t, a)
	}},
	{path: "lemmy/objects-instance.json", parse: actorParser, actor: func(t *testing.T, a *Actor) {
		eq(t, "Type", a.Type, "Application")
		eq(t, "Inbox", a.Inbox, "https://enterprise.lemmy.ml/inbox")
	}},
	{path: "lemmy/objects-tombstone.json", parse: objectParser, obj: func(t *testing.T, o *Object) {
		eq(t, "Type", o.Type, "Tombstone")
		eq(t, "ID", o.ID, "https://lemmy.ml/comment/110273")
	}},
	{path: "lemmy/activities-following-follow.json", parse: activityParser,
		act: simple("Follow", "http://ds9.lemmy.ml/u/lemmy_alpha", "http://enterprise.lemmy.ml/c/main")},
	{path: "lemmy/activities-following-accept.json", parse: activityParser,
		act: wrapping("Accept", "http://enterprise.lemmy.ml/c/main", "Follow", "http://ds9.lemmy.ml/u/lemmy_alpha", "http://enterprise.lemmy.ml/c/main")},
	{path: "lemmy/activities-following-undo-follow.json", parse: activityParser,
		act: wrapping("Undo", "http://ds9.lemmy.ml/u/lemmy_alpha", "Follow", "http://ds9.lemmy.ml/u/lemmy_alpha", "http://enterprise.lemmy.ml/c/main")},
	{path: "lemmy/activities-voting-like-note.json", parse: activityParser,
		act: simple("Like", "http://ds9.lemmy.ml/u/lemmy_alpha", "http://ds9.lemmy.ml/comment/1")},
	{path: "lemmy/activities-deletion-delete-page.json", parse: activityParser,
		act: simple("Delete", "http://ds9.lemmy.ml/u/lemmy_alpha", "http://ds9.lemmy.ml/post/1")},
	{path: "lemmy/activities-community-report-page.json", parse: activityParser, act: func(t *testing.T, a *Activity) {
		simple("Flag", "http://ds9.lemmy.ml/u/lemmy_alpha", "http://enterprise.lemmy.ml/post/7")(t, a)
		eq(t, "Content (Lemmy's summary)", a.Content, "report this post")
	}},

	// --- NodeInfo (schemas and examples) ---
	{path: "nodeinfo/nodeinfo-2.0.example.json", parse: notAS, refuse: "NodeInfo document"},
	{path: "nodeinfo/nodeinfo-2.1.example.json", parse: notAS, refuse: "NodeInfo document"},
	{path: "nodeinfo/nodeinfo-2.0.schema.json", parse: notAS, refuse: "JSON Schema"},
	{path: "nodeinfo/nodeinfo-2.1.schema.json", parse: notAS, refuse: "JSON Schema"},
}

// TestFixtureTableCoversEveryFile fails when a fixture has no table entry, so
// a new file cannot be skipped silently.
func TestFixtureTableCoversEveryFile(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range fixtureCases {
		covered[c.path] = true
	}
	n := 0
	err := filepath.WalkDir(fixtureRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixtureRoot, p)
		rel = filepath.ToSlash(rel)
		n++
		if !covered[rel] {
			t.Errorf("fixture %s has no entry in fixtureCases", rel)
		}
		delete(covered, rel)
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", fixtureRoot, err)
	}
	for p := range covered {
		t.Errorf("fixtureCases names %s, which does not exist", p)
	}
	if n < 90 {
		t.Errorf("only %d fixture files found; is %s the shared fixtures tree?", n, fixtureRoot)
	}
}

func TestFixtures(t *testing.T) {
	for _, c := range fixtureCases {
		name := c.path
		if c.patch != nil {
			name += "/patched"
		}
		if c.parse == notAS {
			name += "/not-activitystreams"
		}
		t.Run(name, func(t *testing.T) {
			body := readFixture(t, c.path)
			if c.patch != nil {
				body = c.patch(t, body)
			}
			var (
				got any
				err error
			)
			switch c.parse {
			case activityParser, notAS:
				var a *Activity
				a, err = ParseActivity(body)
				got = a
			case actorParser:
				var a *Actor
				a, err = ParseActor(body)
				got = a
			case objectParser:
				var o *Object
				o, err = ParseObject(body)
				got = o
			}
			if c.refuse != "" {
				checkRefusal(t, err, c.refuse)
				if c.unsupported != errors.Is(err, ErrUnsupportedType) {
					t.Errorf("errors.Is(err, ErrUnsupportedType) = %v, want %v", !c.unsupported, c.unsupported)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			switch v := got.(type) {
			case *Activity:
				if c.act == nil {
					t.Fatal("no expectations for an activity")
				}
				c.act(t, v)
			case *Actor:
				if c.actor == nil {
					t.Fatal("no expectations for an actor")
				}
				c.actor(t, v)
			case *Object:
				if c.obj == nil {
					t.Fatal("no expectations for an object")
				}
				c.obj(t, v)
			}
		})
	}
}

// checkRefusal asserts a 400 *apperr.Error whose public reason contains want.
func checkRefusal(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want a refusal containing %q", want)
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an *apperr.Error", err)
	}
	if ae.Status != 400 {
		t.Errorf("status %d, want 400", ae.Status)
	}
	if !strings.Contains(ae.Public, want) {
		t.Errorf("reason %q, want it to contain %q", ae.Public, want)
	}
}
