// Command webbench measures the HTML pages under concurrent load (issue 7):
// with a few hundred videos in a fresh PostgreSQL database, -clients
// concurrent clients fetch each page for -duration, and the request rate and
// latency percentiles are printed per page, then the watch page's weight:
// its HTML and the CSS and scripts it references, without the video and
// images.
//
//	go run ./cmd/webbench
//	go run ./cmd/webbench -clients 20 -duration 5s -videos 300
//
// The instance is built in-process by app.New, exactly as `assay serve`
// builds it (ASSAY_ROLE=web: no workers; embedded Redis), listening on a
// 127.0.0.1 port, in a fresh PostgreSQL database created from -db and
// dropped at the end (as cmd/timelinebench does). The seed goes straight into
// that database: -creators local accounts and ten remote ones, -videos videos
// among them (half labelled AI, each with a rendition, a thumbnail and a tag),
// and one user, "viewer", who follows half the local creators and logs in
// through the login form for the pages that need a session. Only the timed
// requests are timed.
//
// It talks to 127.0.0.1 only, every phase is bounded, and it stops by itself.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/uptrace/bun"
	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/benchkit"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/provenance"
)

// Targets from the issue.
const (
	targetP99        = 20 * time.Millisecond
	targetWatchBytes = 100 << 10
)

type options struct {
	db       string
	videos   int
	creators int
	clients  int
	duration time.Duration
	warmup   time.Duration
	seed     uint64
	pages    string
	profile  string
}

func main() {
	var o options
	flag.StringVar(&o.db, "db", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL URL to create a fresh database from")
	flag.IntVar(&o.videos, "videos", 300, "videos to seed")
	flag.IntVar(&o.creators, "creators", 20, "local accounts the videos are spread over (plus ten remote ones)")
	flag.IntVar(&o.clients, "clients", 20, "concurrent HTTP clients")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "timed load per page")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "untimed load before each timed phase")
	flag.StringVar(&o.pages, "pages", "", "comma-separated pages to load, by the start of their name (\"home\", \"upload\"); empty: all")
	flag.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of this process (server and clients) per page to PATH-PAGE.pprof")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed of the data set")
	flag.Parse()
	if o.videos < 1 || o.creators < 2 || o.clients < 1 || o.duration <= 0 || o.warmup < 0 {
		fmt.Fprintln(os.Stderr, "webbench: -videos and -clients must be at least 1, -creators at least 2, -duration positive")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintf(os.Stderr, "webbench: %v\n", err)
		os.Exit(1)
	}
}

// target is one page under load.
type target struct {
	name     string
	path     string
	loggedIn bool
}

