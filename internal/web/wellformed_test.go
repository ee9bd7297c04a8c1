package web_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/testrig"
)

// Every page, as a visitor, a user and an admin see it, is well-formed HTML
// that a screen reader can use: elements closed in order, ids unique, images
// with text alternatives, every form field labelled, one <h1>, a language.
func TestEveryPageIsWellFormed(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	human := inst.PublishVideo(users.User, testrig.VideoFixture{Title: "Tide pools", Description: "Low tide at dawn #sea"})
	ai := inst.PublishVideo(users.User, testrig.VideoFixture{Title: "Dream city", Description: "Neon streets #sea", Synthetic: true})
	if r := inst.API("PATCH", "/api/v1/instance", users.Admin.Token, map[string]any{
		"description": "Clips from the coast.", "rules": []string{"Be kind.", "Label what a model made."},
	}); r.StatusCode != http.StatusOK {
		t.Fatalf("setting the rules: %d %s", r.StatusCode, r.Body)
	}
	r := inst.API("POST", "/api/v1/generations", users.User.Token, map[string]any{"prompt": "a paper boat on a pond"})
	if r.StatusCode != http.StatusAccepted {
		t.Fatalf("requesting a generation: %d %s", r.StatusCode, r.Body)
	}
	var gen struct{ ID string }
	r.JSON(t, &gen)
	now := time.Now()
	if _, err := inst.Store.UpsertRemoteAccount(t.Context(), &model.Account{
		ID: model.NewID(), Username: "carol", Domain: "remote.example", DisplayName: "Carol <3", URI: "https://remote.example/users/carol",
		URL: "https://remote.example/@carol", InboxURI: "https://remote.example/users/carol/inbox", ActorType: "Person",
		PublicKeyURI: "https://remote.example/users/carol#main-key", CreatedAt: now, UpdatedAt: now, FetchedAt: now,
	}); err != nil {
		t.Fatal(err)
	}
	// A domain block for the list on /admin, with a reason that needs escaping.
	if _, err := inst.Federation.BlockDomain(t.Context(), "spam.example", model.BlockSuspend, `Spam & "scams" <b>`); err != nil {
		t.Fatal(err)
	}
	// Something for bob's notifications and the watch page's comments.
	for _, call := range []struct {
		path string
		body any
	}{{"/api/v1/videos/" + human.ID + "/like", nil}, {"/api/v1/videos/" + human.ID + "/comments", map[string]string{"text": "Lovely light #sea"}}} {
		if r := inst.API("POST", call.path, users.Admin.Token, call.body); r.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %s", call.path, r.StatusCode, r.Body)
		}
	}

	paths := []string{"/login", "/signup", "/about", "/@bob", "/@bob?media=ai", "/@carol@remote.example", "/tags/sea", "/tags/sea?media=human",
		"/videos/" + human.ID, "/videos/" + ai.ID, "/videos/" + human.ID + "/embed", "/videos/" + ai.ID + "/embed",
		"/upload", "/generate", "/generate/" + gen.ID, "/settings", "/admin", "/admin?blocked=spam.example", "/notifications", "/follow_requests",
		"/authorize_interaction",
		"/no/such/page", "/videos/no-such-clip", "/videos/no-such-clip/embed"}
	for _, kind := range []string{"", "home", "local", "federated"} {
		for _, media := range []string{"", "all", "human", "ai"} {
			paths = append(paths, "/?timeline="+kind+"&media="+media)
		}
	}
	seen := map[int]bool{}
	for _, role := range []struct {
		name string
		user *testrig.User
	}{{"logged out", nil}, {"user", users.User}, {"admin", users.Admin}} {
		b := inst.Browser()
		if role.user != nil {
			b.Login(role.user)
		}
		for _, path := range paths {
			resp := b.Get(path)
			if resp.StatusCode >= 300 && resp.StatusCode < 400 {
				continue // a logged-out visitor sent to the login form, which is checked itself
			}
			seen[resp.StatusCode] = true
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s, %s: Content-Type %q", role.name, path, ct)
				continue
			}
			for _, p := range checkHTML(resp.Body) {
				t.Errorf("%s, %s (%d): %s", role.name, path, resp.StatusCode, p)
			}
		}
	}
	// The walk reached the pages it means to: the friendly errors as well.
	for _, status := range []int{200, 400, 403, 404} {
		if !seen[status] {
			t.Errorf("no page answered %d", status)
		}
	}
}

// The checker itself finds each kind of mistake, and passes a good page.
func TestCheckHTMLFindsMistakes(t *testing.T) {
	page := func(body string) string {
		return `<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>` + body + `</body></html>`
	}
	for _, c := range []struct{ name, doc, want string }{
		{"good", page(`<h1>Hi</h1><img src="a.jpg" alt=""><label for="q">Q</label><input id="q"><label>R <input name="r"></label><input type="hidden" name="x">`), ""},
		{"unclosed", page(`<h1>Hi</h1><div><p>text</div>`), "</div> closes <p>"},
		{"never closed", `<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><h1>a</h1><section>`, "never closed"},
		{"void closed", page(`<h1>Hi</h1><br></br>`), "</br>"},
		{"self-closed div", page(`<h1>Hi</h1><div/>`), "<div/>"},
		{"block in p", page(`<h1>Hi</h1><p><span><ul><li>x</li></ul></span></p>`), "<ul> inside <p>"},
		{"link in link", page(`<h1>Hi</h1><a href="/"><a href="/x">x</a></a>`), "<a> inside <a>"},
		{"duplicate id", page(`<h1 id="x">Hi</h1><p id="x">y</p>`), `duplicate id "x"`},
		{"img without alt", page(`<h1>Hi</h1><img src="a.jpg">`), "<img> without alt"},
		{"unlabelled input", page(`<h1>Hi</h1><input name="q">`), "no label"},
		{"label for nothing", page(`<h1>Hi</h1><label for="nope">Q</label><input aria-label="q">`), `label for="nope"`},
		{"aria reference to nothing", page(`<h1>Hi</h1><input aria-labelledby="gone">`), `aria-labelledby="gone"`},
		{"two h1", page(`<h1>Hi</h1><h1>Again</h1>`), "2 <h1>"},
		{"no h1", page(`<p>Hi</p>`), "0 <h1>"},
		{"no lang", `<!DOCTYPE html><html><head><title>t</title></head><body><h1>Hi</h1></body></html>`, "lang"},
		{"no doctype", `<html lang="en"><head><title>t</title></head><body><h1>Hi</h1></body></html>`, "DOCTYPE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := checkHTML([]byte(c.doc))
			if c.want == "" {
				if len(got) > 0 {
					t.Errorf("a good page: %v", got)
				}
				return
			}
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("want a problem mentioning %q, got %v", c.want, got)
			}
		})
	}
}

