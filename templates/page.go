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
