package testrig

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Response is a finished HTTP exchange with its body read.
type Response struct {
	*http.Response
	Body []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// API calls the JSON API with a bearer token ("" for none); body, when not
// nil, is sent as JSON.
func (i *Instance) API(method, path, token string, body any) *Response {
	i.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			i.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, i.URL+path, rd)
	if err != nil {
		i.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(i.t, http.DefaultClient, req)
}

func do(t testing.TB, c *http.Client, req *http.Request) *Response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return &Response{Response: resp, Body: b}
}

// Browser is a cookie-keeping client that acts like a person's browser on
// the HTML pages: it follows no redirects, so tests see each step.
type Browser struct {
	t      testing.TB
	base   string
	client *http.Client
}

// Browser returns a new browser with an empty cookie jar.
func (i *Instance) Browser() *Browser { return i.BrowserFrom("") }

// BrowserFrom returns a browser whose connections come from a given loopback
// address (127.0.0.2, …), so the server sees a different client address.
func (i *Instance) BrowserFrom(localIP string) *Browser {
	jar, _ := cookiejar.New(nil)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if localIP != "" {
		dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}}
		transport.DialContext = dialer.DialContext
	}
	return &Browser{t: i.t, base: i.URL, client: &http.Client{
		Jar:           jar,
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// BrowserForwarding is a browser whose requests leave from localIP with
// X-Forwarded-For naming clientIP, as nginx or Caddy relay them. From
// 127.0.0.1 (a proxy trusted by default) that is a client behind a proxy;
// from anywhere else, a client claiming an address it does not have.
func (i *Instance) BrowserForwarding(localIP, clientIP string) *Browser {
	b := i.BrowserFrom(localIP)
	b.client.Transport = forwarding{next: b.client.Transport, clientIP: clientIP}
	return b
}

type forwarding struct {
	next     http.RoundTripper
	clientIP string
}

func (f forwarding) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Add("X-Forwarded-For", f.clientIP)
	return f.next.RoundTrip(req)
}

// Cookie returns the value of a cookie the browser holds for the instance.
func (b *Browser) Cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// Do sends a prepared request with the browser's cookies.
func (b *Browser) Do(req *http.Request) *Response {
	b.t.Helper()
	return do(b.t, b.client, req)
}

// Get fetches a page.
func (b *Browser) Get(path string) *Response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return do(b.t, b.client, req)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// CSRF loads page and returns the form token it carries.
func (b *Browser) CSRF(page string) string {
	b.t.Helper()
	resp := b.Get(page)
	m := csrfField.FindSubmatch(resp.Body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s (status %d)", page, resp.StatusCode)
	}
	return string(m[1])
}

// Post submits a form as it is, with whatever token the caller put in it.
func (b *Browser) Post(path string, form url.Values) *Response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(b.t, b.client, req)
}

// Submit posts a form the way a person would: the token from formPage is added.
func (b *Browser) Submit(formPage, action string, form url.Values) *Response {
	b.t.Helper()
	form.Set("csrf_token", b.CSRF(formPage))
	return b.Post(action, form)
}

// Login logs in through the login form and fails the test if it does not work.
func (b *Browser) Login(u *User) {
	b.t.Helper()
	resp := b.Submit("/login", "/login", url.Values{"username": {u.Username}, "password": {u.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login as %s: status %d: %s", u.Username, resp.StatusCode, resp.Body)
	}
}
