package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/assay-social/assay/internal/testrig"
)

// A link to a person of another server, pasted into the search box or sent
// by their server's "interact" dialog, is fetched once: the same document
// says whether it is a clip or a person.
func TestAPersonsLinkIsFetchedOnce(t *testing.T) {
	counting, fetches := testrig.CountRequests("/users/erin")
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"), counting)
	b.CreateUser("erin", false)
	a := testrig.NewInstance(t)
	bob := a.Browser()
	bob.Login(a.StandardUsers().User)

	resp := bob.Get("/authorize_interaction?uri=" + url.QueryEscape(b.URL+"/users/erin"))
	wantRedirect(t, "erin's URL", resp, "/@erin@"+domainOf(b))
	if n := fetches.Load(); n != 1 {
		t.Errorf("A fetched erin's actor document %d times, want once", n)
	}
	if resp := bob.Get("/authorize_interaction?uri=" + url.QueryEscape(b.URL+"/users/nobody")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a link to nothing: %d, want 404", resp.StatusCode)
	}
}
