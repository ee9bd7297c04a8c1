package ap

import (
	"net/url"
	"time"

	"github.com/go-fed/activity/streams/vocab"
)

// Accessors for the properties Assay reads, on any vocab.Type: a type that
// lacks the property yields the zero value. Each asserts the one getter it
// needs, so one function serves Note, Video, Document, Person, Link, …

func actorNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsActor() vocab.ActivityStreamsActorProperty
	}); ok {
		return nodes[vocab.ActivityStreamsActorPropertyIterator](x.GetActivityStreamsActor())
	}
	return nil
}

func objectNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsObject() vocab.ActivityStreamsObjectProperty
	}); ok {
		return nodes[vocab.ActivityStreamsObjectPropertyIterator](x.GetActivityStreamsObject())
	}
	return nil
}

func targetNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsTarget() vocab.ActivityStreamsTargetProperty
	}); ok {
		return nodes[vocab.ActivityStreamsTargetPropertyIterator](x.GetActivityStreamsTarget())
	}
	return nil
}

func toNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsTo() vocab.ActivityStreamsToProperty
	}); ok {
		return nodes[vocab.ActivityStreamsToPropertyIterator](x.GetActivityStreamsTo())
	}
	return nil
}

func ccNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsCc() vocab.ActivityStreamsCcProperty
	}); ok {
		return nodes[vocab.ActivityStreamsCcPropertyIterator](x.GetActivityStreamsCc())
	}
	return nil
}

func attributedToNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsAttributedTo() vocab.ActivityStreamsAttributedToProperty
	}); ok {
		return nodes[vocab.ActivityStreamsAttributedToPropertyIterator](x.GetActivityStreamsAttributedTo())
	}
	return nil
}

func inReplyToNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsInReplyTo() vocab.ActivityStreamsInReplyToProperty
	}); ok {
		return nodes[vocab.ActivityStreamsInReplyToPropertyIterator](x.GetActivityStreamsInReplyTo())
	}
	return nil
}

func urlNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsUrl() vocab.ActivityStreamsUrlProperty
	}); ok {
		return nodes[vocab.ActivityStreamsUrlPropertyIterator](x.GetActivityStreamsUrl())
	}
	return nil
}

func iconNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsIcon() vocab.ActivityStreamsIconProperty
	}); ok {
		return nodes[vocab.ActivityStreamsIconPropertyIterator](x.GetActivityStreamsIcon())
	}
	return nil
}

func imageNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsImage() vocab.ActivityStreamsImageProperty
	}); ok {
		return nodes[vocab.ActivityStreamsImagePropertyIterator](x.GetActivityStreamsImage())
	}
	return nil
}

func previewNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsPreview() vocab.ActivityStreamsPreviewProperty
	}); ok {
		return nodes[vocab.ActivityStreamsPreviewPropertyIterator](x.GetActivityStreamsPreview())
	}
	return nil
}

func attachmentNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsAttachment() vocab.ActivityStreamsAttachmentProperty
	}); ok {
		return nodes[vocab.ActivityStreamsAttachmentPropertyIterator](x.GetActivityStreamsAttachment())
	}
	return nil
}

func tagNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetActivityStreamsTag() vocab.ActivityStreamsTagProperty
	}); ok {
		return nodes[vocab.ActivityStreamsTagPropertyIterator](x.GetActivityStreamsTag())
	}
	return nil
}

func publicKeyNodes(t vocab.Type) []node {
	if x, ok := t.(interface {
		GetW3IDSecurityV1PublicKey() vocab.W3IDSecurityV1PublicKeyProperty
	}); ok {
		return nodes[vocab.W3IDSecurityV1PublicKeyPropertyIterator](x.GetW3IDSecurityV1PublicKey())
	}
	return nil
}

func nameOf(t vocab.Type) string {
	if x, ok := t.(interface {
		GetActivityStreamsName() vocab.ActivityStreamsNameProperty
	}); ok {
		return firstText[vocab.ActivityStreamsNamePropertyIterator](x.GetActivityStreamsName())
	}
	return ""
}

func summaryOf(t vocab.Type) string {
	if x, ok := t.(interface {
		GetActivityStreamsSummary() vocab.ActivityStreamsSummaryProperty
	}); ok {
		return firstText[vocab.ActivityStreamsSummaryPropertyIterator](x.GetActivityStreamsSummary())
	}
	return ""
}

func contentOf(t vocab.Type) string {
	if x, ok := t.(interface {
		GetActivityStreamsContent() vocab.ActivityStreamsContentProperty
	}); ok {
		return firstText[vocab.ActivityStreamsContentPropertyIterator](x.GetActivityStreamsContent())
	}
	return ""
}

func preferredUsernameOf(t vocab.Type) string {
	x, ok := t.(interface {
		GetActivityStreamsPreferredUsername() vocab.ActivityStreamsPreferredUsernameProperty
	})
	if !ok || x.GetActivityStreamsPreferredUsername() == nil {
		return ""
	}
	return textOf(x.GetActivityStreamsPreferredUsername())
}

