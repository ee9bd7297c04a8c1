package apub_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/testrig"
)

func get(t *testing.T, rawURL, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", rawURL, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, []byte(b.String())
}

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	return m
}

const (
	activityJSON = "application/activity+json"
	ldJSON       = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// Mastodon resolves @alice@domain by WebFinger, fetches the self link, and
// requires the actor's id to be exactly that link and its preferredUsername
// to give back the same acct: the loop must close.
func TestWebFingerLoopsBackToTheActor(t *testing.T) {
	inst := testrig.NewInstance(t)
	alice := inst.CreateUser("alice", false)
	domain := strings.TrimPrefix(inst.URL, "http://")

	for _, resource := range []string{"acct:alice@" + domain, "acct:ALICE@" + domain, alice.Account.URI, inst.URL + "/@alice"} {
		resp, body := get(t, inst.URL+"/.well-known/webfinger?resource="+url.QueryEscape(resource), "")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/jrd+json") {
			t.Fatalf("webfinger %s: %d %s", resource, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		jrd := decode(t, body)
		if jrd["subject"] != "acct:alice@"+domain {
			t.Errorf("webfinger %s: subject %v", resource, jrd["subject"])
		}
		self := ""
		for _, l := range jrd["links"].([]any) {
			link := l.(map[string]any)
			if link["rel"] == "self" && link["type"] == activityJSON {
				self, _ = link["href"].(string)
			}
		}
		if self != alice.Account.URI {
			t.Fatalf("webfinger %s: self link %q, want the actor id %q", resource, self, alice.Account.URI)
		}
	}

	for _, accept := range []string{activityJSON, ldJSON} {
		resp, body := get(t, alice.Account.URI, accept)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), activityJSON) {
			t.Fatalf("actor with Accept %s: %d %s", accept, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		actor := decode(t, body)
		key, _ := actor["publicKey"].(map[string]any)
		endpoints, _ := actor["endpoints"].(map[string]any)
		switch {
		case actor["id"] != alice.Account.URI, actor["type"] != "Person", actor["preferredUsername"] != "alice":
			t.Errorf("actor identity: %v %v %v", actor["id"], actor["type"], actor["preferredUsername"])
		case actor["inbox"] != alice.Account.URI+"/inbox", actor["outbox"] != alice.Account.URI+"/outbox",
			actor["followers"] != alice.Account.URI+"/followers", actor["following"] != alice.Account.URI+"/following":
			t.Errorf("actor collections: %v", actor)
		case endpoints["sharedInbox"] != inst.URL+"/inbox":
			t.Errorf("shared inbox: %v", endpoints)
		case key["id"] != alice.Account.URI+"#main-key", key["owner"] != alice.Account.URI,
			!strings.Contains(key["publicKeyPem"].(string), "BEGIN PUBLIC KEY"):
			t.Errorf("publicKey: %v", key)
		}
	}

	// A browser asking for the actor goes to the profile page.
	resp, _ := get(t, alice.Account.URI, "text/html")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/@alice" {
		t.Errorf("a browser on the actor URL: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := get(t, inst.URL+"/@alice", "text/html"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "@alice@") {
		t.Errorf("profile page: %d", resp.StatusCode)
	}
}

func TestWebFingerRefusals(t *testing.T) {
	inst := testrig.NewInstance(t)
	inst.CreateUser("alice", false)
	domain := strings.TrimPrefix(inst.URL, "http://")
	for resource, status := range map[string]int{
		"":                                      http.StatusBadRequest,
		"alice":                                 http.StatusBadRequest,
		"acct:nobody@" + domain:                 http.StatusNotFound,
		"acct:alice@elsewhere.example":          http.StatusNotFound,
		"https://elsewhere.example/users/alice": http.StatusNotFound,
	} {
		resp, body := get(t, inst.URL+"/.well-known/webfinger?resource="+url.QueryEscape(resource), "")
		if resp.StatusCode != status || decode(t, body)["error"] == nil {
			t.Errorf("resource %q: %d %s, want %d with a reason", resource, resp.StatusCode, body, status)
		}
	}
}

func TestHostMetaAndNodeInfo(t *testing.T) {
	inst := testrig.NewInstance(t)
	inst.CreateUser("alice", false)
	resp, body := get(t, inst.URL+"/.well-known/host-meta", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), inst.URL+"/.well-known/webfinger?resource={uri}") {
		t.Errorf("host-meta: %d %s", resp.StatusCode, body)
	}
	_, body = get(t, inst.URL+"/.well-known/nodeinfo", "")
	links := decode(t, body)["links"].([]any)
	hrefs := map[string]bool{}
	for _, l := range links {
		hrefs[l.(map[string]any)["href"].(string)] = true
	}
	for _, v := range []string{"2.0", "2.1"} {
		if !hrefs[inst.URL+"/nodeinfo/"+v] {
			t.Errorf("nodeinfo links lack %s", v)
		}
		resp, body := get(t, inst.URL+"/nodeinfo/"+v, "")
		ni := decode(t, body)
		software := ni["software"].(map[string]any)
		meta := ni["metadata"].(map[string]any)
		users := ni["usage"].(map[string]any)["users"].(map[string]any)
		if resp.StatusCode != http.StatusOK || ni["version"] != v || software["name"] != "assay" ||
			ni["openRegistrations"] != true || users["total"].(float64) != 1 ||
			meta["aiFree"] != false || meta["syntheticMediaLabels"] != true {
			t.Errorf("nodeinfo %s: %s", v, body)
		}
	}
	if resp, _ := get(t, inst.URL+"/nodeinfo/1.0", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("nodeinfo 1.0: %d", resp.StatusCode)
	}
}

func TestInstanceActorSignsFetches(t *testing.T) {
	inst := testrig.NewInstance(t)
	resp, body := get(t, inst.URL+"/actor", activityJSON)
	actor := decode(t, body)
	key := actor["publicKey"].(map[string]any)
	if resp.StatusCode != http.StatusOK || actor["type"] != "Application" || actor["id"] != inst.URL+"/actor" ||
		key["id"] != inst.URL+"/actor#main-key" {
		t.Errorf("instance actor: %s", body)
	}
	// Its name is reserved: nobody can sign up as the instance actor.
	if _, err := inst.Accounts.UserByName(t.Context(), "actor"); err == nil {
		t.Error("the instance actor is a user")
	}
}

// Our Video is what DESIGN §5 fixes and what Mastodon needs to play it:
// arrays for url, attachment and tag, an MP4 Document, the label.
func TestVideoDocumentShape(t *testing.T) {
	inst := testrig.NewInstance(t)
	alice := inst.CreateUser("alice", false)
	ai := inst.PublishVideo(alice, testrig.VideoFixture{Title: "Dream city", Description: "made with a model #ai", Synthetic: true})
	human := inst.PublishVideo(alice, testrig.VideoFixture{Title: "Real city"})

	resp, body := get(t, ai.URI, activityJSON)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("video document: %d", resp.StatusCode)
	}
	v := decode(t, body)
	for _, key := range []string{"url", "attachment", "tag", "icon", "to", "cc"} {
		if _, ok := v[key].([]any); !ok {
			t.Errorf("%s is not an array: %v", key, v[key])
		}
	}
	const trained = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
	att := v["attachment"].([]any)[0].(map[string]any)
	if v["type"] != "Video" || v["digitalSourceType"] != trained || att["digitalSourceType"] != trained ||
		att["mediaType"] != "video/mp4" || att["type"] != "Document" || v["summary"] != "🤖 AI-generated video" {
		t.Errorf("synthetic video document: %s", body)
	}
	if !strings.Contains(string(body), `"#AIGenerated"`) || !strings.Contains(string(body), `"#ai"`) {
		t.Errorf("tags: %v", v["tag"])
	}

	_, body = get(t, human.URI, activityJSON)
	h := decode(t, body)
	if _, ok := h["summary"]; ok || strings.Contains(string(body), "AIGenerated") || h["digitalSourceType"] == trained {
		t.Errorf("a human clip must carry no AI label: %s", body)
	}
	if resp, body := get(t, human.URI, "text/html"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<video") {
		t.Errorf("the watch page: %d", resp.StatusCode)
	}
	if resp, _ := get(t, inst.URL+"/videos/nope", activityJSON); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown video: %d", resp.StatusCode)
	}
}

