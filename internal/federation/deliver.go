package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/netguard"
	"github.com/assay-social/assay/internal/signing"
	"github.com/assay-social/assay/internal/store"
)

// deliveryAttempts with a backoff doubling from 30 s to a 6 h ceiling spreads
// retries over about two days (30 s … 4 h, then 6 h steps: ≈ 49 h in all).
const deliveryAttempts = 17

// deliver POSTs one activity to one inbox, signed now (a retry carries a
// fresh Date and signature). 2xx is done; network errors, 5xx, 408 and 429
// retry (honouring Retry-After); 410 marks the inbox's actors gone and
// stops; any other 4xx stops at once.
func (f *Service) deliver(ctx context.Context, job *model.Job) error {
	var p deliveryPayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil || p.Inbox == "" {
		return jobs.Permanent(fmt.Errorf("bad delivery payload %q", job.Payload))
	}
	act, sender, err := f.sending.get(ctx, f.store, job.Ref)
	if err != nil {
		return jobs.Permanent(err)
	}
	if err := f.checkNotSuspended(ctx, p.Inbox); err != nil {
		return jobs.Permanent(err)
	}
	if act.Synthetic {
		if aiFree, err := f.PeerAIFree(ctx, p.Inbox); err != nil {
			return err
		} else if aiFree {
			f.log.Info("not sending synthetic media to an AI-free server", "inbox", p.Inbox, "activity", act.URI)
			f.skippedAIFree.Inc()
			return nil
		}
	}
	key, err := f.signingKeys.parse(sender.PrivateKeyPEM)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("key of %s: %w", sender.URI, err))
	}
	body := []byte(act.Body)
	signed := netguard.WithSigner(ctx, func(r *http.Request) error {
		return signing.SignPOST(r, body, sender.PublicKeyURI, key)
	})
	req, err := http.NewRequestWithContext(signed, http.MethodPost, p.Inbox, bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(err)
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Header.Set("Content-Type", `application/activity+json`)
	resp, err := f.client.Do(req)
	if err != nil {
		if errors.Is(err, netguard.ErrForbiddenAddress) {
			return jobs.Permanent(err)
		}
		return err // network trouble: retry
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // drain for connection reuse
	resp.Body.Close()

	status := resp.StatusCode
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusGone:
		if err := f.markInboxGone(ctx, p.Inbox); err != nil {
			f.log.Warn("could not mark actor gone", "inbox", p.Inbox, "err", err)
		}
		return jobs.Permanent(fmt.Errorf("%s answered 410 Gone", p.Inbox))
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		err := fmt.Errorf("%s answered %d", p.Inbox, status)
		if after := retryAfter(resp.Header.Get("Retry-After"), time.Now()); after > 0 {
			return &jobs.RetryAfter{After: after, Err: err}
		}
		return err
	default:
		return jobs.Permanent(fmt.Errorf("%s refused the activity with %d", p.Inbox, status))
	}
}

// markInboxGone marks the remote actors whose personal inbox answered 410.
func (f *Service) markInboxGone(ctx context.Context, inbox string) error {
	var uris []string
	if err := f.store.DB().NewSelect().Model((*model.Account)(nil)).Column("uri").
		Where("inbox_uri = ? AND domain <> ''", inbox).Scan(ctx, &uris); err != nil {
		return err
	}
	for _, u := range uris {
		if err := f.store.MarkAccountGone(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), capped at a day.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d < 0 {
		return 0
	}
	return min(d, 24*time.Hour)
}

// sendingCache keeps the activity a fan-out is delivering, and its sender,
// for the deliveries that follow: a post to a thousand inboxes reads them
// once, not a thousand times. Outbox rows never change; the sender's key may
// rotate, so entries live only a few seconds.
type sendingCache struct {
	mu      sync.Mutex
	entries map[string]sending
}

type sending struct {
	act     *model.OutboxActivity
	sender  *model.Account
	expires time.Time
}

const (
	sendingTTL     = 5 * time.Second
	sendingMaxSize = 256
)

func (c *sendingCache) get(ctx context.Context, st *store.Store, activityID string) (*model.OutboxActivity, *model.Account, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[activityID]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.act, e.sender, nil
	}
	act, err := st.OutboxActivityByID(ctx, activityID)
	if err != nil {
		return nil, nil, fmt.Errorf("activity %s: %w", activityID, err)
	}
	sender, err := st.AccountByID(ctx, act.AccountID)
	if err != nil {
		return nil, nil, fmt.Errorf("sender of %s: %w", act.URI, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= sendingMaxSize {
		c.entries = map[string]sending{} // small and short-lived: start afresh rather than track age
	}
	c.entries[activityID] = sending{act: act, sender: sender, expires: now.Add(sendingTTL)}
	return act, sender, nil
}
