package federation_test

// Delivery under faults (issue 3, "Faults"): real instances on loopback,
// real signed HTTP, and receiving instances whose inboxes misbehave through
// testrig.Wrap. Every test counts what reaches each inbox and what each
// receiver stored, so a lost or a doubled delivery both fail.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/testrig"
)

// The test binary doubles as A's worker process for TestWorkerKilledMidFanOut.
func TestMain(m *testing.M) {
	if os.Getenv(faultChildEnv) == "1" {
		os.Exit(runFaultChildWorker())
	}
	os.Exit(m.Run())
}

const faultChildEnv = "ASSAY_FEDERATION_TEST_CHILD"

// faultWait bounds every wait in these tests: retries are short (RetryBase
// 100 ms), but a task scheduled for later sits in asynq's scheduled set until
// its forwarder runs, which it does every 5 s.
const faultWait = 30 * time.Second

// ---------------------------------------------------------------------------
// The tap: middleware in front of a receiving instance.

// faultPost is one POST of a Create to one of the instance's inboxes.
type faultPost struct {
	Path     string
	Activity string // the activity id
	Status   int    // what the sender got; 0 when it went away before an answer
	Passed   bool   // reached the real inbox
	Arrived  time.Time
	Answered time.Time
}

// faultTap records every POST of a Create to an inbox of the instance it
// wraps and can answer it itself. POSTs of other activities (the Follow and
// Accept of the set-up) go straight through.
type faultTap struct {
	// fault, when set, answers the n-th Create POST (from 0) to path itself:
	// a non-zero status (and a Retry-After when retryAfter is not "").
	fault func(n int, path string) (status int, retryAfter string)
	// gate, when set, holds Create POSTs (see faultGate).
	gate *faultGate
	// bare names users whose actor documents are served without
	// endpoints.sharedInbox, as by a server without a shared inbox: senders
	// then deliver to their personal inboxes.
	bare map[string]bool

	mu    sync.Mutex
	posts []faultPost
}

func (tp *faultTap) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && tp.bare[strings.TrimPrefix(r.URL.Path, "/users/")] {
			faultStripSharedInbox(next, w, r)
			return
		}
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/inbox") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var head struct{ ID, Type string }
		if json.Unmarshal(body, &head) != nil || head.Type != "Create" {
			next.ServeHTTP(w, r)
			return
		}

		p := faultPost{Path: r.URL.Path, Activity: head.ID, Arrived: time.Now()}
		tp.mu.Lock()
		n := len(tp.posts)
		tp.posts = append(tp.posts, faultPost{}) // reserve slot n
		tp.mu.Unlock()
		defer func() {
			p.Answered = time.Now()
			tp.mu.Lock()
			tp.posts[n] = p
			tp.mu.Unlock()
		}()

		if tp.gate != nil && tp.gate.hold(r.Context()) {
			return // the sender went away while held: nothing is answered, nothing stored
		}
		if tp.fault != nil {
			if status, retryAfter := tp.fault(n, r.URL.Path); status != 0 {
				if retryAfter != "" {
					w.Header().Set("Retry-After", retryAfter)
				}
				http.Error(w, http.StatusText(status), status)
				p.Status = status
				return
			}
		}
		sw := &faultStatus{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		p.Passed, p.Status = true, sw.status
		if p.Status == 0 {
			p.Status = http.StatusOK
		}
	})
}

type faultStatus struct {
	http.ResponseWriter
	status int
}

