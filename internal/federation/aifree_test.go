package federation_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/signing"
	"github.com/assay-social/assay/internal/testrig"
)

// inboxSpy records the bodies of activities POSTed to an instance's inboxes.
type inboxSpy struct {
	mu     sync.Mutex
	bodies []string
}

func (s *inboxSpy) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "inbox") {
			body, _ := io.ReadAll(r.Body)
			s.mu.Lock()
			s.bodies = append(s.bodies, string(body))
			s.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

func (s *inboxSpy) mentions(uri string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, b := range s.bodies {
		if strings.Contains(b, uri) {
			n++
		}
	}
	return n
}

func setAIFree(t *testing.T, inst *testrig.Instance, on bool) {
	t.Helper()
	if _, err := inst.Instance.Update(context.Background(), nil, instance.Change{AIFree: &on}); err != nil {
		t.Fatal(err)
	}
}

// waitJobsSettled waits until an instance has no pending or running jobs.
func waitJobsSettled(t *testing.T, inst *testrig.Instance) {
	t.Helper()
	testrig.Eventually(t, settle, "jobs never settled", func() bool {
		n, err := inst.Store.DB().NewSelect().Model((*model.Job)(nil)).
			Where("state IN (?, ?)", model.JobPending, model.JobRunning).Count(context.Background())
		return err == nil && n == 0
	})
}

// DESIGN §6 with three instances: A normal, B AI-free, C normal; followers
// of A on B and on C.
func TestAIFreeInstanceNeverReceivesSyntheticMedia(t *testing.T) {
	spy := &inboxSpy{}
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"), testrig.Wrap(spy.wrap))
	c := testrig.NewInstance(t, testrig.OnHost("127.0.0.3"))
	alice := a.CreateUser("alice", false)
	bob, dave := b.CreateUser("bob", false), b.CreateUser("dave", false)
	carol := c.CreateUser("carol", false)

	// B holds a labelled clip of its own from before the switch.
	earlier := b.PublishVideo(dave, testrig.VideoFixture{Title: "made before the switch", Synthetic: true})

	follow(t, b, bob.Token, "alice@"+domainOf(a))
	follow(t, c, carol.Token, "alice@"+domainOf(a))
	follow(t, b, dave.Token, "carol@"+domainOf(c))
	testrig.Eventually(t, settle, "follows never accepted", func() bool {
		return followState(b, bob, alice.Account.URI) == model.FollowAccepted &&
			followState(c, carol, alice.Account.URI) == model.FollowAccepted &&
			followState(b, dave, carol.Account.URI) == model.FollowAccepted
	})

	setAIFree(t, b, true)
	ni := b.API("GET", "/nodeinfo/2.1", "", nil)
	if !strings.Contains(string(ni.Body), `"aiFree":true`) {
		t.Fatalf("B's NodeInfo does not say aiFree: %s", ni.Body)
	}
	// B generates nothing, and says why.
	if r := b.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": "a city"}); r.StatusCode != http.StatusForbidden ||
		!strings.Contains(string(r.Body), "AI-free") {
		t.Errorf("B's generation API: %d %s, want 403 naming AI-free", r.StatusCode, r.Body)
	}
	// What B stored before is hidden, not deleted.
	if findByURI(timeline(t, b, "local", ""), earlier.URI) != nil || b.API("GET", "/api/v1/videos/"+earlier.ID, "", nil).StatusCode != http.StatusNotFound {
		t.Error("B still shows its labelled clip while AI-free")
	}

	aiClip := a.PublishVideo(alice, testrig.VideoFixture{Title: "Dream city", Synthetic: true})
	humanClip := a.PublishVideo(alice, testrig.VideoFixture{Title: "Real city"})

	var onC *videoJSON
	testrig.Eventually(t, settle, "the AI clip never reached C", func() bool {
		onC = findByURI(timeline(t, c, "home", carol.Token), aiClip.URI)
		return onC != nil
	})
	if !onC.Synthetic {
		t.Error("the AI clip reached C without its label")
	}
	testrig.Eventually(t, settle, "the human clip never reached B", func() bool {
		return findByURI(timeline(t, b, "home", bob.Token), humanClip.URI) != nil
	})
	testrig.Eventually(t, settle, "the human clip never reached C", func() bool {
		return findByURI(timeline(t, c, "home", carol.Token), humanClip.URI) != nil
	})
	waitJobsSettled(t, a)
	if n := spy.mentions(aiClip.URI); n != 0 {
		t.Errorf("A sent the AI clip to the AI-free instance %d times; it must not send it at all", n)
	}

	// Sent by hand, B refuses it with 403.
	var create model.OutboxActivity
	if err := a.Store.DB().NewSelect().Model(&create).Where("type = 'Create' AND object_uri = ?", aiClip.URI).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	key, err := signing.ParsePrivateKeyPEM(alice.Account.PrivateKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", b.URL+"/inbox", strings.NewReader(create.Body))
	req.Header.Set("Content-Type", "application/activity+json")
	if err := signing.SignPOST(req, []byte(create.Body), alice.Account.PublicKeyURI, key); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "this instance is AI-free and does not accept labelled synthetic media") {
		t.Errorf("the AI clip sent by hand: %d %s", resp.StatusCode, body)
	}

	// C's boost of the AI clip does not bring it onto B.
	c.API("POST", "/api/v1/videos/"+onC.ID+"/boost", carol.Token, nil)
	testrig.Eventually(t, settle, "B never received carol's boost", func() bool { return spy.mentions(aiClip.URI) > 0 })
	waitJobsSettled(t, b)
	if _, err := b.Store.VideoByURI(context.Background(), aiClip.URI); err == nil {
		t.Error("the boost brought the AI clip onto B")
	}

	// Switched back, B shows what it had hidden.
	setAIFree(t, b, false)
	if findByURI(timeline(t, b, "local", ""), earlier.URI) == nil {
		t.Error("B does not show its labelled clip again after the switch is off")
	}
}
