// Package templates holds the HTML views (templ) and the view models they
// take. The generated *_templ.go files are committed.
package templates

import (
	"time"

	"github.com/a-h/templ"
)

// Page is what every view needs: the chrome around the content.
type Page struct {
	Title        string
	InstanceName string
	Viewer       *Viewer // nil when logged out
	CSRF         string
	CSSURL       string
	AIFree       bool
	Feeds        []FeedLink // offered as <link rel="alternate"> in the head
	Meta         []Meta     // link-preview tags (OpenGraph, Twitter card) in the head
	OEmbedURL    string     // the page's oEmbed discovery link, "" for none

	UnreadNotifications int // the viewer's, for the badge in the header
}

// Meta is one <meta> tag of a link preview: OpenGraph names its tags with
// property=, Twitter cards with name=.
type Meta struct {
	Property string
	Name     string
	Content  string
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

// AboutView is /about: what the instance is and asks of its people.
type AboutView struct {
	Name              string
	Domain            string
	Description       string
	Rules             []string
	AIFree            bool
	RegistrationsOpen bool
}

// AuthForm backs the login and signup pages.
type AuthForm struct {
	Username          string
	Email             string
	Error             string
	RegistrationsOpen bool
	Next              string   // a local path to return to after logging in
	Rules             []string // the instance's rules, shown above the sign-up form
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
	PageURL      string // the watch page's absolute address, to share (watch page only)
	EmbedCode    string // the <iframe> that embeds the player elsewhere (watch page only)
	Likes        int
	Boosts       int
	Comments     int
	Liked        bool          // by the viewer (watch page only)
	Boosted      bool          // by the viewer (watch page only)
	Thread       []CommentView // the comments, oldest first (watch page only)
	SocialScript string        // likes and boosts without a reload, for a logged-in viewer (watch page only)
}

// ProfileView is a person's page.
type ProfileView struct {
	DisplayName string
	Handle      string // @name@domain
	Summary     string // plain text
	AvatarURL   string // "" for none
	Follow      FollowView
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
	Label     string            // what the list is, e.g. "Local clips"
	Timelines []Tab             // Home, Local, Federated (the home page only)
	Filters   []Tab             // All, Human, AI
	Tiles     []templ.Component // one per clip (Tile), rendered once and kept
	Empty     string            // said when there are no clips
	OlderURL  string            // the next page, when there may be one
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
	Locked       bool   // new followers wait for approval
	Saved        bool
	Error        string

	// The profile form: what others see of this person.
	DisplayName  string
	Bio          string // plain text
	AvatarURL    string // "" for none
	ProfileError string // why the profile was not saved; the form then shows what was sent
}

// AdminView is the instance settings page.
type AdminView struct {
	Name              string
	Description       string
	Rules             string // one per line
	Edited            bool   // Name, Description and Rules hold what the admin sent (a refused save)
	RegistrationsOpen bool
	AIFree            bool
	Saved             bool
	Error             string

	Reports    []ReportView // open reports, oldest first
	Resolved   bool         // a report was just resolved
	Queues     []QueueView
	QueueError string // why the queue health is missing

	DomainBlocks []DomainBlockView // every block, by domain
	BlockNotice  string            // what the last add or lift did
	BlockError   string            // why the last add or lift was refused
	BlockTyped   DomainBlockView   // what a refused add form held, to show it again
}

// DomainBlockView is one domain block on the admin page.
type DomainBlockView struct {
	Domain    string
	Severity  string // "suspend" or "silence"
	Reason    string
	CreatedAt time.Time
}

// ReportView is an open report in the admin's queue.
type ReportView struct {
	ID          string
	Reporter    string // @name@domain
	ReporterURL string
	Target      string // the local account reported, @name
	TargetURL   string
	Objects     []string // the reported things' addresses
	Comment     string   // what the reporter wrote, plain text
	When        time.Time
}

// QueueView is one job queue's health as asynq's inspector sees it.
type QueueView struct {
	Name                                        string
	Pending, Active, Scheduled, Retry, Archived int
	ProcessedToday, FailedToday                 int
}

// boolChoice names the radio button a flag selects.
func boolChoice(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
