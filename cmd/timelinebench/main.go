// Command timelinebench measures filtered timeline pages under concurrent
// load (issue 5): with -videos videos in a fresh PostgreSQL database, -clients
// concurrent HTTP clients fetch GET /api/v1/timelines/KIND?media=M&limit=N
// for -duration each, and the latency percentiles and request rate are
// printed, with EXPLAIN (ANALYZE, BUFFERS) of every query one page runs.
//
//	go run ./cmd/timelinebench                                   # local and federated, media=human
//	go run ./cmd/timelinebench -timelines local -media all,human,ai
//	go run ./cmd/timelinebench -think 100ms                      # each client pauses between pages
//	go run ./cmd/timelinebench -deep                             # pages behind a random max_id
//
// The instance is built in-process by app.New, exactly as `assay serve`
// builds it (ASSAY_ROLE=web: no workers; embedded Redis), listening on a
// 127.0.0.1 port, in a fresh PostgreSQL database created from -db and
// dropped at the end. The seed goes straight into that database through the
// store's bun handle, in multi-row INSERTs: -accounts accounts (half local,
// half spread over ten remote domains) and -videos videos among them, newest
// last, one every ~5 minutes back from now, each synthetic with probability
// -synthetic-share, 2 % not ready and 2 % not public, each with an original
// MP4, a rendition and a thumbnail in media_files and one or two tags; then
// ANALYZE. Only what the timed requests do is timed: the seed is not.
//
// -index adds one CREATE INDEX after the seed (an experiment for a proposed
// index) and -drop-index drops one (to measure without an index a migration
// created); both are followed by ANALYZE.
//
// By default every client asks for the first page, which the instance keeps
// in memory for up to a second (store.timelineHeads); -deep asks for pages
// behind random max_ids instead, each read from the database.
//
// It talks to 127.0.0.1 only, every phase is bounded, and it stops by itself.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/uptrace/bun"

	"github.com/assay-social/assay/internal/benchkit"
	"github.com/assay-social/assay/internal/model"
)

// Targets from the issue.
const targetP99 = 20 * time.Millisecond

type options struct {
	db             string
	videos         int
	accounts       int
	syntheticShare float64
	clients        int
	duration       time.Duration
	warmup         time.Duration
	think          time.Duration
	timelines      []string
	media          []string
	limit          int
	index          string
	dropIndex      string
	seed           uint64
	explain        bool
	deep           bool
	quiet          float64
	quietWait      time.Duration
	cpuProfile     string
}

