package federation_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/testrig"
)

const settle = 15 * time.Second

type videoJSON struct {
	ID          string `json:"id"`
	URI         string `json:"uri"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Synthetic   bool   `json:"synthetic"`
	Local       bool   `json:"local"`
	Likes       int    `json:"likes"`
	Boosts      int    `json:"boosts"`
	Comments    int    `json:"comments"`
	Media       []struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
	} `json:"media"`
	Account struct {
		Acct string `json:"acct"`
	} `json:"account"`
}

func timeline(t *testing.T, inst *testrig.Instance, kind, token string) []videoJSON {
	t.Helper()
	resp := inst.API("GET", "/api/v1/timelines/"+kind, token, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("timeline %s: %d %s", kind, resp.StatusCode, resp.Body)
	}
	var out []videoJSON
	resp.JSON(t, &out)
	return out
}

func findByURI(vs []videoJSON, uri string) *videoJSON {
	for i := range vs {
		if vs[i].URI == uri {
			return &vs[i]
		}
	}
	return nil
}

func domainOf(inst *testrig.Instance) string {
	u, _ := url.Parse(inst.URL)
	return u.Host
}

func follow(t *testing.T, from *testrig.Instance, token, target string) string {
	t.Helper()
	resp := from.API("POST", "/api/v1/follows", token, map[string]string{"target": target})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("follow %s: %d %s", target, resp.StatusCode, resp.Body)
	}
	var out struct {
		State string `json:"state"`
	}
	resp.JSON(t, &out)
	return out.State
}

func followState(inst *testrig.Instance, follower *testrig.User, targetURI string) string {
	target, err := inst.Store.AccountByURI(context.Background(), targetURI)
	if err != nil {
		return ""
	}
	f, err := inst.Store.FollowBetween(context.Background(), follower.AccountID, target.ID)
	if err != nil {
		return ""
	}
	return f.State
}

// TestTwoInstancesFullCycle walks a whole relationship between two real
// instances talking signed HTTP: follow, accept, publish, deliver, like,
// boost, comment, update, delete, unfollow — each checked on the other side.
func TestTwoInstancesFullCycle(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	alice := a.CreateUser("alice", false)
	bob := b.CreateUser("bob", false)

	// bob@B follows alice@A; A accepts automatically.
	if state := follow(t, b, bob.Token, "alice@"+domainOf(a)); state != model.FollowPending {
		t.Fatalf("a remote follow starts pending, got %q", state)
	}
	testrig.Eventually(t, settle, "B never saw the Accept", func() bool {
		return followState(b, bob, alice.Account.URI) == model.FollowAccepted
	})
	followers := a.API("GET", "/users/alice/followers?page=1", "", nil)
	if !strings.Contains(string(followers.Body), bob.Account.URI) {
		t.Fatalf("alice's followers collection lacks bob: %s", followers.Body)
	}

	// alice publishes; the Create reaches bob's home timeline on B.
	v := a.PublishVideo(alice, testrig.VideoFixture{Title: "Sunset over Lisbon", Description: "Golden hour #lisbon"})
	var remote *videoJSON
	testrig.Eventually(t, settle, "alice's video never reached bob's home timeline", func() bool {
		remote = findByURI(timeline(t, b, "home", bob.Token), v.URI)
		return remote != nil
	})
	if remote.Local || remote.Title != "Sunset over Lisbon" || remote.Account.Acct != "alice@"+domainOf(a) ||
		len(remote.Media) == 0 || remote.Media[0].MimeType != "video/mp4" {
		t.Errorf("the copy on B is wrong: %+v", remote)
	}
	if tagged := b.API("GET", "/api/v1/timelines/tag/lisbon", "", nil); !strings.Contains(string(tagged.Body), v.URI) {
		t.Error("the #lisbon tag timeline on B lacks the video")
	}

	// bob likes, boosts and comments; alice's instance counts each.
	for _, action := range []string{"like", "boost"} {
		if resp := b.API("POST", "/api/v1/videos/"+remote.ID+"/"+action, bob.Token, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", action, resp.StatusCode, resp.Body)
		}
	}
	if resp := b.API("POST", "/api/v1/videos/"+remote.ID+"/comments", bob.Token, map[string]string{"text": "Beautiful light!"}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("comment: %d %s", resp.StatusCode, resp.Body)
	}
	var onA videoJSON
	testrig.Eventually(t, settle, "A never counted bob's like, boost and comment", func() bool {
		a.API("GET", "/api/v1/videos/"+v.ID, "", nil).JSON(t, &onA)
		return onA.Likes == 1 && onA.Boosts == 1 && onA.Comments == 1
	})
	comments := a.API("GET", "/api/v1/videos/"+v.ID+"/comments", "", nil)
	if !strings.Contains(string(comments.Body), "Beautiful light!") || !strings.Contains(string(comments.Body), "bob@"+domainOf(b)) {
		t.Errorf("the comment on A: %s", comments.Body)
	}

	// bob takes the like back.
	b.API("POST", "/api/v1/videos/"+remote.ID+"/unlike", bob.Token, nil)
	testrig.Eventually(t, settle, "A never saw the Undo{Like}", func() bool {
		a.API("GET", "/api/v1/videos/"+v.ID, "", nil).JSON(t, &onA)
		return onA.Likes == 0 && onA.Boosts == 1
	})

	// alice edits; B's copy follows.
	if resp := a.API("PATCH", "/api/v1/videos/"+v.ID, alice.Token, map[string]string{"title": "Sunset over Lisbon (extended)"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("edit: %d %s", resp.StatusCode, resp.Body)
	}
	testrig.Eventually(t, settle, "B never applied the Update", func() bool {
		var got videoJSON
		b.API("GET", "/api/v1/videos/"+remote.ID, "", nil).JSON(t, &got)
		return got.Title == "Sunset over Lisbon (extended)"
	})

	// alice deletes; B's copy disappears.
	if resp := a.API("DELETE", "/api/v1/videos/"+v.ID, alice.Token, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Body)
	}
	testrig.Eventually(t, settle, "B never applied the Delete", func() bool {
		return b.API("GET", "/api/v1/videos/"+remote.ID, "", nil).StatusCode == http.StatusNotFound
	})

	// bob unfollows; alice loses a follower.
	if resp := b.API("DELETE", "/api/v1/follows?target="+url.QueryEscape("alice@"+domainOf(a)), bob.Token, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("unfollow: %d %s", resp.StatusCode, resp.Body)
	}
	testrig.Eventually(t, settle, "A never saw the Undo{Follow}", func() bool {
		return !strings.Contains(string(a.API("GET", "/users/alice/followers?page=1", "", nil).Body), bob.Account.URI)
	})
}

// TestBoostCarriesVideoToThirdInstance: C follows B's bob, bob boosts A's
// video, and C fetches the video from A to show it in carol's home timeline.
func TestBoostCarriesVideoToThirdInstance(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	c := testrig.NewInstance(t, testrig.OnHost("127.0.0.3"))
	alice := a.CreateUser("alice", false)
	bob := b.CreateUser("bob", false)
	carol := c.CreateUser("carol", false)

	follow(t, b, bob.Token, "alice@"+domainOf(a))
	follow(t, c, carol.Token, "bob@"+domainOf(b))
	testrig.Eventually(t, settle, "follows never accepted", func() bool {
		return followState(b, bob, alice.Account.URI) == model.FollowAccepted &&
			followState(c, carol, bob.Account.URI) == model.FollowAccepted
	})
	v := a.PublishVideo(alice, testrig.VideoFixture{Title: "Tram 28"})
	var onB *videoJSON
	testrig.Eventually(t, settle, "the video never reached B", func() bool {
		onB = findByURI(timeline(t, b, "home", bob.Token), v.URI)
		return onB != nil
	})
	if findByURI(timeline(t, c, "home", carol.Token), v.URI) != nil {
		t.Fatal("C has the video before anyone boosted it")
	}
	b.API("POST", "/api/v1/videos/"+onB.ID+"/boost", bob.Token, nil)
	testrig.Eventually(t, settle, "bob's boost never brought the video to carol", func() bool {
		return findByURI(timeline(t, c, "home", carol.Token), v.URI) != nil
	})
	testrig.Eventually(t, settle, "A never counted the boost", func() bool {
		var onA videoJSON
		a.API("GET", "/api/v1/videos/"+v.ID, "", nil).JSON(t, &onA)
		return onA.Boosts == 1
	})
}