// voidElements have no end tag.
var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// closesP are the start tags that end an open <p> (HTML's parsing rules), so
// writing one inside a <p> gives a different page than the markup says.
var closesP = map[string]bool{"address": true, "article": true, "aside": true, "blockquote": true, "details": true,
	"dialog": true, "div": true, "dl": true, "fieldset": true, "figcaption": true, "figure": true, "footer": true,
	"form": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true, "hgroup": true,
	"hr": true, "main": true, "menu": true, "nav": true, "ol": true, "p": true, "pre": true, "search": true,
	"section": true, "table": true, "ul": true}

// checkHTML reads a page token by token, strictly, and lists its problems.
func checkHTML(doc []byte) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	type control struct {
		desc     string
		id       string
		labelled bool
	}
	var (
		stack    []string
		ids      = map[string]bool{}
		labelFor []string
		refs     []string // aria-labelledby / aria-describedby targets, as `attr="id"`
		controls []control
		h1s      int
		doctype  bool
		started  bool
	)
	z := html.NewTokenizer(bytes.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if err := z.Err(); !errors.Is(err, io.EOF) {
				bad("tokenizer: %v", err)
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.DoctypeToken:
			if started || !strings.EqualFold(tok.Data, "html") {
				bad("<!DOCTYPE %s> is not the first thing on the page", tok.Data)
			}
			doctype, started = true, true
		case html.TextToken:
			if strings.TrimSpace(tok.Data) != "" {
				started = true
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			started = true
			name := tok.Data
			attrs := map[string]string{} // the tokenizer keeps the first of duplicates, as browsers do
			for _, a := range tok.Attr {
				attrs[a.Key] = a.Val
			}
			if tt == html.SelfClosingTagToken && !voidElements[name] {
				bad("<%s/> is not a void element: it stays open", name)
			}
			if closesP[name] && slices.Contains(stack, "p") {
				bad("<%s> inside <p>: the browser closes the <p> before it", name)
			}
			if name == "a" && slices.Contains(stack, "a") {
				bad("<a> inside <a>")
			}
			if id, ok := attrs["id"]; ok {
				if ids[id] {
					bad("duplicate id %q", id)
				}
				ids[id] = true
			}
			for _, k := range []string{"aria-labelledby", "aria-describedby"} {
				for _, ref := range strings.Fields(attrs[k]) {
					refs = append(refs, fmt.Sprintf("%s=%q", k, ref))
				}
			}
			switch name {
			case "html":
				if attrs["lang"] == "" {
					bad("<html> has no lang")
				}
			case "h1":
				h1s++
			case "img":
				if _, ok := attrs["alt"]; !ok {
					bad("<img> without alt: %s", attrs["src"])
				}
			case "label":
				if f := attrs["for"]; f != "" {
					labelFor = append(labelFor, f)
				}
			case "input", "select", "textarea":
				switch attrs["type"] {
				case "hidden", "submit", "button", "reset", "image":
				default:
					controls = append(controls, control{
						desc:     fmt.Sprintf("<%s name=%q id=%q>", name, attrs["name"], attrs["id"]),
						id:       attrs["id"],
						labelled: attrs["aria-label"] != "" || attrs["aria-labelledby"] != "" || slices.Contains(stack, "label"),
					})
				}
			}
			if tt == html.StartTagToken && !voidElements[name] {
				stack = append(stack, name)
			}
		case html.EndTagToken:
			name := tok.Data
			switch {
			case voidElements[name]:
				bad("</%s>: a void element has no end tag", name)
			case len(stack) == 0:
				bad("</%s> with nothing open", name)
			case stack[len(stack)-1] != name:
				bad("</%s> closes <%s>", name, stack[len(stack)-1])
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i] == name { // recover at the element it meant
						stack = stack[:i]
						break
					}
				}
			default:
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) > 0 {
		bad("never closed: <%s>", strings.Join(stack, "> <"))
	}
	if !doctype {
		bad("no <!DOCTYPE html>")
	}
	if h1s != 1 {
		bad("%d <h1> elements, want exactly one", h1s)
	}
	for _, f := range labelFor {
		if !ids[f] {
			bad("label for=%q names no element", f)
		}
	}
	for _, ref := range refs {
		_, id, _ := strings.Cut(ref, "=")
		if !ids[strings.Trim(id, `"`)] {
			bad("%s names no element", ref)
		}
	}
	for _, c := range controls {
		if !c.labelled && (c.id == "" || !slices.Contains(labelFor, c.id)) {
			bad("%s has no label", c.desc)
		}
	}
	return problems
}