func main() {
	var o options
	var timelines, media string
	flag.StringVar(&o.db, "db", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL URL to create a fresh database from")
	flag.IntVar(&o.videos, "videos", 100_000, "videos to seed")
	flag.IntVar(&o.accounts, "accounts", 200, "accounts to seed (half local, half remote)")
	flag.Float64Var(&o.syntheticShare, "synthetic-share", 0.5, "share of seeded videos that are synthetic")
	flag.IntVar(&o.clients, "clients", 50, "concurrent HTTP clients")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "timed load per timeline and filter")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "untimed load before each timed phase")
	flag.DurationVar(&o.think, "think", 0, "pause of each client between two pages (0: closed loop, the next request as soon as the answer is read)")
	flag.StringVar(&timelines, "timelines", "local,federated", "comma-separated timelines to load: local, federated")
	flag.StringVar(&media, "media", "human", "comma-separated media filters: all, human, ai")
	flag.IntVar(&o.limit, "limit", 20, "page size (limit=)")
	flag.StringVar(&o.index, "index", "", "experiment: a CREATE INDEX statement run after the seed")
	flag.StringVar(&o.dropIndex, "drop-index", "", "experiment: an index to drop after the seed (e.g. one a migration created)")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed of the data set")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of this process (server and clients) during the timed load")
	flag.BoolVar(&o.deep, "deep", false, "ask for pages behind random max_ids (never kept in memory) instead of the first page")
	flag.BoolVar(&o.explain, "explain", true, "print EXPLAIN (ANALYZE, BUFFERS) of each query of one page")
	flag.Float64Var(&o.quiet, "quiet", 0, "before each timed phase, wait until the machine has this many idle cores over one second (0: don't wait)")
	flag.DurationVar(&o.quietWait, "quiet-wait", 3*time.Minute, "with -quiet: wait at most this long each time")
	flag.Parse()
	o.timelines = strings.Split(timelines, ",")
	o.media = strings.Split(media, ",")
	for _, t := range o.timelines {
		if t != "local" && t != "federated" {
			fmt.Fprintf(os.Stderr, "timelinebench: -timelines: unknown %q\n", t)
			os.Exit(2)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintf(os.Stderr, "timelinebench: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	fmt.Printf("timelinebench: %d videos, %d accounts, %d clients, %v per phase (+%v warm-up), think %v; %s; GOMAXPROCS=%d, NumCPU=%d; load average %s\n",
		o.videos, o.accounts, o.clients, o.duration, o.warmup, o.think, runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU(), benchkit.LoadAvg())

	inst, err := benchkit.StartInstance(ctx, o.db, "timelinebench")
	if err != nil {
		return err
	}
	defer inst.Close()
	db, base := inst.DB, inst.Base
	capture := &queryCapture{}
	db.AddQueryHook(capture)

	start := time.Now()
	counts, err := seed(ctx, db, o)
	if err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Printf("seeded in %.1f s: %s\n", time.Since(start).Seconds(), counts)
	if o.dropIndex != "" {
		if _, err := db.ExecContext(ctx, "DROP INDEX "+o.dropIndex); err != nil {
			return fmt.Errorf("-drop-index: %w", err)
		}
		fmt.Printf("dropped index %s\n", o.dropIndex)
	}
	if o.index != "" {
		t := time.Now()
		if _, err := db.ExecContext(ctx, o.index); err != nil {
			return fmt.Errorf("-index: %w", err)
		}
		fmt.Printf("created in %.1f s: %s\n", time.Since(t).Seconds(), o.index)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return err
	}
	var indexes []string
	if err := db.NewRaw("SELECT indexdef FROM pg_indexes WHERE tablename = 'videos' ORDER BY indexname").Scan(ctx, &indexes); err != nil {
		return err
	}
	fmt.Printf("indexes on videos:\n  %s\n", strings.Join(indexes, "\n  "))

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: o.clients * 2, MaxIdleConnsPerHost: o.clients * 2, IdleConnTimeout: time.Minute,
	}}
	defer client.CloseIdleConnections()

	var maxIDs []string
	if o.deep {
		err := db.NewRaw("SELECT id FROM videos ORDER BY md5(id) LIMIT 5000").Scan(ctx, &maxIDs)
		if err != nil {
			return err
		}
	}
	var verdicts []string
	for _, kind := range o.timelines {
		for _, m := range o.media {
			target := fmt.Sprintf("%s/api/v1/timelines/%s?media=%s&limit=%d", base, kind, m, o.limit)
			// One page with the query hook on: check the answer and explain
			// every statement it ran.
			capture.start()
			if err := checkPage(ctx, client, target, m, o.limit); err != nil {
				return err
			}
			queries := capture.stop()
			fmt.Printf("\n=== GET %s\n", strings.TrimPrefix(target, base))
			if o.explain {
				for _, q := range queries {
					if err := explain(ctx, db, q); err != nil {
						return err
					}
				}
			}
			waitQuiet(ctx, o)
			fmt.Printf("\nload: %d clients, think %v; load average before %s\n", o.clients, o.think, benchkit.LoadAvg())
			stopProfile := benchkit.StartProfile(o.cpuProfile, kind+"-"+m)
			targets := []string{target}
			for _, id := range maxIDs {
				targets = append(targets, target+"&max_id="+id)
			}
			if len(maxIDs) > 0 {
				targets = targets[1:]
			}
			res, err := load(ctx, client, targets, o)
			stopProfile()
			if err != nil {
				return err
			}
			fmt.Print(res)
			v := "PASS"
			if res.p(99) >= targetP99 {
				v = "FAIL"
			}
			verdicts = append(verdicts, fmt.Sprintf("%s media=%s: p99 %s (target < %v) %s", kind, m, ms(res.p(99)), targetP99, v))
		}
	}
	fmt.Println()
	for _, v := range verdicts {
		fmt.Println("verdict:", v)
	}
	return nil
}

// seedCounts says what seed wrote.
type seedCounts struct{ accounts, videos, synthetic, localVideos, media, tags int }

func (c seedCounts) String() string {
	return fmt.Sprintf("%d accounts, %d videos (%d synthetic, %d local), %d media files, %d tags",
		c.accounts, c.videos, c.synthetic, c.localVideos, c.media, c.tags)
}

