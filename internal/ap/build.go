package ap

import (
	"cmp"
	"errors"
	"fmt"
	"html"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/assay-social/assay/internal/model"
)

// iri parses one of our own URLs. They come from Paths and the database, so
// a parse failure is a bug upstream; the string is kept verbatim rather than
// dropped.
func iri(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{Opaque: s}
	}
	return u
}

func idProp(s string) vocab.JSONLDIdProperty {
	p := streams.NewJSONLDIdProperty()
	p.SetIRI(iri(s))
	return p
}

func nameProp(s string) vocab.ActivityStreamsNameProperty {
	p := streams.NewActivityStreamsNameProperty()
	p.AppendXMLSchemaString(s)
	return p
}

func mediaTypeProp(s string) vocab.ActivityStreamsMediaTypeProperty {
	p := streams.NewActivityStreamsMediaTypeProperty()
	p.Set(s)
	return p
}

func widthProp(n int) vocab.ActivityStreamsWidthProperty {
	p := streams.NewActivityStreamsWidthProperty()
	p.Set(n)
	return p
}

func heightProp(n int) vocab.ActivityStreamsHeightProperty {
	p := streams.NewActivityStreamsHeightProperty()
	p.Set(n)
	return p
}

func publishedProp(t time.Time) vocab.ActivityStreamsPublishedProperty {
	p := streams.NewActivityStreamsPublishedProperty()
	p.Set(t.UTC().Truncate(time.Second))
	return p
}

func toProp(iris []string) vocab.ActivityStreamsToProperty {
	p := streams.NewActivityStreamsToProperty()
	for _, s := range iris {
		p.AppendIRI(iri(s))
	}
	return p
}

func ccProp(iris []string) vocab.ActivityStreamsCcProperty {
	p := streams.NewActivityStreamsCcProperty()
	for _, s := range iris {
		p.AppendIRI(iri(s))
	}
	return p
}

func actorProp(s string) vocab.ActivityStreamsActorProperty {
	p := streams.NewActivityStreamsActorProperty()
	p.AppendIRI(iri(s))
	return p
}

// objectProp holds an embedded type or, for a string, an IRI.
func objectProp(obj any) (vocab.ActivityStreamsObjectProperty, error) {
	p := streams.NewActivityStreamsObjectProperty()
	switch o := obj.(type) {
	case string:
		p.AppendIRI(iri(o))
	case vocab.Type:
		if err := p.AppendType(o); err != nil {
			return nil, fmt.Errorf("object of type %s: %w", o.GetTypeName(), err)
		}
	default:
		return nil, fmt.Errorf("object must be an IRI or a vocab.Type, not %T", obj)
	}
	return p, nil
}

// hashtag is a Mastodon Hashtag: a Link typed "Hashtag" (as:Hashtag), which
// go-fed v1.0.0 has no type for.
func hashtag(name, href string) vocab.ActivityStreamsLink {
	l := streams.NewActivityStreamsLink()
	tp := streams.NewJSONLDTypeProperty()
	tp.AppendXMLSchemaString("Hashtag")
	l.SetJSONLDType(tp)
	l.SetActivityStreamsName(nameProp("#" + strings.TrimPrefix(name, "#")))
	h := streams.NewActivityStreamsHrefProperty()
	h.Set(iri(href))
	l.SetActivityStreamsHref(h)
	return l
}

// imageOf is an Image with a file URL, as Mastodon reads icons.
func imageOf(href, mediaType string, w, h int) vocab.ActivityStreamsImage {
	img := streams.NewActivityStreamsImage()
	if mediaType == "" {
		mediaType = guessMediaType(href)
	}
	if mediaType != "" {
		img.SetActivityStreamsMediaType(mediaTypeProp(mediaType))
	}
	u := streams.NewActivityStreamsUrlProperty()
	u.AppendIRI(iri(href))
	img.SetActivityStreamsUrl(u)
	if w > 0 && h > 0 {
		img.SetActivityStreamsWidth(widthProp(w))
		img.SetActivityStreamsHeight(heightProp(h))
	}
	return img
}

