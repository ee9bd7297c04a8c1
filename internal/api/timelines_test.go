package api_test

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/testrig"
)

// For every timeline and every media filter the API returns exactly the
// expected videos, newest first — and an AI-free instance hides every
// labelled one until the switch is off again.
func TestTimelineFiltersReturnExactlyTheExpectedSet(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	alice, bob, eve := a.CreateUser("alice", false), a.CreateUser("bob", false), a.CreateUser("eve", false)
	carol := b.CreateUser("carol", false)

	for _, target := range []string{"bob", "carol@" + b.URL[len("http://"):]} {
		if resp := a.API("POST", "/api/v1/follows", alice.Token, map[string]string{"target": target}); resp.StatusCode != http.StatusOK {
			t.Fatalf("follow %s: %d %s", target, resp.StatusCode, resp.Body)
		}
	}
	testrig.Eventually(t, settle, "alice's follow of carol was never accepted", func() bool {
		c, err := a.Store.AccountByURI(context.Background(), carol.Account.URI)
		if err != nil {
			return false
		}
		f, err := a.Store.FollowBetween(context.Background(), alice.AccountID, c.ID)
		return err == nil && f.State == model.FollowAccepted
	})

	named := map[string]*model.Video{}
	publish := func(inst *testrig.Instance, u *testrig.User, name, desc string, ai bool) {
		named[name] = inst.PublishVideo(u, testrig.VideoFixture{Title: name, Description: desc, Synthetic: ai})
	}
	publish(a, alice, "alice-human", "", false)
	publish(a, alice, "alice-ai", "", true)
	publish(a, bob, "bob-human", "#cats", false)
	publish(a, bob, "bob-ai", "#cats", true)
	publish(a, eve, "eve-human", "#cats", false)
	publish(b, carol, "carol-human", "", false)
	testrig.Eventually(t, settle, "carol's first video never reached A", func() bool {
		return len(ids(t, a, "/api/v1/timelines/federated", "")) == 6
	})
	publish(b, carol, "carol-ai", "#cats", true)
	testrig.Eventually(t, settle, "carol's videos never reached A", func() bool {
		return len(ids(t, a, "/api/v1/timelines/federated", "")) == 7
	})

	human := map[string]bool{"alice-human": true, "bob-human": true, "eve-human": true, "carol-human": true}
	timelines := []struct {
		path, token string
		all         []string // newest first
	}{
		{"/api/v1/timelines/home", alice.Token, []string{"carol-ai", "carol-human", "bob-ai", "bob-human", "alice-ai", "alice-human"}},
		{"/api/v1/timelines/local", "", []string{"eve-human", "bob-ai", "bob-human", "alice-ai", "alice-human"}},
		{"/api/v1/timelines/federated", "", []string{"carol-ai", "carol-human", "eve-human", "bob-ai", "bob-human", "alice-ai", "alice-human"}},
		{"/api/v1/accounts/bob/videos", "", []string{"bob-ai", "bob-human"}},
		{"/api/v1/timelines/tag/cats", "", []string{"carol-ai", "eve-human", "bob-ai", "bob-human"}},
	}
	check := func(aiFree bool) {
		for _, tl := range timelines {
			for _, media := range []string{"", "all", "human", "ai"} {
				var want []string
				for _, name := range tl.all {
					isAI := !human[name]
					if (media == "human" && isAI) || (media == "ai" && !isAI) || (aiFree && isAI) {
						continue
					}
					want = append(want, named[name].URI)
				}
				got := ids(t, a, tl.path+"?media="+media, tl.token)
				if !slices.Equal(got, want) {
					t.Errorf("ai-free=%v %s?media=%s:\n got  %v\n want %v", aiFree, tl.path, media, names(named, got), names(named, want))
				}
			}
		}
	}
	check(false)
	on, off := true, false
	a.Instance.Update(context.Background(), nil, instance.Change{AIFree: &on})
	check(true)
	a.Instance.Update(context.Background(), nil, instance.Change{AIFree: &off})
	check(false)

	if resp := a.API("GET", "/api/v1/timelines/local?media=robots", "", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown filter: %d, want 400", resp.StatusCode)
	}
	if resp := a.API("GET", "/api/v1/timelines/home", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("home without a token: %d, want 401", resp.StatusCode)
	}
	// Paging: max_id continues where a page ended.
	whole := ids(t, a, "/api/v1/timelines/federated", "")
	first := ids(t, a, "/api/v1/timelines/federated?limit=3", "")
	var page []struct {
		ID string `json:"id"`
	}
	a.API("GET", "/api/v1/timelines/federated?limit=3", "", nil).JSON(t, &page)
	rest := ids(t, a, "/api/v1/timelines/federated?max_id="+page[2].ID, "")
	if got := append(first, rest...); !slices.Equal(got, whole) {
		t.Errorf("pages %v then %v, want %v", names(named, first), names(named, rest), names(named, whole))
	}
}