func mediaTypeOf(t vocab.Type) string {
	x, ok := t.(interface {
		GetActivityStreamsMediaType() vocab.ActivityStreamsMediaTypeProperty
	})
	if !ok || x.GetActivityStreamsMediaType() == nil || x.GetActivityStreamsMediaType().IsIRI() {
		return ""
	}
	return x.GetActivityStreamsMediaType().Get()
}

func hrefOf(t vocab.Type) string {
	x, ok := t.(interface {
		GetActivityStreamsHref() vocab.ActivityStreamsHrefProperty
	})
	if !ok || x.GetActivityStreamsHref() == nil {
		return ""
	}
	p := x.GetActivityStreamsHref()
	if u := p.GetIRI(); u != nil {
		return u.String()
	}
	if p.IsXMLSchemaAnyURI() && p.Get() != nil {
		return p.Get().String()
	}
	return ""
}

func widthOf(t vocab.Type) int {
	x, ok := t.(interface {
		GetActivityStreamsWidth() vocab.ActivityStreamsWidthProperty
	})
	if !ok || x.GetActivityStreamsWidth() == nil || !x.GetActivityStreamsWidth().IsXMLSchemaNonNegativeInteger() {
		return 0
	}
	return x.GetActivityStreamsWidth().Get()
}

func heightOf(t vocab.Type) int {
	x, ok := t.(interface {
		GetActivityStreamsHeight() vocab.ActivityStreamsHeightProperty
	})
	if !ok || x.GetActivityStreamsHeight() == nil || !x.GetActivityStreamsHeight().IsXMLSchemaNonNegativeInteger() {
		return 0
	}
	return x.GetActivityStreamsHeight().Get()
}

func publishedOf(t vocab.Type) time.Time {
	x, ok := t.(interface {
		GetActivityStreamsPublished() vocab.ActivityStreamsPublishedProperty
	})
	if !ok || x.GetActivityStreamsPublished() == nil || !x.GetActivityStreamsPublished().IsXMLSchemaDateTime() {
		return time.Time{}
	}
	return x.GetActivityStreamsPublished().Get().UTC()
}

func updatedOf(t vocab.Type) time.Time {
	x, ok := t.(interface {
		GetActivityStreamsUpdated() vocab.ActivityStreamsUpdatedProperty
	})
	if !ok || x.GetActivityStreamsUpdated() == nil || !x.GetActivityStreamsUpdated().IsXMLSchemaDateTime() {
		return time.Time{}
	}
	return x.GetActivityStreamsUpdated().Get().UTC()
}

func durationOf(t vocab.Type) time.Duration {
	x, ok := t.(interface {
		GetActivityStreamsDuration() vocab.ActivityStreamsDurationProperty
	})
	if !ok || x.GetActivityStreamsDuration() == nil || !x.GetActivityStreamsDuration().IsXMLSchemaDuration() {
		return 0
	}
	if d := x.GetActivityStreamsDuration().Get(); d > 0 {
		return d
	}
	return 0
}

// iriProp is what functional IRI-valued properties (inbox, outbox,
// followers, following) offer.
type iriProp interface {
	GetIRI() *url.URL
}

func iriOf(p iriProp) string {
	if p == nil {
		return ""
	}
	if u := p.GetIRI(); u != nil {
		return u.String()
	}
	return ""
}

func inboxOf(t vocab.Type) string {
	if x, ok := t.(interface {
		GetActivityStreamsInbox() vocab.ActivityStreamsInboxProperty
	}); ok && x.GetActivityStreamsInbox() != nil {
		return iriOf(x.GetActivityStreamsInbox())
	}
	return ""
}

func outboxOf(t vocab.Type) string {
	if x, ok := t.(interface {
		GetActivityStreamsOutbox() vocab.ActivityStreamsOutboxProperty
	}); ok && x.GetActivityStreamsOutbox() != nil {
		return iriOf(x.GetActivityStreamsOutbox())
	}
	return ""
}

func followersOf(t vocab.Type) string {
	if x, ok := t.(interface {
		GetActivityStreamsFollowers() vocab.ActivityStreamsFollowersProperty
	}); ok && x.GetActivityStreamsFollowers() != nil {
		return iriOf(x.GetActivityStreamsFollowers())
	}
	return ""
}

func followingOf(t vocab.Type) string {
	if x, ok := t.(interface {
		GetActivityStreamsFollowing() vocab.ActivityStreamsFollowingProperty
	}); ok && x.GetActivityStreamsFollowing() != nil {
		return iriOf(x.GetActivityStreamsFollowing())
	}
	return ""
}

// publicKeyOf reads the first publicKey: id, owner and PEM.
func publicKeyOf(t vocab.Type) (id, owner, pemText string) {
	for _, n := range publicKeyNodes(t) {
		k, ok := n.t.(vocab.W3IDSecurityV1PublicKey)
		if !ok {
			continue
		}
		id = idOf(k)
		if o := k.GetW3IDSecurityV1Owner(); o != nil {
			if u := o.GetIRI(); u != nil {
				owner = u.String()
			} else if o.Get() != nil {
				owner = o.Get().String()
			}
		}
		if p := k.GetW3IDSecurityV1PublicKeyPem(); p != nil && !p.IsIRI() {
			pemText = p.Get()
		}
		return id, owner, pemText
	}
	return "", "", ""
}
