package main

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/benchkit"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/signing"
)

type fanoutOptions struct {
	backend     backend
	concurrency int
	shared      bool
	receivers   int
	perReceiver int
	runs        int
	timeout     time.Duration
	prefetchKey bool
	cpuprofile  string
	logLevel    string
	rsa         rsaMeasure
}

// fanoutRun is what the receivers count for one published activity.
type fanoutRun struct {
	objectURI  string // the video: receivers count the Create whose object this is
	expected   int64
	verified   atomic.Int64
	duplicates atomic.Int64
	firstAt    atomic.Int64 // unix ns of the first verified delivery
	lastAt     atomic.Int64 // unix ns of the last one
	seen       sync.Map     // receiver inbox URL → struct{}
	done       chan struct{}
	doneOnce   sync.Once
}

// fanoutBench is shared by all receivers.
type fanoutBench struct {
	run        atomic.Pointer[fanoutRun]
	stale      atomic.Int64 // verified deliveries of an earlier run's activity
	keyFetches atomic.Int64
	keyClient  *http.Client

	rejectMu sync.Mutex
	rejected map[string]int
}

func (b *fanoutBench) reject(w http.ResponseWriter, status int, reason string) {
	b.rejectMu.Lock()
	b.rejected[reason]++
	b.rejectMu.Unlock()
	http.Error(w, reason, status)
}

// receiver is one remote server: a few follower actors, their inboxes and
// a shared inbox, verifying every signature it receives.
type receiver struct {
	b      *fanoutBench
	base   string            // http://127.0.0.x:port
	actors map[string][]byte // path → actor document
	inbox  map[string]bool   // paths that accept POSTs
	srv    *http.Server

	keyMu sync.Mutex
	keys  map[string]senderKey // keyId → key, fetched once
}