func TestCollectionsArePaged(t *testing.T) {
	inst := testrig.NewInstance(t)
	alice := inst.CreateUser("alice", false)
	for range 3 {
		inst.PublishVideo(alice, testrig.VideoFixture{Title: "clip"})
	}
	_, body := get(t, alice.Account.URI+"/outbox", activityJSON)
	outbox := decode(t, body)
	if outbox["type"] != "OrderedCollection" || outbox["totalItems"].(float64) != 3 || outbox["first"] != alice.Account.URI+"/outbox?page=1" {
		t.Errorf("outbox: %s", body)
	}
	_, body = get(t, alice.Account.URI+"/outbox?page=1", activityJSON)
	page := decode(t, body)
	items, ok := page["orderedItems"].([]any)
	if page["type"] != "OrderedCollectionPage" || !ok || len(items) != 3 {
		t.Errorf("outbox page: %s", body)
	}
	for _, kind := range []string{"followers", "following"} {
		_, body = get(t, alice.Account.URI+"/"+kind, activityJSON)
		if c := decode(t, body); c["totalItems"].(float64) != 0 {
			t.Errorf("%s: %s", kind, body)
		}
	}
	if resp, _ := get(t, inst.URL+"/users/nobody/outbox", activityJSON); resp.StatusCode != http.StatusNotFound {
		t.Errorf("outbox of nobody: %d", resp.StatusCode)
	}
}
