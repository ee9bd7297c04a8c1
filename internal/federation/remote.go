package federation

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/provenance"
	"github.com/assay-social/assay/internal/store"
)

// dropSynthetic reports whether a remote video must not be stored because
// it is labelled synthetic and this instance is AI-free.
func (f *Service) dropSynthetic(ctx context.Context, v *model.Video) (bool, error) {
	if !v.Synthetic {
		return false, nil
	}
	free, err := f.aiFree(ctx)
	if err != nil || !free {
		return false, err
	}
	f.refused.WithLabelValues("ai-free").Inc()
	f.log.Info("dropped labelled synthetic media on an AI-free instance", "object", v.URI)
	return true, nil
}

// storeRemoteVideo saves a remote video post (or returns the one we have);
// nil, nil when an AI-free instance drops it.
func (f *Service) storeRemoteVideo(ctx context.Context, obj *ap.Object, author *model.Account) (*model.Video, error) {
	if v, err := f.store.VideoByURI(ctx, obj.ID); err == nil {
		return v, nil
	}
	v := f.videoFromObject(obj, author)
	if drop, err := f.dropSynthetic(ctx, v); err != nil || drop {
		return nil, err
	}
	if err := f.store.CreateVideo(ctx, v); err != nil {
		if errors.Is(err, store.ErrConflict) { // stored meanwhile by another job
			return f.store.VideoByURI(ctx, obj.ID)
		}
		return nil, err
	}
	return v, nil // as stored: reading it back would cost three more queries
}

// fetchRemoteVideo dereferences a boosted object and stores it when it is a
// video post; it returns nil, nil when it is something else.
func (f *Service) fetchRemoteVideo(ctx context.Context, uri string) (*model.Video, error) {
	body, err := f.fetchJSON(ctx, uri)
	if err != nil {
		return nil, err
	}
	return f.videoFromDocument(ctx, uri, body)
}

// videoFromDocument stores the video post fetched from uri; nil, nil when
// the document is something else.
func (f *Service) videoFromDocument(ctx context.Context, uri string, body []byte) (*model.Video, error) {
	obj, err := ap.ParseObject(body)
	if err != nil {
		return nil, err
	}
	if obj.ID != uri && hostOf(obj.ID) != hostOf(uri) {
		return nil, errors.New("the object at " + uri + " claims another host's id")
	}
	if !isVideoPost(obj) || hostOf(obj.AttributedTo) != hostOf(obj.ID) {
		return nil, nil
	}
	author, err := f.FetchActor(ctx, obj.AttributedTo, false)
	if err != nil {
		return nil, err
	}
	return f.storeRemoteVideo(ctx, obj, author)
}

// ResolveURL finds what a link of another server shows — a clip, or a
// person — fetching it once when it is not known here: exactly one of the
// results is set. Someone's "interact from your server" link is usually a
// clip, sometimes a profile; a document that is neither is a 404.
func (f *Service) ResolveURL(ctx context.Context, uri string) (*model.Video, *model.Account, error) {
	if v, err := f.store.VideoByURI(ctx, uri); err == nil {
		return v, nil, nil
	}
	known, err := f.store.AccountByURI(ctx, uri)
	if err == nil && (known.IsLocal() || time.Since(known.FetchedAt) < actorRefresh) {
		return nil, known, nil
	}
	if f.isLocal(uri) {
		return nil, nil, apperr.NotFound("no such clip or person here: " + uri)
	}
	body, err := f.fetchJSON(ctx, uri)
	if errors.Is(err, errLookupRefused) && known != nil {
		return nil, known, nil // known here: shown as last fetched
	}
	if err != nil {
		return nil, nil, err
	}
	v, err := f.videoFromDocument(ctx, uri, body)
	if v != nil || (err != nil && !errors.Is(err, ap.ErrUnsupportedType)) {
		return v, nil, err
	}
	actor, err := ap.ParseActor(body)
	if errors.Is(err, ap.ErrUnsupportedType) {
		return nil, nil, apperr.NotFound(uri + " is neither a clip nor a person")
	}
	if err != nil {
		return nil, nil, err
	}
	a, err := f.storeActor(ctx, uri, actor)
	return nil, a, err
}

