package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/testrig"
)

func TestGetInstanceIsPublic(t *testing.T) {
	inst := testrig.NewInstance(t)
	resp := inst.API("GET", "/api/v1/instance", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var got instance.View
	resp.JSON(t, &got)
	want := instance.View{
		Domain: strings.TrimPrefix(inst.URL, "http://"), Name: "Assay", AIFree: false,
		RegistrationsOpen: true, Version: got.Version, Generator: "procedural", Rules: []string{},
	}
	if !reflect.DeepEqual(got, want) || got.Version == "" {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func errorOf(t *testing.T, resp *testrig.Response) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	resp.JSON(t, &e)
	if e.Error == "" {
		t.Errorf("error response without a reason: %s", resp.Body)
	}
	return e.Error
}

func TestPatchInstanceAuthorization(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	body := map[string]any{"ai_free": true}

	cases := []struct {
		name   string
		token  string
		status int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "not-a-real-token", http.StatusUnauthorized},
		{"another user's token with a character changed", users.Admin.Token[:len(users.Admin.Token)-1] + "x", http.StatusUnauthorized},
		{"non-admin", users.User.Token, http.StatusForbidden},
	}
	for _, c := range cases {
		resp := inst.API("PATCH", "/api/v1/instance", c.token, body)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.status)
			continue
		}
		errorOf(t, resp)
		if c.status == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: a 401 without WWW-Authenticate", c.name)
		}
	}
	if got, _ := inst.Instance.Get(t.Context()); got.AIFree {
		t.Fatal("a refused PATCH changed the instance")
	}

	resp := inst.API("PATCH", "/api/v1/instance", users.Admin.Token, map[string]any{"ai_free": true, "name": "Human Hall", "registrations_open": false})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin PATCH: status %d: %s", resp.StatusCode, resp.Body)
	}
	var view instance.View
	resp.JSON(t, &view)
	if !view.AIFree || view.Name != "Human Hall" || view.RegistrationsOpen || view.Generator != "" {
		t.Errorf("admin PATCH answered %+v", view)
	}
	got := inst.API("GET", "/api/v1/instance", "", nil)
	var after instance.View
	got.JSON(t, &after)
	if !reflect.DeepEqual(after, view) {
		t.Errorf("GET after PATCH shows %+v, want %+v", after, view)
	}

	// Only the fields sent change.
	resp = inst.API("PATCH", "/api/v1/instance", users.Admin.Token, map[string]any{"ai_free": false})
	resp.JSON(t, &view)
	if view.AIFree || view.Name != "Human Hall" {
		t.Errorf("a partial PATCH touched other fields: %+v", view)
	}
}

func TestPatchInstanceRejectsBadBodies(t *testing.T) {
	inst := testrig.NewInstance(t)
	admin := inst.StandardUsers().Admin
	for name, body := range map[string]any{
		"unknown field":    map[string]any{"ai_fre": true},
		"wrong type":       map[string]any{"ai_free": "yes"},
		"empty name":       map[string]any{"name": "  "},
		"long name":        map[string]any{"name": strings.Repeat("x", 101)},
		"long description": map[string]any{"name": "Renamed", "description": strings.Repeat("x", 1001)},
		"long rule":        map[string]any{"name": "Renamed", "rules": []string{strings.Repeat("x", 301)}},
		"21 rules":         map[string]any{"name": "Renamed", "rules": slices.Repeat([]string{"Be kind."}, 21)},
	} {
		resp := inst.API("PATCH", "/api/v1/instance", admin.Token, body)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
			continue
		}
		errorOf(t, resp)
	}
	if got, _ := inst.Instance.Get(t.Context()); got.Name != "Assay" {
		t.Errorf("a refused PATCH changed the name to %q", got.Name)
	}
}

// A browser session may use the API too, but its writes need the CSRF
// token in a header: a cookie alone could be sent by any other site.
func TestSessionWritesNeedCSRFHeader(t *testing.T) {
	inst := testrig.NewInstance(t)
	admin := inst.StandardUsers().Admin
	b := inst.Browser()
	b.Login(admin)
	token := b.CSRF("/")

	patch := func(header string) *testrig.Response {
		req, _ := http.NewRequest("PATCH", inst.URL+"/api/v1/instance", strings.NewReader(`{"name":"Renamed"}`))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set(auth.CSRFHeader, header)
		}
		return b.Do(req)
	}
	if resp := patch(""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("session PATCH without the header: status %d, want 403", resp.StatusCode)
	}
	if resp := patch(token); resp.StatusCode != http.StatusOK {
		t.Errorf("session PATCH with the header: status %d: %s", resp.StatusCode, resp.Body)
	}
}

func TestUnknownEndpointIsJSON404(t *testing.T) {
	inst := testrig.NewInstance(t)
	resp := inst.API("GET", "/api/v1/nothing-here", "", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	errorOf(t, resp)
}

func TestOpenAPIDocumentsTheRoutes(t *testing.T) {
	inst := testrig.NewInstance(t)
	resp := inst.API("GET", "/api/openapi.json", "", nil)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(resp.Body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	for path, methods := range map[string][]string{"/api/v1/instance": {"get", "patch"}, "/healthz": {"get"}} {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("%s %s is not documented", m, path)
			}
		}
	}
}

func TestDomainBlocksAreAdminOnly(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	block := map[string]string{"domain": "Spam.Example", "severity": "suspend", "reason": "spam"}
	if resp := inst.API("POST", "/api/v1/admin/domain_blocks", users.User.Token, block); resp.StatusCode != http.StatusForbidden {
		t.Errorf("non-admin block: %d", resp.StatusCode)
	}
	if resp := inst.API("GET", "/api/v1/admin/domain_blocks", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous list: %d", resp.StatusCode)
	}
	for name, bad := range map[string]map[string]string{
		"bad severity": {"domain": "x.example", "severity": "ban"},
		"no domain":    {"severity": "silence"},
		"a URL":        {"domain": "https://x.example/", "severity": "silence"},
		"ourselves":    {"domain": strings.TrimPrefix(inst.URL, "http://"), "severity": "suspend"},
	} {
		if resp := inst.API("POST", "/api/v1/admin/domain_blocks", users.Admin.Token, bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, resp.StatusCode)
		}
	}
	resp := inst.API("POST", "/api/v1/admin/domain_blocks", users.Admin.Token, block)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin block: %d %s", resp.StatusCode, resp.Body)
	}
	var list []map[string]any
	inst.API("GET", "/api/v1/admin/domain_blocks", users.Admin.Token, nil).JSON(t, &list)
	if len(list) != 1 || list[0]["domain"] != "spam.example" || list[0]["severity"] != "suspend" || list[0]["reason"] != "spam" {
		t.Errorf("blocks: %v", list)
	}
	if resp := inst.API("DELETE", "/api/v1/admin/domain_blocks/spam.example", users.Admin.Token, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("unblock: %d", resp.StatusCode)
	}
	inst.API("GET", "/api/v1/admin/domain_blocks", users.Admin.Token, nil).JSON(t, &list)
	if len(list) != 0 {
		t.Errorf("after unblocking: %v", list)
	}
}