// publicKeyProp is the actor's key: {id: ACTOR#main-key, owner, publicKeyPem}.
func publicKeyProp(actorURI, keyID, pemText string) vocab.W3IDSecurityV1PublicKeyProperty {
	k := streams.NewW3IDSecurityV1PublicKey()
	k.SetJSONLDId(idProp(keyID))
	o := streams.NewW3IDSecurityV1OwnerProperty()
	o.SetIRI(iri(actorURI))
	k.SetW3IDSecurityV1Owner(o)
	pp := streams.NewW3IDSecurityV1PublicKeyPemProperty()
	pp.Set(pemText)
	k.SetW3IDSecurityV1PublicKeyPem(pp)
	p := streams.NewW3IDSecurityV1PublicKeyProperty()
	p.AppendW3IDSecurityV1PublicKey(k)
	return p
}

// PersonJSON is a local account as a Person: everything Mastodon needs to
// follow it (preferredUsername, inbox, publicKey with id ACTOR#main-key and
// owner ACTOR) plus profile fields. Summary is the account's plain-text bio.
func PersonJSON(p Paths, a *model.Account) ([]byte, error) {
	person, err := Person(p, a)
	if err != nil {
		return nil, err
	}
	return Serialize(person)
}

// Person is PersonJSON's document before serializing, to embed in an
// Update when the profile changes.
func Person(p Paths, a *model.Account) (vocab.ActivityStreamsPerson, error) {
	if a == nil || a.Username == "" {
		return nil, errors.New("ap: Person needs an account with a username")
	}
	actor := p.ActorURI(a.Username)
	person := streams.NewActivityStreamsPerson()
	person.SetJSONLDId(idProp(actor))
	pu := streams.NewActivityStreamsPreferredUsernameProperty()
	pu.SetXMLSchemaString(a.Username)
	person.SetActivityStreamsPreferredUsername(pu)
	display := a.DisplayName
	if display == "" {
		display = a.Username
	}
	person.SetActivityStreamsName(nameProp(display))
	if s := PlainToHTML(a.Summary); s != "" {
		sp := streams.NewActivityStreamsSummaryProperty()
		sp.AppendXMLSchemaString(s)
		person.SetActivityStreamsSummary(sp)
	}
	u := streams.NewActivityStreamsUrlProperty()
	u.AppendIRI(iri(p.ProfileURL(a.Username)))
	person.SetActivityStreamsUrl(u)
	if a.IconURL != "" {
		ic := streams.NewActivityStreamsIconProperty()
		ic.AppendActivityStreamsImage(imageOf(a.IconURL, "", 0, 0))
		person.SetActivityStreamsIcon(ic)
	}
	in := streams.NewActivityStreamsInboxProperty()
	in.SetIRI(iri(p.Inbox(a.Username)))
	person.SetActivityStreamsInbox(in)
	out := streams.NewActivityStreamsOutboxProperty()
	out.SetIRI(iri(p.Outbox(a.Username)))
	person.SetActivityStreamsOutbox(out)
	fers := streams.NewActivityStreamsFollowersProperty()
	fers.SetIRI(iri(p.Followers(a.Username)))
	person.SetActivityStreamsFollowers(fers)
	fing := streams.NewActivityStreamsFollowingProperty()
	fing.SetIRI(iri(p.Following(a.Username)))
	person.SetActivityStreamsFollowing(fing)
	person.SetW3IDSecurityV1PublicKey(publicKeyProp(actor, KeyID(actor), a.PublicKeyPEM))
	if !a.CreatedAt.IsZero() {
		person.SetActivityStreamsPublished(publishedProp(a.CreatedAt))
	}
	setExt(person, "endpoints", map[string]any{"sharedInbox": p.SharedInbox()})
	setExt(person, "manuallyApprovesFollowers", a.ManuallyApprovesFollowers)
	setExt(person, "discoverable", true)
	return person, nil
}