// videoFromObject maps a parsed remote object onto a video row.
func (f *Service) videoFromObject(obj *ap.Object, author *model.Account) *model.Video {
	now := time.Now().UTC()
	published := obj.Published
	if published.IsZero() {
		published = now
	}
	title := strings.TrimSpace(obj.Name)
	if title == "" {
		title = excerpt(ap.StripTags(obj.Content), 100)
	}
	url := obj.URL
	if url == "" {
		url = obj.ID
	}
	v := &model.Video{
		ID: model.NewID(), AccountID: author.ID, Account: author, Local: false, URI: obj.ID, URL: url,
		ObjectType: obj.Type, Title: title, Description: obj.Content, State: model.VideoReady,
		DurationSeconds: obj.Duration.Seconds(), Sensitive: obj.Sensitive, Public: obj.Public,
		PublishedAt: published.UTC(), CreatedAt: now, UpdatedAt: now,
	}
	for _, m := range obj.Media {
		v.Media = append(v.Media, &model.MediaFile{
			ID: model.NewID(), Role: model.MediaRendition, URL: m.Href, MimeType: m.MediaType,
			Width: m.Width, Height: m.Height, Size: m.Size, CreatedAt: now,
		})
	}
	if len(obj.Thumbnails) > 0 {
		v.ThumbnailURL = obj.Thumbnails[0].Href
	}
	seen := map[string]bool{}
	for _, t := range obj.Tags {
		name := strings.ToLower(strings.TrimPrefix(t.Name, "#"))
		if t.Type == "Hashtag" && name != "" && !seen[name] && len(name) <= 100 {
			seen[name] = true
			v.Tags = append(v.Tags, &model.VideoTag{Name: name})
		}
	}
	v.DigitalSourceType, v.Synthetic = remoteLabel(obj)
	if v.DigitalSourceType != "" || v.Synthetic {
		v.LabelSource = model.LabelRemote
	}
	return v
}

// remoteLabel reads a label from an object, its attachments and its tags
// (an FEP-4c96 Label whose name or href says AI-generated).
func remoteLabel(obj *ap.Object) (iri string, synthetic bool) {
	return labelOf(append([]string{obj.DigitalSourceType}, obj.AttachmentSourceTypes...), obj.Tags)
}

// labelOf decides a label from raw source types and tags: the inbox calls it
// on the envelope, processing on the full object.
func labelOf(sourceTypes []string, tags []ap.Tag) (iri string, synthetic bool) {
	for _, c := range sourceTypes {
		if n, ok := provenance.Normalize(c); ok {
			if provenance.IsSynthetic(n) {
				return n, true
			}
			if iri == "" {
				iri = n
			}
		}
	}
	for _, t := range tags {
		if t.Type != "Label" {
			continue
		}
		if n, ok := provenance.Normalize(t.Href); ok && provenance.IsSynthetic(n) {
			return n, true
		}
		text := strings.ToLower(t.Name + " " + t.Href)
		if strings.Contains(text, "ai-generated") || strings.Contains(text, "ai generated") || strings.Contains(text, "aigenerated") {
			return provenance.TrainedAlgorithmicMedia, true
		}
	}
	return iri, false
}

// storeComment saves a remote reply to one of the videos we have.
func (f *Service) storeComment(ctx context.Context, obj *ap.Object, author *model.Account, v *model.Video) error {
	now := time.Now().UTC()
	published := obj.Published
	if published.IsZero() {
		published = now
	}
	url := obj.URL
	if url == "" {
		url = obj.ID
	}
	_, err := addComment(ctx, f.store, author, v, &model.Comment{
		ID: model.NewID(), VideoID: v.ID, AccountID: author.ID, URI: obj.ID, URL: url,
		InReplyTo: obj.InReplyTo, Content: obj.Content, CreatedAt: published.UTC(), UpdatedAt: now,
	})
	return err
}

// excerpt cuts text to at most n runes at a word boundary.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
