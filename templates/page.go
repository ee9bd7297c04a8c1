// Package templates holds the HTML views (templ) and the view models they
// take. The generated *_templ.go files are committed.
package templates

// Page is what every view needs: the chrome around the content.
type Page struct {
	Title        string
	InstanceName string
	Viewer       *Viewer // nil when logged out
	CSRF         string
	CSSURL       string
	AIFree       bool
	Feeds        []FeedLink // offered as <link rel="alternate"> in the head
}

// FeedLink is a feed of what the page shows.
type FeedLink struct {
	Title string // e.g. "Local clips (Atom)"
	Type  string // application/atom+xml or application/rss+xml
	URL   string
}

// Viewer is the logged-in person as the header shows them.
type Viewer struct {
	Username string
	Admin    bool
}

// AuthForm backs the login and signup pages.
type AuthForm struct {
	Username          string
	Email             string
	Error             string
	RegistrationsOpen bool
	Next              string // a local path to return to after logging in
}

// ErrorView is a friendly error page.
type ErrorView struct {
	Status  int
	Heading string
	Message string
}

// VideoView is a clip as pages show it.
type VideoView struct {
	ID           string
	Title        string
	Description  string // plain text
	URL          string
	Author       string // display name
	AuthorHandle string // @name or @name@domain
	AuthorURL    string
	MediaURL     string
	MimeType     string
	PosterURL    string
	Synthetic    bool
	LabelText    string // e.g. "AI-generated · declared by the uploader"
	LabelDetail  string // why, in a sentence (what detection found, which model generated it)
	Prompt       string // for a clip generated here, when its creator chose to show it
	ThumbAlt     string // the thumbnail's text alternative, naming the label
	Likes        int
	Boosts       int
	Comments     int
}

// ProfileView is a person's page.
type ProfileView struct {
	DisplayName string
	Handle      string // @name@domain
	Summary     string // plain text
	Timeline    TimelineView
}

// Tab is one link in a row of choices; Current marks the one shown.
type Tab struct {
	Label   string
	URL     string
	Current bool
}

// TimelineView is a page of clips with the choices above it.
type TimelineView struct {
	Label     string // what the list is, e.g. "Local clips"
	Timelines []Tab  // Home, Local, Federated (the home page only)
	Filters   []Tab  // All, Human, AI
	Videos    []VideoView
	Empty     string // said when there are no clips
	OlderURL  string // the next page, when there may be one
}

// HomeView is the front page.
type HomeView struct {
	Timeline TimelineView
}

// TagView is the page of a hashtag.
type TagView struct {
	Tag      string // without '#'
	Timeline TimelineView
}

// SettingsView is a user's own settings page.
type SettingsView struct {
	Handle       string
	DefaultMedia string // all, human or ai
	Saved        bool
	Error        string
}

// AdminView is the instance settings page.
type AdminView struct {
	Name              string
	RegistrationsOpen bool
	AIFree            bool
	Saved             bool
	Error             string
}

// boolChoice names the radio button a flag selects.
func boolChoice(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