// InstanceActorJSON is the instance actor: an Application at Base/actor that
// signs our fetches (Mastodon's secure mode and GoToSocial want signed GETs).
// It approves no followers.
func InstanceActorJSON(p Paths, a *model.Account) ([]byte, error) {
	if a == nil || a.Username == "" {
		return nil, errors.New("ap: InstanceActorJSON needs an account with a username")
	}
	actor := p.InstanceActor()
	app := streams.NewActivityStreamsApplication()
	app.SetJSONLDId(idProp(actor))
	pu := streams.NewActivityStreamsPreferredUsernameProperty()
	pu.SetXMLSchemaString(a.Username)
	app.SetActivityStreamsPreferredUsername(pu)
	name := a.DisplayName
	if name == "" {
		name = a.Username
	}
	app.SetActivityStreamsName(nameProp(name))
	u := streams.NewActivityStreamsUrlProperty()
	u.AppendIRI(iri(strings.TrimRight(p.Base.String(), "/") + "/"))
	app.SetActivityStreamsUrl(u)
	in := streams.NewActivityStreamsInboxProperty()
	in.SetIRI(iri(actor + "/inbox"))
	app.SetActivityStreamsInbox(in)
	out := streams.NewActivityStreamsOutboxProperty()
	out.SetIRI(iri(actor + "/outbox"))
	app.SetActivityStreamsOutbox(out)
	app.SetW3IDSecurityV1PublicKey(publicKeyProp(actor, KeyID(actor), a.PublicKeyPEM))
	if !a.CreatedAt.IsZero() {
		app.SetActivityStreamsPublished(publishedProp(a.CreatedAt))
	}
	setExt(app, "endpoints", map[string]any{"sharedInbox": p.SharedInbox()})
	setExt(app, "manuallyApprovesFollowers", true)
	return Serialize(app)
}