const settle = 15 * time.Second

func ids(t *testing.T, inst *testrig.Instance, path, token string) []string {
	t.Helper()
	resp := inst.API("GET", path, token, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Body)
	}
	var vs []struct {
		URI string `json:"uri"`
	}
	resp.JSON(t, &vs)
	out := []string{}
	for _, v := range vs {
		out = append(out, v.URI)
	}
	return out
}

func names(named map[string]*model.Video, uris []string) []string {
	var out []string
	for _, u := range uris {
		for n, v := range named {
			if v.URI == u {
				out = append(out, n)
			}
		}
	}
	return out
}

// A timeline page is built from videos encoded earlier and a single video
// from videos kept in memory; an edit, a like and a comment show on the very
// next page and the next GET /api/v1/videos/ID, and the two agree.
func TestTimelinePageShowsChangesAtOnce(t *testing.T) {
	a := testrig.NewInstance(t)
	alice, bob := a.CreateUser("alice", false), a.CreateUser("bob", false)
	v := a.PublishVideo(alice, testrig.VideoFixture{Title: "before", Description: "#cats"})
	a.PublishVideo(alice, testrig.VideoFixture{Title: "other"})

	item := func(path string) map[string]any {
		t.Helper()
		resp := a.API("GET", path, "", nil)
		var page []map[string]any
		resp.JSON(t, &page)
		for _, it := range page {
			if it["id"] == v.ID {
				return it
			}
		}
		t.Fatalf("%s: video %s missing", path, v.ID)
		return nil
	}
	single := func() map[string]any {
		t.Helper()
		var one map[string]any
		a.API("GET", "/api/v1/videos/"+v.ID, "", nil).JSON(t, &one)
		return one
	}
	for _, path := range []string{"/api/v1/timelines/local", "/api/v1/timelines/tag/cats", "/api/v1/timelines/local?media=human&max_id=ZZZZZZZZZZZZZZZZZZZZZZZZZZ"} {
		item(path) // encoded and kept
		steps := []struct {
			name string
			do   func() *testrig.Response
			want func(map[string]any) bool
		}{
			{"edit", func() *testrig.Response {
				return a.API("PATCH", "/api/v1/videos/"+v.ID, alice.Token, map[string]string{"title": "after " + path})
			}, func(it map[string]any) bool { return it["title"] == "after "+path }},
			{"like", func() *testrig.Response { return a.API("POST", "/api/v1/videos/"+v.ID+"/like", bob.Token, nil) },
				func(it map[string]any) bool { return it["likes"] == 1.0 }},
			{"comment", func() *testrig.Response {
				return a.API("POST", "/api/v1/videos/"+v.ID+"/comments", bob.Token, map[string]string{"text": "nice"})
			}, func(it map[string]any) bool { return it["comments"] != 0.0 }},
			{"unlike", func() *testrig.Response { return a.API("POST", "/api/v1/videos/"+v.ID+"/unlike", bob.Token, nil) },
				func(it map[string]any) bool { return it["likes"] == 0.0 }},
		}
		for _, s := range steps {
			if resp := s.do(); resp.StatusCode >= 300 {
				t.Fatalf("%s: %d %s", s.name, resp.StatusCode, resp.Body)
			}
			got := item(path)
			if !s.want(got) {
				t.Fatalf("%s: right after the %s the page shows %v", path, s.name, got)
			}
			want := single()
			if !s.want(want) {
				t.Fatalf("right after the %s GET /api/v1/videos/ID shows %v", s.name, want)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: the page's item\n%v\ndiffers from GET /api/v1/videos/ID\n%v", path, got, want)
			}
		}
	}
}