type senderKey struct {
	pub   crypto.PublicKey
	owner string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		doc, ok := rc.actors[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		w.Write(doc) //nolint:errcheck
	case http.MethodPost:
		rc.receive(w, r)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// receive verifies a delivery as a real server would: the HTTP signature
// against the sender's key (fetched from its actor once, then cached), the
// Digest against the body and the Date against the clock (both inside
// signing.Verify), and that the signer is the activity's actor.
func (rc *receiver) receive(w http.ResponseWriter, r *http.Request) {
	b := rc.b
	if !rc.inbox[r.URL.Path] {
		b.reject(w, http.StatusNotFound, "not an inbox here")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		b.reject(w, http.StatusRequestEntityTooLarge, "unreadable body")
		return
	}
	if r.Header.Get("Date") == "" || r.Header.Get("Digest") == "" {
		b.reject(w, http.StatusUnauthorized, "no Date or Digest header")
		return
	}
	keyID, err := signing.KeyID(r)
	if err != nil {
		b.reject(w, http.StatusUnauthorized, "unsigned")
		return
	}
	key, err := rc.key(r.Context(), keyID)
	if err != nil {
		b.reject(w, http.StatusUnauthorized, "key fetch: "+err.Error())
		return
	}
	if err := signing.Verify(r, body, key.pub, time.Now()); err != nil {
		b.reject(w, http.StatusUnauthorized, "verify: "+err.Error())
		return
	}
	var act struct {
		ID     string          `json:"id"`
		Type   string          `json:"type"`
		Actor  string          `json:"actor"`
		Object json.RawMessage `json:"object"`
	}
	if err := json.Unmarshal(body, &act); err != nil {
		b.reject(w, http.StatusBadRequest, "malformed JSON")
		return
	}
	if act.Actor != key.owner {
		b.reject(w, http.StatusUnauthorized, "signer is not the actor")
		return
	}
	w.WriteHeader(http.StatusAccepted)

	var obj struct {
		ID string `json:"id"`
	}
	json.Unmarshal(act.Object, &obj) //nolint:errcheck // a non-object leaves obj.ID empty
	run := b.run.Load()
	if run == nil || act.Type != "Create" || obj.ID != run.objectURI {
		b.stale.Add(1)
		return
	}
	if _, dup := run.seen.LoadOrStore(rc.base+r.URL.Path, struct{}{}); dup {
		run.duplicates.Add(1)
		return
	}
	now := time.Now().UnixNano()
	run.firstAt.CompareAndSwap(0, now)
	run.lastAt.Store(now)
	if run.verified.Add(1) == run.expected {
		run.doneOnce.Do(func() { close(run.done) })
	}
}

// key returns the sender's public key for keyID, fetching the actor document
// with a plain GET the first time (one fetch per receiver, like a real server
// with an empty cache).
func (rc *receiver) key(ctx context.Context, keyID string) (senderKey, error) {
	rc.keyMu.Lock()
	defer rc.keyMu.Unlock()
	if k, ok := rc.keys[keyID]; ok {
		return k, nil
	}
	actorURL, _, _ := strings.Cut(keyID, "#")
	k, err := fetchKey(ctx, rc.b.keyClient, actorURL, keyID)
	if err != nil {
		return senderKey{}, err
	}
	rc.b.keyFetches.Add(1)
	rc.keys[keyID] = k
	return k, nil
}

// fetchKey GETs an actor and reads the key keyID from its publicKey.
func fetchKey(ctx context.Context, client *http.Client, actorURL, keyID string) (senderKey, error) {
	if err := loopbackOnly(actorURL); err != nil {
		return senderKey{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, actorURL, nil)
	if err != nil {
		return senderKey{}, err
	}
	req.Header.Set("Accept", "application/activity+json")
	resp, err := client.Do(req)
	if err != nil {
		return senderKey{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return senderKey{}, fmt.Errorf("GET %s: %d", actorURL, resp.StatusCode)
	}
	var doc struct {
		ID        string          `json:"id"`
		PublicKey json.RawMessage `json:"publicKey"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return senderKey{}, fmt.Errorf("actor %s: %w", actorURL, err)
	}
	type pk struct {
		ID    string `json:"id"`
		Owner string `json:"owner"`
		PEM   string `json:"publicKeyPem"`
	}
	var keys []pk
	if err := json.Unmarshal(doc.PublicKey, &keys); err != nil {
		var one pk
		if err := json.Unmarshal(doc.PublicKey, &one); err != nil {
			return senderKey{}, fmt.Errorf("actor %s has no readable publicKey", actorURL)
		}
		keys = []pk{one}
	}
	for _, k := range keys {
		if k.ID != keyID {
			continue
		}
		if k.Owner != doc.ID || doc.ID != actorURL {
			return senderKey{}, fmt.Errorf("key %s is owned by %s, not %s", keyID, k.Owner, actorURL)
		}
		pub, err := signing.ParsePublicKeyPEM(k.PEM)
		if err != nil {
			return senderKey{}, err
		}
		return senderKey{pub: pub, owner: doc.ID}, nil
	}
	return senderKey{}, fmt.Errorf("actor %s does not publish key %s", actorURL, keyID)
}

// personDoc is a follower's actor document.
func personDoc(id, username, sharedInbox, pubPEM string) []byte {
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                id,
		"type":              "Person",
		"preferredUsername": username,
		"inbox":             id + "/inbox",
		"outbox":            id + "/outbox",
		"followers":         id + "/followers",
		"following":         id + "/following",
		"publicKey":         map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": pubPEM},
	}
	if sharedInbox != "" {
		doc["endpoints"] = map[string]any{"sharedInbox": sharedInbox}
	}
	b, _ := json.Marshal(doc)
	return b
}

func runFanout(ctx context.Context, o fanoutOptions, log *slog.Logger) error {
	if o.receivers < 1 || o.receivers > 250*8 || o.perReceiver < 1 || o.runs < 1 {
		return errors.New("want 1 ≤ -receivers ≤ 2000, -followers-per-receiver ≥ 1, -runs ≥ 1")
	}
	b := &fanoutBench{
		rejected: map[string]int{},
		keyClient: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			Proxy: nil, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second,
		}},
	}
	defer b.keyClient.CloseIdleConnections()

	// The sender.
	setupStart := time.Now()
	sender, err := startInstance(ctx, o.backend, instanceOptions{
		host: "127.0.0.1", role: config.RoleAll, concurrency: o.concurrency, logLevel: o.logLevel,
	}, log)
	if err != nil {
		return err
	}
	defer sender.stop()
	alice, err := sender.Accounts.Create(ctx, accounts.NewUser{Username: "alice", Password: "fedbench-password"})
	if err != nil {
		return fmt.Errorf("creating alice: %w", err)
	}

	// The receivers: 127.0.0.2, 127.0.0.3, … (several ports per address past 250).
	_, followerPub, err := accounts.NewKeyPair() // one key for every follower: nobody verifies their signatures here
	if err != nil {
		return err
	}
	recvs := make([]*receiver, o.receivers)
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, rc := range recvs {
			if rc != nil {
				rc.srv.Shutdown(sctx) //nolint:errcheck
			}
		}
	}()
	type follower struct{ uri, inbox, shared, domain, username string }
	var followers []follower
	for i := range recvs {
		host := fmt.Sprintf("127.0.0.%d", 2+i%250)
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return fmt.Errorf("receiver %d: %w", i, err)
		}
		rc := &receiver{b: b, base: "http://" + ln.Addr().String(), actors: map[string][]byte{}, inbox: map[string]bool{}, keys: map[string]senderKey{}}
		rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		shared := ""
		if o.shared {
			shared = rc.base + "/inbox"
			rc.inbox["/inbox"] = true
		}
		for j := range o.perReceiver {
			name := fmt.Sprintf("f%d", j)
			path := "/users/" + name
			uri := rc.base + path
			rc.actors[path] = personDoc(uri, name, shared, followerPub)
			if !o.shared {
				rc.inbox[path+"/inbox"] = true
			}
			followers = append(followers, follower{uri: uri, inbox: uri + "/inbox", shared: shared, domain: ln.Addr().String(), username: name})
		}
		recvs[i] = rc
		go rc.srv.Serve(ln) //nolint:errcheck // ends with Shutdown
	}

	// The follows, written straight into the sender's database (not timed).
	now := time.Now().UTC()
	var setupErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan follower)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				err := func() error {
					acct, err := sender.Store.UpsertRemoteAccount(ctx, &model.Account{
						ID: model.NewID(), Username: f.username, Domain: f.domain, DisplayName: f.username,
						URI: f.uri, URL: f.uri, InboxURI: f.inbox, SharedInboxURI: f.shared,
						OutboxURI: f.uri + "/outbox", FollowersURI: f.uri + "/followers", FollowingURI: f.uri + "/following",
						PublicKeyURI: f.uri + "#main-key", PublicKeyPEM: followerPub, ActorType: "Person",
						CreatedAt: now, UpdatedAt: now, FetchedAt: now,
					})
					if err != nil {
						return err
					}
					_, err = sender.Store.UpsertFollow(ctx, &model.Follow{
						ID: model.NewID(), AccountID: acct.ID, TargetAccountID: alice.AccountID,
						URI: f.uri + "#follow-alice", State: model.FollowAccepted, CreatedAt: now, UpdatedAt: now,
					})
					return err
				}()
				if err != nil {
					mu.Lock()
					setupErr = errors.Join(setupErr, err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, f := range followers {
		work <- f
	}
	close(work)
	wg.Wait()
	if setupErr != nil {
		return fmt.Errorf("creating follows: %w", setupErr)
	}
	inboxes, err := sender.Store.FollowerInboxes(ctx, alice.AccountID)
	if err != nil {
		return err
	}
	expected := int64(len(inboxes))
	want := int64(len(followers))
	if o.shared {
		want = int64(o.receivers)
	}
	if expected != want {
		return fmt.Errorf("the sender sees %d follower inboxes, want %d", expected, want)
	}
	if o.prefetchKey {
		keyID := alice.Account.PublicKeyURI
		for _, rc := range recvs {
			if _, err := rc.key(ctx, keyID); err != nil {
				return fmt.Errorf("prefetching the sender's key: %w", err)
			}
		}
	}
	fmt.Printf("\nfan-out: sender %s (%s, worker concurrency %d), %d receivers × %d followers = %d follows, shared inbox %v\n",
		sender.URL, o.backend, o.concurrency, o.receivers, o.perReceiver, len(followers), o.shared)
	fmt.Printf("setup (not timed): %.1f s; sender key prefetched by receivers: %v\n", time.Since(setupStart).Seconds(), o.prefetchKey)
	loadBefore := benchkit.LoadAvg()
	rsaRate, err := o.rsa.run(ctx)
	if err != nil {
		return err
	}

	var rates []float64
	for n := 1; n <= o.runs; n++ {
		id := model.NewID()
		v := readyVideo(sender.URL, alice, id, n)
		run := &fanoutRun{objectURI: v.URI, expected: expected, done: make(chan struct{})}
		b.run.Store(run)

		waitQuiet(fmt.Sprintf("run %d", n))
		var stopProfile func()
		if o.cpuprofile != "" {
			name := o.cpuprofile
			if o.runs > 1 {
				name = fmt.Sprintf("%s.%d", o.cpuprofile, n)
			}
			if stopProfile, err = startCPUProfile(name); err != nil {
				return err
			}
		}
		pool0, _ := poolStats(sender)
		cpu0 := takeCPUSnapshot(sender)
		sampleStop := make(chan struct{})
		sampled := make(chan runningStats, 1)
		go func() { sampled <- sampleRunning(ctx, sender, "deliver", sampleStop) }()
		start := time.Now()
		if err := sender.Videos.Publish(ctx, v); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		publishCall := time.Since(start)

		timeout := time.NewTimer(o.timeout)
		var timedOut bool
		select {
		case <-run.done:
		case <-timeout.C:
			timedOut = true
		case <-ctx.Done():
			timedOut = true
		}
		timeout.Stop()
		cpu1 := takeCPUSnapshot(sender)
		pool1, havePool := poolStats(sender)
		close(sampleStop)
		running := <-sampled
		elapsed := time.Since(start)
		if run.verified.Load() == run.expected {
			elapsed = time.Duration(run.lastAt.Load() - start.UnixNano())
		}
		if stopProfile != nil {
			stopProfile()
		}

		queued, err := deliveryJobs(ctx, sender, v.URI)
		if err != nil {
			return err
		}
		got := run.verified.Load()
		first := time.Duration(run.firstAt.Load() - start.UnixNano())
		perSec := float64(got) / elapsed.Seconds()
		rates = append(rates, perSec)
		fmt.Printf("run %d: %d/%d deliveries verified in %.3f s → %.0f deliveries/s\n", n, got, run.expected, elapsed.Seconds(), perSec)
		fmt.Printf("        publish call (tx + %d jobs queued) %.0f ms; first delivery verified at %.0f ms", queued, ms(publishCall), ms(first))
		if got > 1 {
			last := time.Duration(run.lastAt.Load() - start.UnixNano())
			fmt.Printf("; first→last %.0f deliveries/s", float64(got-1)/(last-first).Seconds())
		}
		fmt.Printf("\n        duplicates %d, other activities %d, rejected %v\n", run.duplicates.Load(), b.stale.Load(), b.rejectedSnapshot())
		meanRun, maxRun := running.between(time.Unix(0, run.firstAt.Load()), time.Unix(0, run.lastAt.Load()))
		fmt.Printf("        delivery jobs running at once between the first and the last delivery (sampled every %v from the jobs table): mean %.1f, max %d (worker concurrency %d)\n",
			sampleEvery, meanRun, maxRun, o.concurrency)
		fmt.Printf("        %s\n", cpuReport(cpu0, cpu1))
		if havePool {
			fmt.Printf("        %s\n", poolReport(pool0, pool1))
		}
		selfMS, allMS := cpuPer(cpu0, cpu1, got)
		fmt.Printf("        CPU per delivery: %.2f ms in this process (sender and receivers), %.2f ms with postgres and redis → at most %.0f deliveries/s if all %d cores were ours\n",
			selfMS, allMS, float64(runtime.NumCPU())*1000/allMS, runtime.NumCPU())
		if timedOut {
			fmt.Printf("        TIMED OUT after %v (or interrupted)\n", o.timeout)
			break
		}
		if n < o.runs {
			time.Sleep(2 * time.Second) // let the workers' jobs be recorded before the next publish
		}
	}
	fmt.Printf("sender key fetched %d times by the receivers; delivery jobs: %s\n", b.keyFetches.Load(), jobOutcomes(sender, "deliver"))
	fmt.Printf("load average before/after: %s / %s\n", loadBefore, benchkit.LoadAvg())
	printRatios(rates, rsaRate)
	return nil
}

const sampleEvery = 100 * time.Millisecond

type runningSample struct {
	at time.Time
	n  int
}

type runningStats []runningSample

// between is the mean and max of the samples taken in [from, to].
func (r runningStats) between(from, to time.Time) (mean float64, most int) {
	sum, k := 0, 0
	for _, x := range r {
		if x.at.Before(from) || x.at.After(to) {
			continue
		}
		sum += x.n
		k++
		most = max(most, x.n)
	}
	if k == 0 {
		return 0, most
	}
	return float64(sum) / float64(k), most
}

// sampleRunning counts the jobs of a kind that are claimed and not finished,
// every sampleEvery until stop: how many handlers run at once.
func sampleRunning(ctx context.Context, inst *instance, kind string, stop <-chan struct{}) runningStats {
	var r runningStats
	tick := time.NewTicker(sampleEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return r
		case <-ctx.Done():
			return r
		case <-tick.C:
		}
		n, err := inst.Store.DB().NewSelect().Model((*model.Job)(nil)).
			Where("kind = ? AND state = ?", kind, model.JobRunning).Count(ctx)
		if err != nil {
			continue
		}
		r = append(r, runningSample{at: time.Now(), n: int(n)})
	}
}

func (b *fanoutBench) rejectedSnapshot() string {
	b.rejectMu.Lock()
	defer b.rejectMu.Unlock()
	if len(b.rejected) == 0 {
		return "0"
	}
	var parts []string
	for k, v := range b.rejected {
		parts = append(parts, fmt.Sprintf("%d×%q", v, k))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// readyVideo is a ready local clip by u, as testrig.PublishVideo builds one.
func readyVideo(base string, u *model.User, id string, n int) *model.Video {
	now := time.Now().UTC()
	return &model.Video{
		ID: id, AccountID: u.AccountID, Account: u.Account, Local: true,
		URI: base + "/videos/" + id, URL: base + "/videos/" + id, ObjectType: "Video",
		Title: fmt.Sprintf("Fan-out clip %d", n), Description: "A clip for the fan-out benchmark #fedbench",
		State: model.VideoReady, Public: true,
		DurationSeconds: 8, ThumbnailURL: base + "/media/" + id + "-thumb.jpg",
		PublishedAt: now, CreatedAt: now, UpdatedAt: now,
		Media: []*model.MediaFile{
			{ID: model.NewID(), Role: model.MediaRendition, URL: base + "/media/" + id + "-720.mp4", MimeType: "video/mp4", Width: 720, Height: 1280, Size: 2400000, CreatedAt: now},
			{ID: model.NewID(), Role: model.MediaThumbnail, URL: base + "/media/" + id + "-thumb.jpg", MimeType: "image/jpeg", Width: 360, Height: 640, CreatedAt: now},
		},
	}
}

// deliveryJobs counts the delivery jobs queued for the Create of a video.
func deliveryJobs(ctx context.Context, inst *instance, videoURI string) (int, error) {
	var row model.OutboxActivity
	if err := inst.Store.DB().NewSelect().Model(&row).Where("object_uri = ? AND type = 'Create'", videoURI).Limit(1).Scan(ctx); err != nil {
		return 0, fmt.Errorf("the Create of %s is not in the outbox: %w", videoURI, err)
	}
	n, err := inst.Store.DB().NewSelect().Model((*model.Job)(nil)).Where("kind = 'deliver' AND ref = ?", row.ID).Count(ctx)
	return int(n), err
}

// jobOutcomes reads the assay_jobs_total counter of one kind from the
// instance's metrics registry.
func jobOutcomes(inst *instance, kind string) string {
	fams, err := inst.Metrics.Gather()
	if err != nil {
		return "(metrics unavailable)"
	}
	var parts []string
	for _, f := range fams {
		if f.GetName() != "assay_jobs_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == kind {
				parts = append(parts, fmt.Sprintf("%s %.0f", labels["outcome"], m.GetCounter().GetValue()))
			}
		}
	}
	if len(parts) == 0 {
		return "none recorded"
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func printRatios(rates []float64, r rsaRates) {
	if len(rates) == 0 {
		return
	}
	fmt.Printf("ratio deliveries/s ÷ RSA-2048 signs/s (per run):\n")
	line := func(name string, signs float64) {
		if signs <= 0 {
			return
		}
		fmt.Printf("  ÷ %-40s", fmt.Sprintf("%s (%.0f/s):", name, signs))
		for _, d := range rates {
			fmt.Printf(" %.2f", d/signs)
		}
		fmt.Println()
	}
	line(fmt.Sprintf("crypto/rsa, %d goroutines", r.procs), r.goAll)
	line(fmt.Sprintf("SignPOST, %d goroutines", r.procs), r.signPOSTAll)
	line("openssl speed rsa2048", r.opensslOne)
	line(fmt.Sprintf("openssl speed -multi %d rsa2048", r.procs), r.opensslAll)
}

// startCPUProfile starts a CPU profile of the whole process, and an
// execution trace too when traceFile is set (for `go tool trace -pprof=net`
// and the like: where goroutines wait rather than run).
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var tf *os.File
	if traceFile != "" {
		if tf, err = os.Create(traceFile); err == nil {
			if err = trace.Start(tf); err != nil {
				tf.Close()
				tf = nil
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "fedbench: trace: %v\n", err)
		}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		if tf != nil {
			trace.Stop()
			tf.Close()
		}
	}, nil
}

// traceFile is -trace: an execution trace of the timed phase, written with the CPU profile.
var traceFile string

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