// VideoObject is a local video in the shape of DESIGN §5: a PeerTube-like
// Video that Mastodon shows with an inline player (its MP4 attachment) and
// that carries the synthetic-media label on the object and on each MP4
// attachment. generator, when set for a clip this server generated, names
// the model in the summary: "🤖 AI-generated video (made with NAME)".
func VideoObject(p Paths, v *model.Video, author *model.Account, generator string) (vocab.ActivityStreamsVideo, error) {
	if v == nil || author == nil {
		return nil, errors.New("ap: VideoObject needs a video and its author")
	}
	id := cmp.Or(v.URI, p.VideoURI(v.ID))
	watch := cmp.Or(v.URL, p.WatchURL(v.ID))
	actor := cmp.Or(author.URI, p.ActorURI(author.Username))
	followers := cmp.Or(author.FollowersURI, p.Followers(author.Username))

	video := streams.NewActivityStreamsVideo()
	video.SetJSONLDId(idProp(id))
	video.SetActivityStreamsAttributedTo(attributedTo(actor))
	video.SetActivityStreamsName(nameProp(v.Title))
	video.SetActivityStreamsMediaType(mediaTypeProp("text/html"))

	label := ""
	if v.Synthetic {
		label = AILabel
		if g := strings.TrimSpace(generator); g != "" {
			label = fmt.Sprintf("%s (made with %s)", AILabel, g)
		}
		sp := streams.NewActivityStreamsSummaryProperty()
		sp.AppendXMLSchemaString(label)
		video.SetActivityStreamsSummary(sp)
	}
	content := "<p>" + html.EscapeString(v.Title) + "</p>"
	content += PlainToHTML(v.Description)
	if label != "" {
		content += "<p>" + html.EscapeString(label) + "</p>"
	}
	cp := streams.NewActivityStreamsContentProperty()
	cp.AppendXMLSchemaString(content)
	video.SetActivityStreamsContent(cp)

	// url: the watch page first (Mastodon takes the first text/html Link,
	// and a Link without mediaType counts as text/html), then the files.
	files := wireMedia(v)
	urls := streams.NewActivityStreamsUrlProperty()
	page := streams.NewActivityStreamsLink()
	page.SetActivityStreamsMediaType(mediaTypeProp("text/html"))
	ph := streams.NewActivityStreamsHrefProperty()
	ph.Set(iri(watch))
	page.SetActivityStreamsHref(ph)
	urls.AppendActivityStreamsLink(page)
	for _, f := range files {
		l := streams.NewActivityStreamsLink()
		l.SetActivityStreamsMediaType(mediaTypeProp(f.MimeType))
		h := streams.NewActivityStreamsHrefProperty()
		h.Set(iri(f.URL))
		l.SetActivityStreamsHref(h)
		if f.Width > 0 && f.Height > 0 {
			l.SetActivityStreamsWidth(widthProp(f.Width))
			l.SetActivityStreamsHeight(heightProp(f.Height))
		}
		if f.Size > 0 {
			setExt(l, "size", f.Size)
		}
		urls.AppendActivityStreamsLink(l)
	}
	video.SetActivityStreamsUrl(urls)

	// attachment: one Document per MP4, which Mastodon plays inline and whose
	// name becomes the alt text.
	if len(files) > 0 {
		att := streams.NewActivityStreamsAttachmentProperty()
		alt := v.Title
		if v.Synthetic {
			alt = "AI-generated video: " + v.Title
		}
		for _, f := range files {
			doc := streams.NewActivityStreamsDocument()
			doc.SetActivityStreamsMediaType(mediaTypeProp(f.MimeType))
			du := streams.NewActivityStreamsUrlProperty()
			du.AppendIRI(iri(f.URL))
			doc.SetActivityStreamsUrl(du)
			doc.SetActivityStreamsName(nameProp(alt))
			if f.Width > 0 && f.Height > 0 {
				// go-fed gives width/height to Link and Image only.
				setExt(doc, "width", f.Width)
				setExt(doc, "height", f.Height)
			}
			if v.DigitalSourceType != "" {
				setExt(doc, "digitalSourceType", v.DigitalSourceType)
			}
			att.AppendActivityStreamsDocument(doc)
		}
		video.SetActivityStreamsAttachment(att)
	}

	if thumb := wireThumbnail(v); thumb != nil {
		ic := streams.NewActivityStreamsIconProperty()
		ic.AppendActivityStreamsImage(imageOf(thumb.URL, thumb.MimeType, thumb.Width, thumb.Height))
		video.SetActivityStreamsIcon(ic)
	}

	tags := streams.NewActivityStreamsTagProperty()
	seen := map[string]bool{}
	for _, t := range v.Tags {
		if t == nil || t.Name == "" || seen[strings.ToLower(t.Name)] {
			continue
		}
		seen[strings.ToLower(t.Name)] = true
		tags.AppendActivityStreamsLink(hashtag(t.Name, p.TagURL(t.Name)))
	}
	if v.Synthetic && !seen[strings.ToLower(AIHashtag)] {
		tags.AppendActivityStreamsLink(hashtag(AIHashtag, p.TagURL(AIHashtag)))
	}
	if tags.Len() > 0 {
		video.SetActivityStreamsTag(tags)
	}

	if v.DurationSeconds > 0 {
		// PeerTube reads a duration as the digits after "PT"
		// (getDurationFromActivityStream), so always whole seconds:
		// PT75S, never PT1M15S.
		setExt(video, "duration", fmt.Sprintf("PT%dS", int64(math.Round(v.DurationSeconds))))
	}
	if v.DigitalSourceType != "" {
		setExt(video, "digitalSourceType", v.DigitalSourceType)
	}
	setExt(video, "sensitive", v.Sensitive)

	published := v.PublishedAt
	if published.IsZero() {
		published = v.CreatedAt
	}
	if !published.IsZero() {
		video.SetActivityStreamsPublished(publishedProp(published))
		if v.UpdatedAt.After(published.Add(time.Second)) {
			up := streams.NewActivityStreamsUpdatedProperty()
			up.Set(v.UpdatedAt.UTC().Truncate(time.Second))
			video.SetActivityStreamsUpdated(up)
		}
	}
	if v.Public {
		video.SetActivityStreamsTo(toProp([]string{Public}))
		video.SetActivityStreamsCc(ccProp([]string{followers}))
	} else {
		video.SetActivityStreamsTo(toProp([]string{followers}))
	}
	return video, nil
}

// wireMedia are the files we advertise: MP4 originals and renditions,
// largest first.
func wireMedia(v *model.Video) []*model.MediaFile {
	var out []*model.MediaFile
	for _, m := range v.Media {
		if m == nil || m.URL == "" || m.MimeType != "video/mp4" {
			continue
		}
		if m.Role != model.MediaOriginal && m.Role != model.MediaRendition {
			continue
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ai, aj := out[i].Width*out[i].Height, out[j].Width*out[j].Height
		if ai != aj {
			return ai > aj
		}
		return out[i].Size > out[j].Size
	})
	return out
}