func (w *faultStatus) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// faultStripSharedInbox serves an actor document with its endpoints
// removed (anything that is not a JSON object goes out as it is).
func faultStripSharedInbox(next http.Handler, w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	var doc map[string]any
	if strings.Contains(rec.Header().Get("Content-Type"), "json") && json.Unmarshal(body, &doc) == nil {
		delete(doc, "endpoints")
		if b, err := json.Marshal(doc); err == nil {
			body = b
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body) //nolint:errcheck
}

// of returns the recorded POSTs of one activity, in arrival order (a POST
// still being answered is not yet among them).
func (tp *faultTap) of(activity string) []faultPost {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	var out []faultPost
	for _, p := range tp.posts {
		if p.Activity == activity {
			out = append(out, p)
		}
	}
	return out
}

// faultGate holds Create POSTs (across every tap that shares it) until it is
// released or the sender goes away; a held POST that is still connected at
// the release goes on to the inbox. holdIf picks which arrivals (counted
// from 0 across the taps) to hold; arrivals after the release pass.
type faultGate struct {
	holdIf   func(n int) bool
	released chan struct{}
	once     sync.Once
	arrivals atomic.Int32
	held     atomic.Int32 // held right now
	abandons atomic.Int32 // held POSTs whose sender went away
}

func newFaultGate(holdIf func(n int) bool) *faultGate {
	return &faultGate{holdIf: holdIf, released: make(chan struct{})}
}

func (g *faultGate) release() { g.once.Do(func() { close(g.released) }) }

// hold reports whether the sender went away while its POST was held.
func (g *faultGate) hold(ctx context.Context) (abandoned bool) {
	n := int(g.arrivals.Add(1)) - 1
	select {
	case <-g.released:
		return false
	default:
	}
	if !g.holdIf(n) {
		return false
	}
	g.held.Add(1)
	defer g.held.Add(-1)
	select {
	case <-ctx.Done():
		g.abandons.Add(1)
		return true
	case <-g.released:
		return false
	}
}

// ---------------------------------------------------------------------------
// Instances, follows and what A queued.

// faultReceiver is a receiving instance with its tap and its users, who follow
// alice on A.
type faultReceiver struct {
	inst  *testrig.Instance
	tap   *faultTap
	users []*testrig.User
}

func startFaultReceiver(t *testing.T, host string, tap *faultTap, names ...string) *faultReceiver {
	t.Helper()
	inst := testrig.NewInstance(t, testrig.OnHost(host), testrig.Wrap(tap.wrap))
	r := &faultReceiver{inst: inst, tap: tap}
	for _, name := range names {
		r.users = append(r.users, inst.CreateUser(name, false))
	}
	return r
}

// faultFollowAlice has every receiver's users follow alice@A and waits for the
// Accepts.
func faultFollowAlice(t *testing.T, a *testrig.Instance, alice *testrig.User, rs ...*faultReceiver) {
	t.Helper()
	for _, r := range rs {
		for _, u := range r.users {
			follow(t, r.inst, u.Token, "alice@"+domainOf(a))
		}
	}
	testrig.Eventually(t, faultWait, "the follows of alice were never accepted", func() bool {
		for _, r := range rs {
			for _, u := range r.users {
				if followState(r.inst, u, alice.Account.URI) != model.FollowAccepted {
					return false
				}
			}
		}
		return true
	})
}

// faultCreateOf returns A's outbox row for the Create of a video.
func faultCreateOf(t *testing.T, a *testrig.Instance, videoURI string) *model.OutboxActivity {
	t.Helper()
	act := new(model.OutboxActivity)
	if err := a.Store.DB().NewSelect().Model(act).Where("object_uri = ? AND type = ?", videoURI, "Create").Scan(t.Context()); err != nil {
		t.Fatalf("the Create of %s is not in A's outbox: %v", videoURI, err)
	}
	return act
}

// faultDelivery is a deliver job with its inbox.
type faultDelivery struct {
	*model.Job
	Inbox string
}

// faultDeliveries lists A's deliver jobs for one outbox activity, by inbox.
func faultDeliveries(t *testing.T, a *testrig.Instance, act *model.OutboxActivity) []faultDelivery {
	t.Helper()
	var rows []*model.Job
	if err := a.Store.DB().NewSelect().Model(&rows).Where("kind = ? AND ref = ?", federation.KindDeliver, act.ID).Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	out := make([]faultDelivery, 0, len(rows))
	for _, j := range rows {
		var p struct{ Inbox string }
		if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
			t.Fatalf("deliver job %s has payload %q: %v", j.ID, j.Payload, err)
		}
		out = append(out, faultDelivery{Job: j, Inbox: p.Inbox})
	}
	slices.SortFunc(out, func(x, y faultDelivery) int { return strings.Compare(x.Inbox, y.Inbox) })
	return out
}

func faultInboxes(ds []faultDelivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Inbox
	}
	return out
}

func faultStates(ds []faultDelivery) map[string]int {
	out := map[string]int{}
	for _, d := range ds {
		out[d.State]++
	}
	return out
}

