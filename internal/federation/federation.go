// Package federation speaks ActivityPub with other servers: it accepts
// signed activities at the inboxes (verify → parse → policy → store →
// enqueue), processes them in `inbox` jobs, publishes our activities as
// durable `deliver` jobs, answers WebFinger and NodeInfo, and dereferences
// remote actors and objects through the one guarded client. It knows nothing
// of HTTP handlers; internal/apub serves it.
package federation

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"github.com/assay-social/assay/internal/ratelimit"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/netguard"
	"github.com/assay-social/assay/internal/signing"
	"github.com/assay-social/assay/internal/store"
)

// Job kinds this package runs.
const (
	KindDeliver = "deliver"
	KindInbox   = "inbox"
)

// InstanceActorName is the username of the instance actor (reserved for users).
const InstanceActorName = "actor"

// Options configure the service.
type Options struct {
	PublicURL    *url.URL
	AllowPrivate bool // ASSAY_ALLOW_PRIVATE_NETWORKS: also try plain http for WebFinger and NodeInfo
	Software     string
	Version      string
	Logger       *slog.Logger
	Metrics      prometheus.Registerer
	// Lookups bounds the lookups each person makes other servers answer
	// (AskedBy); nil leaves them unbounded.
	Lookups *ratelimit.Budget
}

// Service is the federation domain.
type Service struct {
	store  *store.Store
	jobs   *jobs.Queue
	client *netguard.Client
	paths  ap.Paths
	opts   Options
	log    *slog.Logger

	actorOnce sync.Once
	actor     *model.Account
	actorKey  crypto.PrivateKey
	actorErr  error

	keys        *keyCache
	inbox       *inboxWriter
	sending     sendingCache
	signingKeys *signingKeys

	received      *prometheus.CounterVec
	refused       *prometheus.CounterVec
	skippedAIFree prometheus.Counter
}

// New makes the service and registers its job kinds on q.
func New(st *store.Store, q *jobs.Queue, client *netguard.Client, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	f := &Service{
		store: st, jobs: q, client: client, paths: ap.Paths{Base: opts.PublicURL}, opts: opts,
		log:  opts.Logger.With("component", "federation"),
		keys: newKeyCache(4096), signingKeys: newSigningKeys(1024),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assay_federation_received_total", Help: "Activities accepted at the inboxes, by type.",
		}, []string{"type"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assay_federation_refused_total", Help: "Inbox requests refused, by reason.",
		}, []string{"reason"}),
	}
	f.inbox = &inboxWriter{f: f}
	f.skippedAIFree = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "assay_federation_ai_free_skipped_total", Help: "Deliveries of synthetic media not sent because the receiving server is AI-free.",
	})
	if opts.Metrics != nil {
		opts.Metrics.MustRegister(f.received, f.refused, f.skippedAIFree)
	}
	q.Register(jobs.Kind{
		Name: KindDeliver, Queue: jobs.QueueDeliver, MaxAttempts: deliveryAttempts,
		Backoff: q.DefaultBackoff(), Timeout: time.Minute,
		Handle: f.deliver,
	})
	q.Register(jobs.Kind{Name: KindInbox, Queue: jobs.QueueInbox, MaxAttempts: 8, Timeout: 2 * time.Minute, Handle: f.process})
	return f
}

// Paths builds our URLs.
func (f *Service) Paths() ap.Paths { return f.paths }

// Domain is our host.
func (f *Service) Domain() string { return f.opts.PublicURL.Host }

// InstanceActor returns the account that signs fetches, creating it once.
func (f *Service) InstanceActor(ctx context.Context) (*model.Account, crypto.PrivateKey, error) {
	f.actorOnce.Do(func() {
		f.actor, f.actorKey, f.actorErr = f.ensureInstanceActor(ctx)
	})
	return f.actor, f.actorKey, f.actorErr
}

func (f *Service) ensureInstanceActor(ctx context.Context) (*model.Account, crypto.PrivateKey, error) {
	acct, err := f.store.AccountByName(ctx, InstanceActorName, "")
	if errors.Is(err, store.ErrNotFound) {
		privPEM, pubPEM, kerr := accounts.NewKeyPair()
		if kerr != nil {
			return nil, nil, kerr
		}
		now := time.Now().UTC()
		uri := f.paths.InstanceActor()
		acct = &model.Account{
			ID: model.NewID(), Username: InstanceActorName, DisplayName: f.Domain(), URI: uri, URL: f.opts.PublicURL.String(),
			InboxURI: uri + "/inbox", SharedInboxURI: f.paths.SharedInbox(), OutboxURI: uri + "/outbox",
			PublicKeyURI: uri + "#main-key", PublicKeyPEM: pubPEM, PrivateKeyPEM: privPEM,
			ManuallyApprovesFollowers: true, ActorType: "Application", CreatedAt: now, UpdatedAt: now,
		}
		if _, err := f.store.DB().NewInsert().Model(acct).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return nil, nil, err
		}
		acct, err = f.store.AccountByName(ctx, InstanceActorName, "")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("instance actor: %w", err)
	}
	key, err := signing.ParsePrivateKeyPEM(acct.PrivateKeyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("instance actor key: %w", err)
	}
	return acct, key, nil
}

// hostOf returns the lowercase host[:port] of a URL, or "".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// isLocal reports whether a URL is ours.
func (f *Service) isLocal(raw string) bool { return hostOf(raw) == f.Domain() }
