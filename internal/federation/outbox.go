package federation

import (
	"context"
	"time"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// deliveryPayload is a deliver job's payload; its Ref is the outbox activity.
type deliveryPayload struct {
	Inbox string `json:"inbox"`
}

// outgoing is one activity to publish.
type outgoing struct {
	id        string // outbox row id; the activity URI is paths.ActivityURI(id) unless uri is set
	uri       string
	actor     *model.Account
	kind      string
	objectURI string
	public    bool
	synthetic bool // carries synthetic media: skipped for AI-free servers at delivery
	activity  vocab.Type
	inboxes   []string
}

// publish stores an activity and queues one delivery per distinct inbox,
// through tx: call it inside the transaction that makes the change, so the
// change and its deliveries are committed together or not at all.
func (f *Service) publish(ctx context.Context, tx *store.Store, o outgoing) error {
	body, err := ap.Serialize(o.activity)
	if err != nil {
		return err
	}
	row := &model.OutboxActivity{
		ID: o.id, AccountID: o.actor.ID, URI: o.uri, Type: o.kind, ObjectURI: o.objectURI,
		Public: o.public, Synthetic: o.synthetic, Body: string(body), CreatedAt: time.Now().UTC(),
	}
	if err := tx.InsertOutboxActivity(ctx, row); err != nil {
		return err
	}
	seen := map[string]bool{}
	var deliveries []jobs.Spec
	for _, inbox := range o.inboxes {
		if inbox == "" || seen[inbox] || f.isLocal(inbox) {
			continue
		}
		seen[inbox] = true
		if blocked, err := f.blockFor(ctx, inbox); err != nil {
			return err
		} else if blocked != nil && blocked.Severity == model.BlockSuspend {
			continue
		}
		deliveries = append(deliveries, jobs.Spec{Kind: KindDeliver, Ref: row.ID, Payload: deliveryPayload{Inbox: inbox}})
	}
	_, err = f.jobs.EnqueueMany(ctx, tx, deliveries)
	return err
}

// newActivity returns a fresh outbox id and the activity URI built from it.
func (f *Service) newActivity() (id, uri string) {
	id = model.NewID()
	return id, f.paths.ActivityURI(id)
}

// inboxOf is where to deliver to one account: its shared inbox if it has one.
func inboxOf(a *model.Account) string {
	if a.SharedInboxURI != "" {
		return a.SharedInboxURI
	}
	return a.InboxURI
}

// audience returns the follower inboxes of actor plus extra accounts' inboxes.
func (f *Service) audience(ctx context.Context, tx *store.Store, actor *model.Account, extra ...*model.Account) ([]string, error) {
	inboxes, err := tx.FollowerInboxes(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range extra {
		if a != nil && !a.IsLocal() {
			inboxes = append(inboxes, inboxOf(a))
		}
	}
	return inboxes, nil
}
