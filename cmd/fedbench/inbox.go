package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/benchkit"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/signing"
)

type inboxOptions struct {
	backend     backend
	concurrency int  // the receiver's worker concurrency, when workers run
	workers     bool // false: ASSAY_ROLE=web
	n           int  // activities timed
	clients     int  // concurrent HTTP clients
	timeout     time.Duration
	drain       bool // with workers: wait until every activity is processed
	cpuprofile  string
	logLevel    string
	rsa         rsaMeasure
}

// signedPost is one pre-built delivery: body and the headers SignPOST set.
type signedPost struct {
	body   []byte
	host   string
	header http.Header
}

func runInbox(ctx context.Context, o inboxOptions, log *slog.Logger) error {
	if o.n < 1 || o.clients < 1 || o.clients > 1024 {
		return errors.New("want -n ≥ 1 and 1 ≤ -c ≤ 1024")
	}
	setupStart := time.Now()

	// The remote sender: one Person with a 2048-bit key, served for the
	// receiver's key fetch.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		return err
	}
	senderBase := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	paths := ap.Paths{Base: senderBase}
	now := time.Now().UTC()
	sender := &model.Account{
		ID: model.NewID(), Username: "sender", Domain: senderBase.Host, DisplayName: "Remote sender",
		URI: paths.ActorURI("sender"), FollowersURI: paths.Followers("sender"),
		PublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		ActorType:    "Person", CreatedAt: now,
	}
	keyID := ap.KeyID(sender.URI)
	actorDoc, err := ap.PersonJSON(paths, sender)
	if err != nil {
		return err
	}
	var actorFetches, otherPosts atomic.Int64
	actorPath := "/users/sender"
	senderSrv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == http.MethodGet && r.URL.Path == actorPath:
				actorFetches.Add(1)
				w.Header().Set("Content-Type", "application/activity+json")
				w.Write(actorDoc) //nolint:errcheck
			case r.Method == http.MethodPost:
				otherPosts.Add(1)                                  // e.g. an Accept; not part of the measurement
				io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20)) //nolint:errcheck
				w.WriteHeader(http.StatusAccepted)
			default:
				http.NotFound(w, r)
			}
		}),
	}
	go senderSrv.Serve(ln) //nolint:errcheck // ends with Shutdown
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		senderSrv.Shutdown(sctx) //nolint:errcheck
	}()

	// The receiver.
	role := config.RoleWeb
	if o.workers {
		role = config.RoleAll
	}
	recv, err := startInstance(ctx, o.backend, instanceOptions{
		host: "127.0.0.1", role: role, concurrency: o.concurrency, logLevel: o.logLevel,
	}, log)
	if err != nil {
		return err
	}
	defer recv.stop()
	if err := loopbackOnly(recv.URL); err != nil {
		return err
	}
	reader, err := recv.Accounts.Create(ctx, accounts.NewUser{Username: "reader", Password: "fedbench-password"})
	if err != nil {
		return err
	}
	// The receiver learns the sender as it would: a (signed) fetch of its actor.
	remote, err := recv.Federation.FetchActor(ctx, sender.URI, true)
	if err != nil {
		return fmt.Errorf("the receiver could not fetch the sender: %w", err)
	}
	if _, err := recv.Store.UpsertFollow(ctx, &model.Follow{
		ID: model.NewID(), AccountID: reader.AccountID, TargetAccountID: remote.ID,
		URI: recv.URL + "/follows/" + model.NewID(), State: model.FollowAccepted, CreatedAt: now, UpdatedAt: now,
	}); err != nil {
		return err
	}

	// Pre-build and pre-sign every activity (not timed): warm-up ones first,
	// one per client, to open the keep-alive connections.
	warm := o.clients
	total := warm + o.n
	target := recv.URL + "/inbox"
	posts := make([]signedPost, total)
	buildStart := time.Now()
	if err := buildPosts(ctx, posts, paths, sender, target, keyID, key); err != nil {
		return err
	}
	fmt.Printf("\ninbox: receiver %s (%s, role %s", recv.URL, o.backend, role)
	if o.workers {
		fmt.Printf(", worker concurrency %d", o.concurrency)
	}
	fmt.Printf("), sender %s; %d activities of %d bytes on average, %d clients\n", sender.URI, o.n, avgLen(posts), o.clients)
	fmt.Printf("setup (not timed): %.1f s, of which building and signing %d activities %.1f s\n",
		time.Since(setupStart).Seconds(), total, time.Since(buildStart).Seconds())

	tr := &http.Transport{
		Proxy: nil, MaxIdleConns: 2 * o.clients, MaxIdleConnsPerHost: o.clients, MaxConnsPerHost: o.clients,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}

	// Warm-up: one request per client, untimed.
	warmRes := blast(ctx, client, target, posts[:warm], o.clients, time.Now().Add(o.timeout))
	if warmRes.accepted != warm {
		return fmt.Errorf("warm-up: %d of %d accepted; errors %s", warmRes.accepted, warm, warmRes.errorText())
	}

	doneBefore := 0
	if o.workers {
		doneBefore = doneInboxJobs(ctx, recv)
	}
	if _, err := o.rsa.run(ctx); err != nil {
		return err
	}
	waitQuiet("the blast")
	loadBefore := benchkit.LoadAvg()
	var stopProfile func()
	if o.cpuprofile != "" {
		if stopProfile, err = startCPUProfile(o.cpuprofile); err != nil {
			return err
		}
	}
	pool0, _ := poolStats(recv)
	cpu0 := takeCPUSnapshot(recv)
	start := time.Now()
	res := blast(ctx, client, target, posts[warm:], o.clients, start.Add(o.timeout))
	elapsed := time.Since(start)
	cpuBlast := takeCPUSnapshot(recv)
	pool1, havePool := poolStats(recv)
	var drained time.Duration
	var processed int
	if o.workers && o.drain {
		processed, drained = waitProcessed(ctx, recv, total, start, start.Add(o.timeout))
		processed -= doneBefore
	}
	cpuEnd := takeCPUSnapshot(recv)
	if stopProfile != nil {
		stopProfile()
	}
	stored, _ := recv.Store.DB().NewSelect().Model((*model.InboxItem)(nil)).Count(ctx)

	lat := res.latencies
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("sent %d in %.3f s: %d accepted (202) → %.0f accepted/s; errors: %s\n",
		res.sent, elapsed.Seconds(), res.accepted, float64(res.accepted)/elapsed.Seconds(), res.errorText())
	fmt.Printf("latency (all timed requests): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		ms(percentile(lat, 0.50)), ms(percentile(lat, 0.90)), ms(percentile(lat, 0.99)), ms(percentile(lat, 1)))
	fmt.Printf("during the blast: %s\n", cpuReport(cpu0, cpuBlast))
	if havePool {
		fmt.Printf("during the blast: %s\n", poolReport(pool0, pool1))
	}
	selfMS, allMS := cpuPer(cpu0, cpuBlast, int64(res.accepted))
	fmt.Printf("CPU per accepted activity: %.3f ms in this process (receiver and clients), %.3f ms with postgres and redis → at most %.0f/s if all %d cores were ours\n",
		selfMS, allMS, float64(runtime.NumCPU())*1000/allMS, runtime.NumCPU())
	fmt.Printf("inbox rows stored: %d (of %d sent incl. %d warm-up); sender actor fetched %d times\n", stored, total, warm, actorFetches.Load())
	if o.workers {
		if o.drain {
			fmt.Printf("processing: %d inbox jobs finished between the start of the blast and %.2f s after it (of %d sent incl. warm-up; %d were done before) → %.0f processed/s (end to end)\n",
				processed, drained.Seconds(), total, doneBefore, float64(processed)/drained.Seconds())
			fmt.Printf("blast + processing: %s\n", cpuReport(cpu0, cpuEnd))
		}
		fmt.Printf("inbox jobs: %s\n", jobOutcomes(recv, "inbox"))
	}
	fmt.Printf("load average before/after: %s / %s\n", loadBefore, benchkit.LoadAvg())
	return nil
}