// wireThumbnail is the thumbnail media file, or one made of ThumbnailURL.
func wireThumbnail(v *model.Video) *model.MediaFile {
	for _, m := range v.Media {
		if m != nil && m.Role == model.MediaThumbnail && m.URL != "" {
			return m
		}
	}
	if v.ThumbnailURL != "" {
		return &model.MediaFile{URL: v.ThumbnailURL, MimeType: guessMediaType(v.ThumbnailURL)}
	}
	return nil
}

// CommentObject is a local comment as a Note replying to inReplyTo.
// Content is already sanitized HTML (PlainToHTML of what the user typed).
func CommentObject(p Paths, c *model.Comment, author *model.Account, inReplyTo string, to, cc []string) (vocab.ActivityStreamsNote, error) {
	if c == nil || author == nil {
		return nil, errors.New("ap: CommentObject needs a comment and its author")
	}
	id := cmp.Or(c.URI, p.CommentURI(c.ID))
	actor := cmp.Or(author.URI, p.ActorURI(author.Username))
	note := streams.NewActivityStreamsNote()
	note.SetJSONLDId(idProp(id))
	note.SetActivityStreamsAttributedTo(attributedTo(actor))
	cp := streams.NewActivityStreamsContentProperty()
	cp.AppendXMLSchemaString(SanitizeHTML(c.Content))
	note.SetActivityStreamsContent(cp)
	if inReplyTo == "" {
		inReplyTo = c.InReplyTo
	}
	if inReplyTo != "" {
		r := streams.NewActivityStreamsInReplyToProperty()
		r.AppendIRI(iri(inReplyTo))
		note.SetActivityStreamsInReplyTo(r)
	}
	page := c.URL
	if page == "" {
		page = id
	}
	u := streams.NewActivityStreamsUrlProperty()
	u.AppendIRI(iri(page))
	note.SetActivityStreamsUrl(u)
	if !c.CreatedAt.IsZero() {
		note.SetActivityStreamsPublished(publishedProp(c.CreatedAt))
		if c.UpdatedAt.After(c.CreatedAt.Add(time.Second)) {
			up := streams.NewActivityStreamsUpdatedProperty()
			up.Set(c.UpdatedAt.UTC().Truncate(time.Second))
			note.SetActivityStreamsUpdated(up)
		}
	}
	note.SetActivityStreamsTo(toProp(to))
	note.SetActivityStreamsCc(ccProp(cc))
	setExt(note, "sensitive", false)
	return note, nil
}

// Activities. Ids are given by the caller (Paths.ActivityURI of the outbox
// row); an embedded object is passed as a vocab.Type.

// Create wraps a new object.
func Create(id, actor string, obj vocab.Type, to, cc []string) vocab.ActivityStreamsCreate {
	a := streams.NewActivityStreamsCreate()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	if op, err := objectProp(obj); err == nil {
		a.SetActivityStreamsObject(op)
	}
	setAudience(a, to, cc)
	return a
}

// Update wraps an edited object (or actor).
func Update(id, actor string, obj vocab.Type, to, cc []string) vocab.ActivityStreamsUpdate {
	a := streams.NewActivityStreamsUpdate()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	if op, err := objectProp(obj); err == nil {
		a.SetActivityStreamsObject(op)
	}
	setAudience(a, to, cc)
	return a
}

// Delete removes an object; its object is a Tombstone {id, type}.
func Delete(id, actor, objectIRI string, to, cc []string) vocab.ActivityStreamsDelete {
	a := streams.NewActivityStreamsDelete()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	ts := streams.NewActivityStreamsTombstone()
	ts.SetJSONLDId(idProp(objectIRI))
	op := streams.NewActivityStreamsObjectProperty()
	op.AppendActivityStreamsTombstone(ts)
	a.SetActivityStreamsObject(op)
	setAudience(a, to, cc)
	return a
}

// Follow asks to follow an actor.
func Follow(id, actor, object string) vocab.ActivityStreamsFollow {
	a := streams.NewActivityStreamsFollow()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	op, _ := objectProp(object)
	a.SetActivityStreamsObject(op)
	return a
}

// Accept accepts a Follow; inner is the Follow (a vocab.Type, embedded as
// Mastodon expects) or its IRI.
func Accept(id, actor string, inner any) vocab.ActivityStreamsAccept {
	a := streams.NewActivityStreamsAccept()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	if op, err := objectProp(inner); err == nil {
		a.SetActivityStreamsObject(op)
	}
	addressTo(a, inner)
	return a
}