func run(ctx context.Context, o options) error {
	fmt.Printf("webbench: %d videos, %d local creators, %d clients, %v per page (+%v warm-up); %s; GOMAXPROCS=%d, NumCPU=%d; load average %s\n",
		o.videos, o.creators, o.clients, o.duration, o.warmup, runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU(), benchkit.LoadAvg())

	inst, err := benchkit.StartInstance(ctx, o.db, "webbench")
	if err != nil {
		return err
	}
	defer inst.Close()
	a, db, base := inst.App, inst.DB, inst.Base

	const password = "webbench password"
	viewer, err := a.Accounts.Create(ctx, accounts.NewUser{Username: "viewer", Password: password})
	if err != nil {
		return fmt.Errorf("creating the viewer: %w", err)
	}
	start := time.Now()
	s, err := seed(ctx, db, base, viewer.AccountID, o)
	if err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return err
	}
	fmt.Printf("seeded in %.1f s: %d videos (%d labelled AI), viewer follows %d accounts\n",
		time.Since(start).Seconds(), o.videos, s.synthetic, s.follows)

	transport := &http.Transport{Proxy: nil, MaxIdleConns: o.clients * 2, MaxIdleConnsPerHost: o.clients * 2, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	anonymous := &http.Client{Timeout: 10 * time.Second, Transport: transport}
	jar, _ := cookiejar.New(nil)
	session := &http.Client{Timeout: 10 * time.Second, Transport: transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if err := login(ctx, session, base, "viewer", password); err != nil {
		return err
	}

	targets := []target{
		{"home, All", "/", true},
		{"home, Human", "/?media=human", true},
		{"home, AI", "/?media=ai", true},
		{"local (logged out)", "/?timeline=local", false},
		{"profile", "/@" + s.profile, false},
		{"tag", "/tags/" + s.tag, false},
		{"watch (AI clip)", "/videos/" + s.watch, false},
		{"upload", "/upload", true},
		{"login", "/login", false},
	}
	fmt.Printf("\n%-20s %-38s %9s %9s %9s %9s %7s  %s\n", "page", "path", "req/s", "p50", "p90", "p99", "KiB", "p99 < 20 ms")
	var failed []string
	for _, tg := range targets {
		if !o.wants(tg.name) {
			continue
		}
		client := anonymous
		if tg.loggedIn {
			client = session
		}
		if _, err := get(ctx, client, base+tg.path, make([]byte, 32<<10)); err != nil {
			return fmt.Errorf("%s: %w", tg.path, err)
		}
		stopProfile := benchkit.StartProfile(o.profile, strings.NewReplacer(" ", "", ",", "-", "(", "", ")", "").Replace(tg.name))
		res, err := load(ctx, client, base+tg.path, o)
		stopProfile()
		if err != nil {
			return fmt.Errorf("%s: %w", tg.path, err)
		}
		verdict := "PASS"
		if res.p(99) >= targetP99 {
			verdict = "FAIL"
			failed = append(failed, tg.name)
		}
		fmt.Printf("%-20s %-38s %9.0f %9s %9s %9s %7.1f  %s (load %s -> %s, %d errors)\n", tg.name, tg.path,
			float64(len(res.lat))/res.elapsed.Seconds(), ms(res.p(50)), ms(res.p(90)), ms(res.p(99)),
			float64(res.bytes)/float64(len(res.lat))/1024, verdict, res.loadBefore, res.loadAfter, res.errors)
	}

	weight, parts, err := pageWeight(ctx, anonymous, base, "/videos/"+s.watch)
	if err != nil {
		return err
	}
	verdict := "PASS"
	if weight >= targetWatchBytes {
		verdict = "FAIL"
	}
	fmt.Printf("\nwatch page weight without the video and images: %.1f KiB (%s) — target < 100 KiB: %s\n",
		float64(weight)/1024, strings.Join(parts, ", "), verdict)
	if len(failed) > 0 {
		fmt.Printf("p99 target missed on: %s\n", strings.Join(failed, ", "))
	} else {
		fmt.Println("p99 under 20 ms on every page")
	}
	return nil
}

// seeded says what the pages under load show.
type seeded struct {
	synthetic, follows int
	profile, tag       string // a local creator and a tag with clips
	watch              string // a labelled clip
}

// seed writes the creators, their videos (with a rendition, a thumbnail and
// a tag each) and the viewer's follows.
func seed(ctx context.Context, db *bun.DB, base, viewerID string, o options) (seeded, error) {
	rng := mrand.New(mrand.NewPCG(o.seed, 7))
	now := time.Now().UTC()
	var s seeded
	var accts []*model.Account
	for i := range o.creators + 10 {
		name, domain, host := fmt.Sprintf("creator%d", i), "", strings.TrimPrefix(base, "http://")
		if i >= o.creators {
			domain = fmt.Sprintf("remote%d.example", i-o.creators)
			host = domain
		}
		scheme := "https://"
		if domain == "" {
			scheme = "http://"
		}
		uri := scheme + host + "/users/" + name
		accts = append(accts, &model.Account{
			ID: model.NewID(), Username: name, Domain: domain, DisplayName: fmt.Sprintf("Creator %d", i),
			Summary: "Short clips, mostly outdoors.", URI: uri, URL: scheme + host + "/@" + name,
			InboxURI: uri + "/inbox", SharedInboxURI: scheme + host + "/inbox", OutboxURI: uri + "/outbox",
			FollowersURI: uri + "/followers", FollowingURI: uri + "/following", PublicKeyURI: uri + "#main-key",
			PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", ActorType: "Person",
			CreatedAt: now, UpdatedAt: now,
		})
	}
	if _, err := db.NewInsert().Model(&accts).Exec(ctx); err != nil {
		return s, err
	}
	s.profile = accts[0].Username
	var follows []*model.Follow
	for _, a := range accts[:o.creators/2] {
		follows = append(follows, &model.Follow{ID: model.NewID(), AccountID: viewerID, TargetAccountID: a.ID,
			URI: base + "/follows/" + model.NewID(), State: model.FollowAccepted, CreatedAt: now, UpdatedAt: now})
	}
	if _, err := db.NewInsert().Model(&follows).Exec(ctx); err != nil {
		return s, err
	}
	s.follows = len(follows)

	tags := []string{"sea", "city", "music", "cats", "travel"}
	s.tag = tags[0]
	entropy := ulid.Monotonic(rand.Reader, 0)
	t := now.Add(-time.Duration(o.videos) * 5 * time.Minute)
	var vs []*model.Video
	var media []*model.MediaFile
	var vtags []*model.VideoTag
	for range o.videos {
		t = t.Add(time.Duration(240+rng.IntN(120)) * time.Second)
		acc := accts[rng.IntN(len(accts))]
		id := ulid.MustNew(ulid.Timestamp(t), entropy).String()
		local := acc.Domain == ""
		page, file := acc.URL+"/videos/"+id, acc.URL+"/media/"+id
		if local {
			page, file = base+"/videos/"+id, base+"/media/"+id
		}
		tag := tags[rng.IntN(len(tags))]
		v := &model.Video{
			ID: id, AccountID: acc.ID, Local: local, URI: page, URL: page, ObjectType: "Video",
			Title:       "Clip " + id[len(id)-6:],
			Description: "A short clip for the web benchmark, with a sentence or two of text. #" + tag,
			State:       model.VideoReady, DurationSeconds: float64(5 + rng.IntN(55)), Public: true,
			ThumbnailURL: file + "-thumb.jpg", LikesCount: rng.IntN(50), BoostsCount: rng.IntN(10),
			PublishedAt: t, CreatedAt: t, UpdatedAt: t,
		}
		if rng.IntN(2) == 0 {
			v.Synthetic, v.DigitalSourceType, v.LabelSource = true, provenance.TrainedAlgorithmicMedia, model.LabelDeclared
			s.synthetic++
			if local {
				s.watch = id
			}
		}
		vs = append(vs, v)
		media = append(media,
			&model.MediaFile{ID: model.NewID(), VideoID: id, Role: model.MediaRendition, URL: file + "-720.mp4", MimeType: "video/mp4",
				Width: 720, Height: 1280, Size: int64(1_000_000 + rng.IntN(5_000_000)), CreatedAt: t},
			&model.MediaFile{ID: model.NewID(), VideoID: id, Role: model.MediaThumbnail, URL: file + "-thumb.jpg", MimeType: "image/jpeg",
				Width: 360, Height: 640, Size: 30_000, CreatedAt: t})
		vtags = append(vtags, &model.VideoTag{VideoID: id, Name: tag})
	}
	if s.watch == "" {
		return s, errors.New("no local labelled clip was seeded: raise -videos")
	}
	for _, q := range []*bun.InsertQuery{db.NewInsert().Model(&vs), db.NewInsert().Model(&media), db.NewInsert().Model(&vtags)} {
		if _, err := q.Exec(ctx); err != nil {
			return s, err
		}
	}
	return s, nil
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// login logs client in through the login form, as a browser does.
func login(ctx context.Context, client *http.Client, base, username, password string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/login", nil)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return errors.New("no CSRF token on /login")
	}
	form := url.Values{"csrf_token": {string(m[1])}, "username": {username}, "password": {password}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("logging in: %s", resp.Status)
	}
	return nil
}

// pageWeight is the bytes of a page's HTML and of the stylesheets and
// scripts it references; media and images are left out.
func pageWeight(ctx context.Context, client *http.Client, base, path string) (int64, []string, error) {
	body, err := fetch(ctx, client, base+path)
	if err != nil {
		return 0, nil, err
	}
	total := int64(len(body))
	parts := []string{fmt.Sprintf("HTML %.1f KiB", float64(len(body))/1024)}
	var refs []string
	z := html.NewTokenizer(strings.NewReader(string(body)))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		attrs := map[string]string{}
		for _, a := range tok.Attr {
			attrs[a.Key] = a.Val
		}
		switch {
		case tok.Data == "link" && attrs["rel"] == "stylesheet":
			refs = append(refs, attrs["href"])
		case tok.Data == "script" && attrs["src"] != "":
			refs = append(refs, attrs["src"])
		}
	}
	baseURL, err := url.Parse(base + path)
	if err != nil {
		return 0, nil, err
	}
	for _, ref := range refs {
		u, err := baseURL.Parse(ref)
		if err != nil {
			return 0, nil, err
		}
		b, err := fetch(ctx, client, u.String())
		if err != nil {
			return 0, nil, err
		}
		total += int64(len(b))
		parts = append(parts, fmt.Sprintf("%s %.1f KiB", ref[strings.LastIndexByte(ref, '/')+1:], float64(len(b))/1024))
	}
	return total, parts, nil
}

