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
	"time"

	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/netguard"
	"github.com/assay-social/assay/internal/signing"
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
	act, err := f.store.OutboxActivityByID(ctx, job.Ref)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("activity %s: %w", job.Ref, err))
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
	sender, err := f.store.AccountByID(ctx, act.AccountID)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("sender of %s: %w", act.URI, err))
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