// buildPosts serializes distinct Create{Video} activities in Assay's wire
// format (ap.VideoObject, as a remote Assay would send them) and signs each
// with signing.SignPOST for target, on every core.
func buildPosts(ctx context.Context, posts []signedPost, paths ap.Paths, sender *model.Account, target, keyID string, key *rsa.PrivateKey) error {
	workers := runtime.GOMAXPROCS(0)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	published := time.Now().UTC().Add(-time.Minute)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(posts) || ctx.Err() != nil {
					return
				}
				p, err := buildPost(i, paths, sender, published, target, keyID, key)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				posts[i] = p
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

func buildPost(i int, paths ap.Paths, sender *model.Account, published time.Time, target, keyID string, key *rsa.PrivateKey) (signedPost, error) {
	id := fmt.Sprintf("clip%06d", i)
	base := strings.TrimRight(paths.Base.String(), "/")
	v := &model.Video{
		ID: id, Account: sender, URI: paths.VideoURI(id), URL: paths.WatchURL(id), ObjectType: "Video",
		Title: fmt.Sprintf("Benchmark clip %d", i), Description: fmt.Sprintf("Clip %d of the inbox benchmark #fedbench", i),
		State: model.VideoReady, Public: true, DurationSeconds: 8, ThumbnailURL: base + "/media/" + id + "-thumb.jpg",
		PublishedAt: published, CreatedAt: published, UpdatedAt: published,
		Tags: []*model.VideoTag{{Name: "fedbench"}},
		Media: []*model.MediaFile{
			{ID: id + "m", Role: model.MediaRendition, URL: base + "/media/" + id + "-720.mp4", MimeType: "video/mp4", Width: 720, Height: 1280, Size: 2400000, CreatedAt: published},
			{ID: id + "t", Role: model.MediaThumbnail, URL: base + "/media/" + id + "-thumb.jpg", MimeType: "image/jpeg", Width: 360, Height: 640, CreatedAt: published},
		},
	}
	obj, err := ap.VideoObject(paths, v, sender, "")
	if err != nil {
		return signedPost{}, err
	}
	act := ap.Create(base+"/activities/"+id, sender.URI, obj, []string{ap.Public}, []string{sender.FollowersURI})
	body, err := ap.Serialize(act)
	if err != nil {
		return signedPost{}, err
	}
	req, err := http.NewRequest(http.MethodPost, target, nil)
	if err != nil {
		return signedPost{}, err
	}
	if err := signing.SignPOST(req, body, keyID, key); err != nil {
		return signedPost{}, err
	}
	req.Header.Set("Content-Type", "application/activity+json")
	return signedPost{body: body, host: req.Host, header: req.Header}, nil
}

func avgLen(posts []signedPost) int {
	if len(posts) == 0 {
		return 0
	}
	n := 0
	for _, p := range posts {
		n += len(p.body)
	}
	return n / len(posts)
}

type blastResult struct {
	sent, accepted int
	latencies      []time.Duration
	statuses       map[int]int // non-202 answers
	transport      int         // requests that got no answer
	firstError     string
}

func (r blastResult) errorText() string {
	if len(r.statuses) == 0 && r.transport == 0 {
		return "none"
	}
	var parts []string
	for s, n := range r.statuses {
		parts = append(parts, fmt.Sprintf("%d×HTTP %d", n, s))
	}
	sort.Strings(parts)
	if r.transport > 0 {
		parts = append(parts, fmt.Sprintf("%d×no answer", r.transport))
	}
	return strings.Join(parts, ", ") + " (first: " + r.firstError + ")"
}

// blast POSTs every post once from clients goroutines over keep-alive
// connections, recording each request's latency, until done or deadline.
func blast(ctx context.Context, client *http.Client, target string, posts []signedPost, clients int, deadline time.Time) blastResult {
	var next atomic.Int64
	results := make([]blastResult, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func(res *blastResult) {
			defer wg.Done()
			res.statuses = map[int]int{}
			res.latencies = make([]time.Duration, 0, len(posts)/clients+1)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(posts) || ctx.Err() != nil || time.Now().After(deadline) {
					return
				}
				p := posts[i]
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(p.body))
				if err != nil {
					res.transport++
					continue
				}
				req.Host = p.host
				req.Header = p.header
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					res.latencies = append(res.latencies, time.Since(t0))
					res.sent++
					res.transport++
					if res.firstError == "" {
						res.firstError = err.Error()
					}
					continue
				}
				msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
				resp.Body.Close()
				res.latencies = append(res.latencies, time.Since(t0))
				res.sent++
				if resp.StatusCode == http.StatusAccepted {
					res.accepted++
				} else {
					res.statuses[resp.StatusCode]++
					if res.firstError == "" {
						res.firstError = fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(msg)))
					}
				}
			}
		}(&results[c])
	}
	wg.Wait()
	total := blastResult{statuses: map[int]int{}}
	for _, r := range results {
		total.sent += r.sent
		total.accepted += r.accepted
		total.transport += r.transport
		total.latencies = append(total.latencies, r.latencies...)
		for s, n := range r.statuses {
			total.statuses[s] += n
		}
		if total.firstError == "" {
			total.firstError = r.firstError
		}
	}
	return total
}

// waitProcessed polls the receiver's jobs table until want inbox jobs are
// done (or the deadline passes) and returns how many were and when.
func waitProcessed(ctx context.Context, inst *instance, want int, start, deadline time.Time) (int, time.Duration) {
	done := 0
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if done = doneInboxJobs(ctx, inst); done >= want {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return done, time.Since(start)
}

func doneInboxJobs(ctx context.Context, inst *instance) int {
	n, err := inst.Store.DB().NewSelect().Model((*model.Job)(nil)).
		Where("kind = 'inbox' AND state = ?", model.JobDone).Count(ctx)
	if err != nil {
		return 0
	}
	return int(n)
}

// percentile is the nearest-rank percentile of sorted latencies (q in (0,1]).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}