func fetch(ctx context.Context, client *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return b, err
}

// result is one timed phase.
type result struct {
	lat        []time.Duration // sorted
	errors     int64
	bytes      int64
	elapsed    time.Duration
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

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// load runs o.clients clients against target: o.warmup untimed, then
// o.duration timed.
// wants reports whether -pages names the page.
func (o options) wants(name string) bool {
	if o.pages == "" {
		return true
	}
	for _, p := range strings.Split(o.pages, ",") {
		if strings.HasPrefix(name, strings.TrimSpace(p)) {
			return true
		}
	}
	return false
}

func load(ctx context.Context, client *http.Client, target string, o options) (*result, error) {
	var recording atomic.Bool
	stopAt := time.Now().Add(o.warmup + o.duration)
	lats := make([][]time.Duration, o.clients)
	var errs, bytes atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for i := range o.clients {
		wg.Go(func() {
			buf := make([]byte, 32<<10)
			for time.Now().Before(stopAt) && ctx.Err() == nil {
				t0 := time.Now()
				n, err := get(ctx, client, target, buf)
				d := time.Since(t0)
				if !recording.Load() {
					continue
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				} else {
					lats[i] = append(lats[i], d)
					bytes.Add(n)
				}
			}
		})
	}
	select {
	case <-time.After(o.warmup):
	case <-ctx.Done():
	}
	r := &result{loadBefore: benchkit.LoadAvg()}
	t0 := time.Now()
	recording.Store(true)
	select {
	case <-time.After(o.duration):
	case <-ctx.Done():
	}
	recording.Store(false)
	r.elapsed = time.Since(t0)
	r.loadAfter = benchkit.LoadAvg()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, l := range lats {
		r.lat = append(r.lat, l...)
	}
	slices.Sort(r.lat)
	r.errors, r.bytes = errs.Load(), bytes.Load()
	if len(r.lat) == 0 {
		return nil, fmt.Errorf("no successful request (first error: %v)", firstErr.Load())
	}
	return r, nil
}

// get fetches target and reads the whole answer; anything but 200 is an error.
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