// seed writes the accounts, videos, media files and tags in batches.
func seed(ctx context.Context, db *bun.DB, o options) (seedCounts, error) {
	rng := mrand.New(mrand.NewPCG(o.seed, 2))
	now := time.Now().UTC()
	var c seedCounts
	accounts := make([]*model.Account, o.accounts)
	for i := range accounts {
		domain := ""
		if i%2 == 1 {
			domain = fmt.Sprintf("remote%d.example", i%10)
		}
		name := fmt.Sprintf("user%d", i)
		host := domain
		if host == "" {
			host = "local.example"
		}
		uri := "https://" + host + "/users/" + name
		accounts[i] = &model.Account{
			ID: model.NewID(), Username: name, Domain: domain, DisplayName: "User " + strconv.Itoa(i),
			Summary: "Short clips, mostly outdoors.", URI: uri, URL: "https://" + host + "/@" + name,
			InboxURI: uri + "/inbox", SharedInboxURI: "https://" + host + "/inbox", OutboxURI: uri + "/outbox",
			FollowersURI: uri + "/followers", FollowingURI: uri + "/following", PublicKeyURI: uri + "#main-key",
			PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", ActorType: "Person",
			IconURL: "https://" + host + "/avatars/" + name + ".png", CreatedAt: now, UpdatedAt: now,
		}
	}
	if _, err := db.NewInsert().Model(&accounts).Exec(ctx); err != nil {
		return c, err
	}
	c.accounts = len(accounts)

	const batch = 1000
	entropy := ulid.Monotonic(rand.Reader, 0)
	t := now.Add(-time.Duration(o.videos) * 5 * time.Minute)
	tags := []string{"nature", "city", "music", "cats", "sora", "travel", "food", "sport"}
	for done := 0; done < o.videos; {
		n := min(batch, o.videos-done)
		videos := make([]*model.Video, 0, n)
		media := make([]*model.MediaFile, 0, 3*n)
		var vtags []*model.VideoTag
		for range n {
			t = t.Add(time.Duration(240+rng.IntN(120)) * time.Second)
			acc := accounts[rng.IntN(len(accounts))]
			id := ulid.MustNew(ulid.Timestamp(t), entropy).String()
			v := &model.Video{
				ID: id, AccountID: acc.ID, Local: acc.Domain == "", URI: acc.URI + "/videos/" + id,
				URL: acc.URL + "/videos/" + id, ObjectType: "Video", Title: "Clip " + id[len(id)-6:],
				Description: "A short clip for the timeline benchmark, with a sentence or two of text.",
				State:       model.VideoReady, DurationSeconds: float64(5 + rng.IntN(55)), Public: true,
				ThumbnailURL: acc.URL + "/videos/" + id + "/thumb.jpg", LikesCount: rng.IntN(50),
				PublishedAt: t, CreatedAt: t, UpdatedAt: t,
			}
			if rng.Float64() < o.syntheticShare {
				v.Synthetic = true
				v.DigitalSourceType = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
				v.LabelSource = model.LabelDeclared
				v.LabelDetail = "declared by the uploader"
				c.synthetic++
			}
			switch r := rng.IntN(100); {
			case r < 2:
				v.State = model.VideoProcessing
			case r < 4:
				v.Public = false
			}
			if v.Local {
				c.localVideos++
			}
			videos = append(videos, v)
			for _, f := range []struct {
				role, mime string
				w, h       int
			}{{model.MediaOriginal, "video/mp4", 1080, 1920}, {model.MediaRendition, "video/mp4", 480, 854}, {model.MediaThumbnail, "image/jpeg", 480, 854}} {
				media = append(media, &model.MediaFile{
					ID: model.NewID(), VideoID: id, Role: f.role, URL: v.URL + "/" + f.role, MimeType: f.mime,
					Width: f.w, Height: f.h, Size: int64(100_000 + rng.IntN(20_000_000)), CreatedAt: t,
				})
			}
			for k := range 1 + rng.IntN(2) {
				vtags = append(vtags, &model.VideoTag{VideoID: id, Name: tags[(rng.IntN(len(tags))+k)%len(tags)]})
			}
		}
		if _, err := db.NewInsert().Model(&videos).Exec(ctx); err != nil {
			return c, err
		}
		if _, err := db.NewInsert().Model(&media).Exec(ctx); err != nil {
			return c, err
		}
		if _, err := db.NewInsert().Model(&vtags).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return c, err
		}
		done += n
		c.videos += n
		c.media += len(media)
		c.tags += len(vtags)
	}
	return c, nil
}