// Reject refuses a Follow (or removes a follower); inner as for Accept.
func Reject(id, actor string, inner any) vocab.ActivityStreamsReject {
	a := streams.NewActivityStreamsReject()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	if op, err := objectProp(inner); err == nil {
		a.SetActivityStreamsObject(op)
	}
	addressTo(a, inner)
	return a
}

// Undo takes back a Follow, Like or Announce, embedded.
func Undo(id, actor string, inner vocab.Type) vocab.ActivityStreamsUndo {
	a := streams.NewActivityStreamsUndo()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	if op, err := objectProp(inner); err == nil {
		a.SetActivityStreamsObject(op)
	}
	return a
}

// Like favourites an object.
func Like(id, actor, object string) vocab.ActivityStreamsLike {
	a := streams.NewActivityStreamsLike()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	op, _ := objectProp(object)
	a.SetActivityStreamsObject(op)
	return a
}

// Announce boosts an object.
func Announce(id, actor, object string, to, cc []string, published time.Time) vocab.ActivityStreamsAnnounce {
	a := streams.NewActivityStreamsAnnounce()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	op, _ := objectProp(object)
	a.SetActivityStreamsObject(op)
	setAudience(a, to, cc)
	if !published.IsZero() {
		a.SetActivityStreamsPublished(publishedProp(published))
	}
	return a
}

type audienced interface {
	SetActivityStreamsTo(vocab.ActivityStreamsToProperty)
	SetActivityStreamsCc(vocab.ActivityStreamsCcProperty)
}

func setAudience(a audienced, to, cc []string) {
	if len(to) > 0 {
		a.SetActivityStreamsTo(toProp(to))
	}
	if len(cc) > 0 {
		a.SetActivityStreamsCc(ccProp(cc))
	}
}

// addressTo addresses an Accept or Reject to the actor of the activity it
// answers, as Mastodon does.
func addressTo(a audienced, inner any) {
	t, ok := inner.(vocab.Type)
	if !ok {
		return
	}
	if actor := firstID(actorNodes(t)); actor != "" {
		a.SetActivityStreamsTo(toProp([]string{actor}))
	}
}

// OrderedCollection is a collection's first page pointer and size.
func OrderedCollection(id string, total int, first string) vocab.ActivityStreamsOrderedCollection {
	c := streams.NewActivityStreamsOrderedCollection()
	c.SetJSONLDId(idProp(id))
	ti := streams.NewActivityStreamsTotalItemsProperty()
	ti.Set(total)
	c.SetActivityStreamsTotalItems(ti)
	if first != "" {
		f := streams.NewActivityStreamsFirstProperty()
		f.SetIRI(iri(first))
		c.SetActivityStreamsFirst(f)
	}
	return c
}

// OrderedCollectionPage is one page; items are IRIs (string) or vocab.Types.
func OrderedCollectionPage(id, partOf, next, prev string, items []any) vocab.ActivityStreamsOrderedCollectionPage {
	c := streams.NewActivityStreamsOrderedCollectionPage()
	c.SetJSONLDId(idProp(id))
	po := streams.NewActivityStreamsPartOfProperty()
	po.SetIRI(iri(partOf))
	c.SetActivityStreamsPartOf(po)
	if next != "" {
		n := streams.NewActivityStreamsNextProperty()
		n.SetIRI(iri(next))
		c.SetActivityStreamsNext(n)
	}
	if prev != "" {
		pv := streams.NewActivityStreamsPrevProperty()
		pv.SetIRI(iri(prev))
		c.SetActivityStreamsPrev(pv)
	}
	oi := streams.NewActivityStreamsOrderedItemsProperty()
	for _, it := range items {
		switch x := it.(type) {
		case string:
			oi.AppendIRI(iri(x))
		case vocab.Type:
			_ = oi.AppendType(x)
		}
	}
	c.SetActivityStreamsOrderedItems(oi)
	return c
}

func attributedTo(actor string) vocab.ActivityStreamsAttributedToProperty {
	at := streams.NewActivityStreamsAttributedToProperty()
	at.AppendIRI(iri(actor))
	return at
}