// faultWaitDeliveries waits until every deliver job of act is in one of the final
// states wanted (by inbox; "done" for the ones not named) and returns them.
func faultWaitDeliveries(t *testing.T, a *testrig.Instance, act *model.OutboxActivity, want map[string]string) []faultDelivery {
	t.Helper()
	deadline := time.Now().Add(faultWait)
	for {
		ds := faultDeliveries(t, a, act)
		settled := len(ds) > 0
		for _, d := range ds {
			state := want[d.Inbox]
			if state == "" {
				state = model.JobDone
			}
			if d.State != state {
				settled = false
			}
		}
		if settled {
			return ds
		}
		if time.Now().After(deadline) {
			var got []string
			for _, d := range ds {
				got = append(got, fmt.Sprintf("%s: %s after %d attempts (%s)", d.Inbox, d.State, d.Attempts, d.LastError))
			}
			t.Fatalf("after %s the deliveries of %s are not final as wanted (%v): %s", faultWait, act.URI, want, strings.Join(got, "; "))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func faultCount(t *testing.T, inst *testrig.Instance, table, column, value string) int {
	t.Helper()
	n, err := inst.Store.DB().NewSelect().TableExpr(table).Where(column+" = ?", value).Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// faultStoredOnce checks that a receiver holds exactly one copy of the video
// and of the activity, and that the video is in each follower's home
// timeline once.
func faultStoredOnce(t *testing.T, r *faultReceiver, v *model.Video, activityURI string) {
	t.Helper()
	host := domainOf(r.inst)
	if n := faultCount(t, r.inst, "videos", "uri", v.URI); n != 1 {
		t.Errorf("%s stores %d copies of the video, want 1", host, n)
	}
	if n := faultCount(t, r.inst, "inbox_items", "uri", activityURI); n != 1 {
		t.Errorf("%s stores the Create %d times, want 1", host, n)
	}
	for _, u := range r.users {
		seen := 0
		for _, got := range timeline(t, r.inst, "home", u.Token) {
			if got.URI == v.URI {
				seen++
			}
		}
		if seen != 1 {
			t.Errorf("%s@%s sees the video %d times in their home timeline, want 1", u.Username, host, seen)
		}
	}
}

// faultHasVideo reports whether a receiver stored the video.
func faultHasVideo(t *testing.T, r *faultReceiver, v *model.Video) bool {
	return faultCount(t, r.inst, "videos", "uri", v.URI) > 0
}

// faultAccount reads A's row for a remote user.
func faultAccount(t *testing.T, a *testrig.Instance, u *testrig.User) *model.Account {
	t.Helper()
	acct, err := a.Store.AccountByURI(t.Context(), u.Account.URI)
	if err != nil {
		t.Fatalf("A has no account for %s: %v", u.Account.URI, err)
	}
	return acct
}

// faultRedisDB points a configuration on a real Redis at database n, so
// that the test may flush it without touching other tests.
func faultRedisDB(t *testing.T, cfg *config.Config, n int) {
	t.Helper()
	u := strings.TrimRight(strings.SplitN(cfg.RedisURL, "?", 2)[0], "/")
	if i := strings.LastIndex(u, "/"); i > len("redis://") {
		u = u[:i]
	}
	cfg.RedisURL = fmt.Sprintf("%s/%d", u, n)
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the instance has stopped: leave the database empty
		c := redis.NewClient(opts)
		defer c.Close()
		c.FlushDB(context.Background())
	})
}

func faultQueueName(cfg *config.Config, q string) string {
	if cfg.RedisNamespace == "" {
		return q
	}
	return cfg.RedisNamespace + "-" + q
}

// ---------------------------------------------------------------------------
// The tests.

// TestDeliveryRetriesUntilInboxRecovers: B's inbox answers 500, then 429
// with Retry-After: 1, then recovers. A keeps trying, waits out the
// Retry-After, and B ends with one copy.
func TestDeliveryRetriesUntilInboxRecovers(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	alice := a.CreateUser("alice", false)
	tap := &faultTap{fault: func(n int, _ string) (int, string) {
		switch n {
		case 0:
			return http.StatusInternalServerError, ""
		case 1:
			return http.StatusTooManyRequests, "1"
		}
		return 0, "" // recovered
	}}
	b := startFaultReceiver(t, "127.0.0.2", tap, "bob")
	faultFollowAlice(t, a, alice, b)

	v := a.PublishVideo(alice, testrig.VideoFixture{Title: "Rain on the Tagus"})
	act := faultCreateOf(t, a, v.URI)
	// Between the 429 and the next attempt A's job waits, due after the
	// Retry-After rather than after the 200 ms backoff of a second attempt.
	var waiting faultDelivery
	testrig.Eventually(t, faultWait, "the delivery never waited after the 429", func() bool {
		ds := faultDeliveries(t, a, act)
		if len(ds) != 1 || ds[0].Attempts < 2 || (ds[0].Attempts == 2 && ds[0].State == model.JobRunning) {
			return false // not yet answered 429
		}
		waiting = ds[0]
		return true
	})
	if posts := tap.of(act.URI); waiting.State != model.JobPending || waiting.Attempts != 2 || len(posts) != 2 {
		t.Fatalf("after the 429 the delivery should wait for its third attempt; it is %s/%d and B saw %d POSTs",
			waiting.State, waiting.Attempts, len(posts))
	} else if wait := waiting.RunAt.Sub(posts[1].Answered); wait < 950*time.Millisecond || wait > 2*time.Second {
		t.Errorf("after the 429 with Retry-After: 1 the delivery is due %s later, want 1 s", wait)
	}
	testrig.Eventually(t, faultWait, "the video never reached B", func() bool { return faultHasVideo(t, b, v) })

	ds := faultWaitDeliveries(t, a, act, nil)
	if got := faultInboxes(ds); !slices.Equal(got, []string{b.inst.URL + "/inbox"}) {
		t.Fatalf("deliveries went to %v, want B's shared inbox only", got)
	}
	if ds[0].Attempts != 3 {
		t.Errorf("the delivery took %d attempts, want 3 (500, 429, then accepted)", ds[0].Attempts)
	}
	posts := tap.of(act.URI)
	var statuses []int
	for _, p := range posts {
		statuses = append(statuses, p.Status)
	}
	if !slices.Equal(statuses, []int{500, 429, 202}) {
		t.Fatalf("B answered %v, want [500 429 202]", statuses)
	}
	// Retry-After: 1 beats the 200 ms backoff of the second attempt.
	if gap := posts[2].Arrived.Sub(posts[1].Answered); gap < 950*time.Millisecond {
		t.Errorf("the attempt after the 429 came %s later, before its Retry-After of 1 s", gap)
	}
	faultStoredOnce(t, b, v, act.URI)
}

// TestGoneInboxIsNotRetried: bob's personal inbox on B answers 410. A gives
// that delivery up after one attempt, marks bob gone and leaves him out of
// the next fan-out, while carol (same instance, shared inbox) still gets both.
func TestGoneInboxIsNotRetried(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	alice := a.CreateUser("alice", false)
	tap := &faultTap{
		bare: map[string]bool{"bob": true},
		fault: func(_ int, path string) (int, string) {
			if path == "/users/bob/inbox" {
				return http.StatusGone, ""
			}
			return 0, ""
		},
	}
	b := startFaultReceiver(t, "127.0.0.2", tap, "bob", "carol")
	bob, carol := b.users[0], b.users[1]
	faultFollowAlice(t, a, alice, b)
	if acct := faultAccount(t, a, bob); acct.SharedInboxURI != "" || acct.Gone {
		t.Fatalf("A should know bob without a shared inbox and not gone: %+v", acct)
	}
	bobInbox, sharedInbox := b.inst.URL+"/users/bob/inbox", b.inst.URL+"/inbox"

	v1 := a.PublishVideo(alice, testrig.VideoFixture{Title: "Last tram"})
	act1 := faultCreateOf(t, a, v1.URI)
	ds := faultWaitDeliveries(t, a, act1, map[string]string{bobInbox: model.JobFailed})
	if got := faultInboxes(ds); !slices.Equal(got, []string{sharedInbox, bobInbox}) {
		t.Fatalf("deliveries went to %v, want B's shared inbox and bob's", got)
	}
	gone := ds[1]
	if gone.Attempts != 1 || !strings.Contains(gone.LastError, "410") {
		t.Errorf("the delivery to bob failed after %d attempts with %q, want 1 attempt and a 410", gone.Attempts, gone.LastError)
	}
	if !faultAccount(t, a, bob).Gone {
		t.Error("A did not mark bob gone after his inbox answered 410")
	}
	if faultAccount(t, a, carol).Gone {
		t.Error("A marked carol gone, whose inbox never answered 410")
	}
	// Nothing more comes for bob: the failed job is final.
	time.Sleep(2 * time.Second)
	var toBob []faultPost
	for _, p := range tap.of(act1.URI) {
		if p.Path == "/users/bob/inbox" {
			toBob = append(toBob, p)
		}
	}
	if len(toBob) != 1 || toBob[0].Status != http.StatusGone {
		t.Errorf("bob's inbox got %d POSTs of the Create (%+v), want exactly one, answered 410", len(toBob), toBob)
	}
	if cur := faultDeliveries(t, a, act1)[1]; cur.State != model.JobFailed || cur.Attempts != 1 {
		t.Errorf("the delivery to bob is %s after %d attempts, want failed after 1", cur.State, cur.Attempts)
	}
	faultStoredOnce(t, b, v1, act1.URI)

	// The next publish leaves bob out; carol still gets it.
	v2 := a.PublishVideo(alice, testrig.VideoFixture{Title: "First tram"})
	act2 := faultCreateOf(t, a, v2.URI)
	ds2 := faultWaitDeliveries(t, a, act2, nil)
	if got := faultInboxes(ds2); !slices.Equal(got, []string{sharedInbox}) {
		t.Errorf("the next Create went to %v, want only B's shared inbox (bob is gone)", got)
	}
	for _, p := range tap.of(act2.URI) {
		if p.Path == "/users/bob/inbox" {
			t.Errorf("the next Create still reached bob's inbox: %+v", p)
		}
	}
	testrig.Eventually(t, faultWait, "the next video never reached B", func() bool { return faultHasVideo(t, b, v2) })
	faultStoredOnce(t, b, v2, act2.URI)
}

// TestOther4xxIsNotRetried: B refuses with 403. A records the refusal after
// one attempt, sends nothing more, and does not take bob for gone.
func TestOther4xxIsNotRetried(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	alice := a.CreateUser("alice", false)
	tap := &faultTap{fault: func(int, string) (int, string) { return http.StatusForbidden, "" }}
	b := startFaultReceiver(t, "127.0.0.2", tap, "bob")
	faultFollowAlice(t, a, alice, b)

	v := a.PublishVideo(alice, testrig.VideoFixture{Title: "Closed doors"})
	act := faultCreateOf(t, a, v.URI)
	ds := faultWaitDeliveries(t, a, act, map[string]string{b.inst.URL + "/inbox": model.JobFailed})
	if len(ds) != 1 || ds[0].Attempts != 1 || !strings.Contains(ds[0].LastError, "403") {
		t.Fatalf("want one delivery failed after 1 attempt with the 403 recorded, got %+v", ds[0].Job)
	}
	time.Sleep(2 * time.Second)
	if posts := tap.of(act.URI); len(posts) != 1 || posts[0].Status != http.StatusForbidden {
		t.Errorf("B got %d POSTs of the Create (%+v), want exactly one", len(posts), posts)
	}
	if cur := faultDeliveries(t, a, act)[0]; cur.State != model.JobFailed || cur.Attempts != 1 {
		t.Errorf("the delivery is %s after %d attempts, want failed after 1", cur.State, cur.Attempts)
	}
	if faultAccount(t, a, b.users[0]).Gone {
		t.Error("a 403 marked bob gone; only 410 does")
	}
	if faultHasVideo(t, b, v) {
		t.Error("B stored a video it refused")
	}
}

// faultFanOut is the audience of the two mid-fan-out tests: seven followers on
// three instances. B's three share B's inbox; on C one of two, and on D both,
// run on "servers without a shared inbox" and get personal deliveries. So
// five deliveries, and C gets the same Create at two inboxes.
type faultFanOut struct {
	b, c, d *faultReceiver
	inboxes []string // the five inboxes A must deliver to, sorted
}

func (f *faultFanOut) all() []*faultReceiver { return []*faultReceiver{f.b, f.c, f.d} }

func startFaultFanOut(t *testing.T, gate *faultGate) *faultFanOut {
	t.Helper()
	f := &faultFanOut{
		b: startFaultReceiver(t, "127.0.0.2", &faultTap{gate: gate}, "bea", "ben", "bo"),
		c: startFaultReceiver(t, "127.0.0.3", &faultTap{gate: gate, bare: map[string]bool{"cyd": true}}, "cai", "cyd"),
		d: startFaultReceiver(t, "127.0.0.4", &faultTap{gate: gate, bare: map[string]bool{"dan": true, "dee": true}}, "dan", "dee"),
	}
	f.inboxes = []string{
		f.b.inst.URL + "/inbox",
		f.c.inst.URL + "/inbox", f.c.inst.URL + "/users/cyd/inbox",
		f.d.inst.URL + "/users/dan/inbox", f.d.inst.URL + "/users/dee/inbox",
	}
	slices.Sort(f.inboxes)
	return f
}

// assertEveryoneOnce checks the end of a fan-out: every delivery done with
// the attempts expected, each inbox accepted the Create exactly once, and
// every receiver stored one copy.
func (f *faultFanOut) assertEveryoneOnce(t *testing.T, a *testrig.Instance, v *model.Video, act *model.OutboxActivity, attempts int) {
	t.Helper()
	for _, r := range f.all() {
		testrig.Eventually(t, faultWait, "the video never reached "+domainOf(r.inst), func() bool { return faultHasVideo(t, r, v) })
	}
	ds := faultWaitDeliveries(t, a, act, nil)
	if got := faultInboxes(ds); !slices.Equal(got, f.inboxes) {
		t.Errorf("deliveries went to %v, want %v", got, f.inboxes)
	}
	for _, d := range ds {
		if d.Attempts != attempts {
			t.Errorf("the delivery to %s took %d attempts, want %d", d.Inbox, d.Attempts, attempts)
		}
	}
	// Give a stray second run (a task the flush or the kill left behind, a
	// late sweep) time to show before counting.
	time.Sleep(time.Second)
	for _, r := range f.all() {
		accepted := map[string]int{}
		for _, p := range r.tap.of(act.URI) {
			if p.Passed {
				accepted[r.inst.URL+p.Path]++
				if p.Status != http.StatusAccepted {
					t.Errorf("%s answered %d to the Create", r.inst.URL+p.Path, p.Status)
				}
			}
		}
		for inbox, n := range accepted {
			if n != 1 {
				t.Errorf("%s took the Create %d times, want once", inbox, n)
			}
		}
		for _, inbox := range f.inboxes {
			if strings.HasPrefix(inbox, r.inst.URL+"/") && accepted[inbox] != 1 {
				t.Errorf("%s took the Create %d times, want once", inbox, accepted[inbox])
			}
		}
		faultStoredOnce(t, r, v, act.URI)
	}
}

// TestRedisFlushedMidFanOut: A's worker runs one task at a time and B, C or
// D holds the second delivery, so when A's Redis is flushed one delivery is
// done, one in flight and three queued in Redis only. The sweeper re-queues
// the three from the database; every receiver gets the video exactly once.
func TestRedisFlushedMidFanOut(t *testing.T) {
	cfg := testrig.Config(t)
	if testrig.UsesRealRedis() {
		// FLUSHALL would wipe the tests of other packages running beside
		// this one; database 14 is this test's, and FLUSHDB empties it.
		faultRedisDB(t, cfg, 14)
	}
	a := testrig.StartInstance(t, cfg, testrig.OnHost("127.0.0.1"),
		testrig.Configure(func(c *config.Config) { c.WorkerConcurrency = 1 }))
	alice := a.CreateUser("alice", false)
	gate := newFaultGate(func(n int) bool { return n == 1 })
	t.Cleanup(gate.release)
	f := startFaultFanOut(t, gate)
	faultFollowAlice(t, a, alice, f.all()...)

	v := a.PublishVideo(alice, testrig.VideoFixture{Title: "Crowded ferry"})
	act := faultCreateOf(t, a, v.URI)
	testrig.Eventually(t, faultWait, "no delivery was ever held", func() bool { return gate.held.Load() == 1 })
	mid := faultDeliveries(t, a, act)
	if got := faultInboxes(mid); !slices.Equal(got, f.inboxes) {
		t.Fatalf("deliveries go to %v, want %v", got, f.inboxes)
	}
	if got := faultStates(mid); got[model.JobDone] != 1 || got[model.JobRunning] != 1 || got[model.JobPending] != 3 {
		t.Fatalf("before the flush want 1 delivery done, 1 running, 3 pending; got %v", got)
	}
	info, err := asynq.NewInspectorFromRedisClient(a.Redis.Client).GetQueueInfo(faultQueueName(cfg, "deliver"))
	if err != nil || info.Active != 1 || info.Pending != 3 {
		t.Fatalf("before the flush Redis should carry 1 active and 3 pending deliveries: %+v, %v", info, err)
	}

	flush := a.Redis.Client.FlushAll
	if testrig.UsesRealRedis() {
		flush = a.Redis.Client.FlushDB
	}
	if err := flush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if info, err := asynq.NewInspectorFromRedisClient(a.Redis.Client).GetQueueInfo(faultQueueName(cfg, "deliver")); err == nil && info.Active != 0 {
		t.Fatalf("the flush left %d active deliveries in Redis", info.Active)
	}
	gate.release() // the held delivery goes on, after its task is gone from Redis

	f.assertEveryoneOnce(t, a, v, act, 1)
	if n := gate.abandons.Load(); n != 0 {
		t.Errorf("%d held deliveries were abandoned by A", n)
	}
}

// TestWorkerKilledMidFanOut: A's only worker is a separate process (the test
// binary re-executed). Every delivery it starts hangs at the receivers; it is
// killed with SIGKILL with all five in flight. A worker started in this
// process takes the deliveries over once their leases run out, and every
// receiver ends with exactly one copy.
func TestWorkerKilledMidFanOut(t *testing.T) {
	cfg := testrig.Config(t)
	if cfg.RedisURL == "" {
		// Two processes need one Redis: a standalone one stands in for the
		// embedded server, which lives inside a single process.
		cfg.RedisURL = "redis://" + miniredis.RunT(t).Addr()
	}
	a := testrig.StartInstance(t, cfg, testrig.OnHost("127.0.0.1"), testrig.Role(config.RoleWeb))
	gate := newFaultGate(func(int) bool { return true })
	t.Cleanup(gate.release)
	f := startFaultFanOut(t, gate)

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), faultChildEnv+"=1",
		"ASSAY_DATA_DIR="+cfg.DataDir, "ASSAY_DATABASE_URL="+cfg.DatabaseURL,
		"ASSAY_REDIS_URL="+cfg.RedisURL, "ASSAY_REDIS_NAMESPACE="+cfg.RedisNamespace,
		"ASSAY_PUBLIC_URL="+a.URL, "ASSAY_ROLE=worker", "ASSAY_LISTEN=127.0.0.1:0",
		"ASSAY_ALLOW_PRIVATE_NETWORKS=true", "ASSAY_WORKER_CONCURRENCY=8",
		"ASSAY_SWEEP_INTERVAL="+cfg.SweepInterval.String(), "ASSAY_JOB_LEASE="+cfg.JobLease.String(),
		"ASSAY_RETRY_BASE="+cfg.RetryBase.String())
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })

	// The child does A's follow work too, then takes the fan-out.
	alice := a.CreateUser("alice", false)
	faultFollowAlice(t, a, alice, f.all()...)
	v := a.PublishVideo(alice, testrig.VideoFixture{Title: "Night bus"})
	act := faultCreateOf(t, a, v.URI)
	testrig.Eventually(t, faultWait, "the child worker never had all five deliveries in flight", func() bool {
		return gate.held.Load() == int32(len(f.inboxes))
	})
	if err := child.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	mid := faultDeliveries(t, a, act)
	if got := faultInboxes(mid); !slices.Equal(got, f.inboxes) {
		t.Fatalf("deliveries go to %v, want %v", got, f.inboxes)
	}
	for _, d := range mid {
		if d.State != model.JobRunning || d.Attempts != 1 {
			t.Fatalf("after the kill every delivery should be running its first attempt; %s is %s/%d", d.Inbox, d.State, d.Attempts)
		}
	}
	// The receivers see the dead worker's connections close; only then is
	// the gate opened, so nothing the dead worker sent reaches an inbox.
	testrig.Eventually(t, faultWait, "the receivers never noticed the worker's death", func() bool {
		return gate.held.Load() == 0
	})
	if n := gate.abandons.Load(); n != int32(len(f.inboxes)) {
		t.Fatalf("%d held deliveries were abandoned, want %d", n, len(f.inboxes))
	}
	gate.release()
	for _, r := range f.all() {
		if faultHasVideo(t, r, v) {
			t.Fatalf("%s has the video before any delivery got through", domainOf(r.inst))
		}
	}

	if err := a.Jobs.StartWorker(); err != nil {
		t.Fatal(err)
	}
	f.assertEveryoneOnce(t, a, v, act, 2)
}

// runFaultChildWorker is A's killable worker process.
func runFaultChildWorker() int {
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if err := a.Jobs.StartWorker(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	select {} // until SIGKILL
}