// queryCapture records the statements run while it is on.
type queryCapture struct {
	on      atomic.Bool
	mu      sync.Mutex
	queries []string
}

func (q *queryCapture) start() {
	q.mu.Lock()
	q.queries = nil
	q.mu.Unlock()
	q.on.Store(true)
}

func (q *queryCapture) stop() []string {
	q.on.Store(false)
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queries
}

func (q *queryCapture) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (q *queryCapture) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if !q.on.Load() {
		return
	}
	q.mu.Lock()
	q.queries = append(q.queries, e.Query)
	q.mu.Unlock()
}

// explain prints a statement and its EXPLAIN (ANALYZE, BUFFERS).
func explain(ctx context.Context, db *bun.DB, query string) error {
	var lines []string
	if err := db.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+query).Scan(ctx, &lines); err != nil {
		return fmt.Errorf("explaining %s: %w", query, err)
	}
	fmt.Printf("\n%s\n  %s\n", query, strings.Join(lines, "\n  "))
	return nil
}

// checkPage fetches one page and checks it is full and filtered right.
func checkPage(ctx context.Context, client *http.Client, target, media string, limit int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("GET %s: %s: %s", target, resp.Status, b)
	}
	var page []struct {
		Synthetic bool `json:"synthetic"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return fmt.Errorf("GET %s: %w", target, err)
	}
	if len(page) != limit {
		return fmt.Errorf("GET %s: %d items, want %d", target, len(page), limit)
	}
	for _, v := range page {
		if (media == "human" && v.Synthetic) || (media == "ai" && !v.Synthetic) {
			return fmt.Errorf("GET %s: an item with synthetic=%v", target, v.Synthetic)
		}
	}
	return nil
}

// result is one timed phase.
type result struct {
	lat        []time.Duration // sorted
	errors     int64
	bytes      int64
	elapsed    time.Duration
	cpu        machineCPU
	selfCPU    float64 // seconds: this process (instance and clients)
	postgres   float64 // seconds: all postgres processes, exited backends included
	loadBefore string
	loadAfter  string
}

func (r *result) p(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat))*q/100+0.5) - 1
	return r.lat[max(0, min(i, len(r.lat)-1))]
}

func (r *result) String() string {
	var b strings.Builder
	n := len(r.lat)
	fmt.Fprintf(&b, "requests: %d in %.1f s = %.0f req/s, %d errors, %.1f KiB per answer\n",
		n, r.elapsed.Seconds(), float64(n)/r.elapsed.Seconds(), r.errors, float64(r.bytes)/float64(max(n, 1))/1024)
	var sum time.Duration
	for _, d := range r.lat {
		sum += d
	}
	fmt.Fprintf(&b, "latency: p50 %s  p90 %s  p99 %s  max %s  mean %s (target p99 < %v)\n",
		ms(r.p(50)), ms(r.p(90)), ms(r.p(99)), ms(r.lat[n-1]), ms(sum/time.Duration(max(n, 1))), targetP99)
	wall := r.cpu.all / float64(runtime.NumCPU())
	fmt.Fprintf(&b, "cores during the phase (of %d): this process %.2f, postgres %.2f, others %.2f, idle %.2f; load average %s -> %s\n",
		runtime.NumCPU(), r.selfCPU/wall, r.postgres/wall, max(0, r.cpu.busy-r.selfCPU-r.postgres)/wall, (r.cpu.all-r.cpu.busy)/wall,
		r.loadBefore, r.loadAfter)
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// load runs o.clients clients against target: o.warmup untimed, then
// o.duration timed.
func load(ctx context.Context, client *http.Client, targets []string, o options) (*result, error) {
	var recording atomic.Bool
	stopAt := time.Now().Add(o.warmup + o.duration)
	lats := make([][]time.Duration, o.clients)
	var errs, bytes atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for i := range o.clients {
		wg.Go(func() {
			buf := make([]byte, 32<<10)
			for k := i; time.Now().Before(stopAt) && ctx.Err() == nil; k += o.clients {
				t0 := time.Now()
				n, err := get(ctx, client, targets[k%len(targets)], buf)
				d := time.Since(t0)
				if recording.Load() {
					if err != nil {
						errs.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
					} else {
						lats[i] = append(lats[i], d)
						bytes.Add(n)
					}
				}
				if o.think > 0 {
					time.Sleep(o.think)
				}
			}
		})
	}
	select {
	case <-time.After(o.warmup):
	case <-ctx.Done():
	}
	r := &result{loadBefore: benchkit.LoadAvg()}
	cpu0, self0, pg0 := takeMachineCPU(), procCPU("/proc/self/stat"), postgresCPU()
	t0 := time.Now()
	recording.Store(true)
	select {
	case <-time.After(o.duration):
	case <-ctx.Done():
	}
	recording.Store(false)
	r.elapsed = time.Since(t0)
	cpu1, self1, pg1 := takeMachineCPU(), procCPU("/proc/self/stat"), postgresCPU()
	r.loadAfter = benchkit.LoadAvg()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.cpu = machineCPU{busy: cpu1.busy - cpu0.busy, all: cpu1.all - cpu0.all}
	r.selfCPU, r.postgres = self1-self0, pg1-pg0
	for _, l := range lats {
		r.lat = append(r.lat, l...)
	}
	slices.Sort(r.lat)
	r.errors, r.bytes = errs.Load(), bytes.Load()
	if len(r.lat) == 0 {
		return nil, fmt.Errorf("no successful request (first error: %v)", firstErr.Load())
	}
	if e := firstErr.Load(); e != nil {
		fmt.Printf("first error: %v\n", e)
	}
	return r, nil
}

// waitQuiet waits, at most o.quietWait, for o.quiet idle cores over one
// second: the machine is shared with other people's builds and tests.
func waitQuiet(ctx context.Context, o options) {
	if o.quiet <= 0 {
		return
	}
	deadline := time.Now().Add(o.quietWait)
	for {
		a := takeMachineCPU()
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		b := takeMachineCPU()
		idle := ((b.all - b.busy) - (a.all - a.busy)) / (b.all - a.all) * float64(runtime.NumCPU())
		if idle >= o.quiet {
			fmt.Printf("quiet: %.2f idle cores\n", idle)
			return
		}
		if time.Now().After(deadline) {
			fmt.Printf("quiet: gave up after %v (last second: %.2f idle cores)\n", o.quietWait, idle)
			return
		}
	}
}

// get fetches target and reads the whole answer.
func get(ctx context.Context, client *http.Client, target string, buf []byte) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var n int64
	for {
		k, err := resp.Body.Read(buf)
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, err
		}
	}
	if resp.StatusCode != http.StatusOK {
		return n, fmt.Errorf("status %s", resp.Status)
	}
	return n, nil
}

// machineCPU is the machine's CPU time in seconds, summed over all cores.
type machineCPU struct{ busy, all float64 }

// takeMachineCPU reads the first line of /proc/stat.
func takeMachineCPU() machineCPU {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var m machineCPU
	for i, s := range f[1:] {
		v, _ := strconv.ParseFloat(s, 64)
		if i >= 8 { // guest time is already in user
			break
		}
		m.all += v
		if i != 3 && i != 4 { // idle, iowait
			m.busy += v
		}
	}
	m.all /= clockTicks
	m.busy /= clockTicks
	return m
}

const clockTicks = 100 // USER_HZ

// procCPU is the user+system CPU of one process, in seconds.
func procCPU(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return fieldsCPU(string(b), 11, 12)
}

// fieldsCPU adds two fields (counted after the command name) of a
// /proc/PID/stat line, in seconds.
func fieldsCPU(stat string, i, j int) float64 {
	k := strings.LastIndexByte(stat, ')')
	if k < 0 {
		return 0
	}
	f := strings.Fields(stat[k+1:])
	if len(f) <= j {
		return 0
	}
	u, _ := strconv.ParseFloat(f[i], 64)
	s, _ := strconv.ParseFloat(f[j], 64)
	return (u + s) / clockTicks
}

// postgresCPU sums the CPU of every postgres process, with the reaped
// children of each (the postmaster forks a backend per connection). Other
// sessions use the same server, so this can only over-count ours.
func postgresCPU() float64 {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var sum float64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if i < 0 || j < i || s[i+1:j] != "postgres" {
			continue
		}
		sum += fieldsCPU(s, 11, 12) + fieldsCPU(s, 13, 14)
	}
	return sum
}
