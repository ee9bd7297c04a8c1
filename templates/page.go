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
	LabelText    string // e.g. "AI-generated · label from the uploader"
	Likes        int
	Boosts       int
	Comments     int
}

// ProfileView is a person's page.
type ProfileView struct {
	DisplayName string
	Handle      string // @name@domain
	Summary     string // plain text
	Videos      []VideoView
}
