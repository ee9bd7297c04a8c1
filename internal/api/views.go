package api

import (
	"slices"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// The JSON shapes of DESIGN.md §4.

type mediaJSON struct {
	URL      string `json:"url"`
	MimeType string `json:"mime_type"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Size     int64  `json:"size"`
}

type accountRefJSON struct {
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
}

type videoJSON struct {
	ID                string         `json:"id"`
	URI               string         `json:"uri"`
	URL               string         `json:"url"`
	Title             string         `json:"title"`
	Description       string         `json:"description"`
	State             string         `json:"state"`
	Synthetic         bool           `json:"synthetic"`
	DigitalSourceType *string        `json:"digital_source_type"`
	LabelSource       *string        `json:"label_source"`
	LabelDetail       *string        `json:"label_detail"`   // why it is labelled, in a sentence
	Generator         *string        `json:"generator"`      // the model, for clips generated here
	Prompt            *string        `json:"prompt"`         // when the creator chose to show it
	FailureReason     *string        `json:"failure_reason"` // set when state is "failed"
	DurationSeconds   float64        `json:"duration_seconds"`
	Media             []mediaJSON    `json:"media"`
	ThumbnailURL      *string        `json:"thumbnail_url"`
	Account           accountRefJSON `json:"account"`
	Tags              []string       `json:"tags"`
	Local             bool           `json:"local"`
	CreatedAt         time.Time      `json:"created_at"`
	Likes             int            `json:"likes"`
	Boosts            int            `json:"boosts"`
	Comments          int            `json:"comments"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func accountRef(a *model.Account) accountRefJSON {
	name := a.DisplayName
	if name == "" {
		name = a.Username
	}
	return accountRefJSON{Acct: a.Acct(), DisplayName: name, URL: a.URL}
}

func videoView(v *model.Video) videoJSON {
	out := videoJSON{
		ID: v.ID, URI: v.URI, URL: v.URL, Title: v.Title, Description: v.Description, State: v.State,
		Synthetic: v.Synthetic, DigitalSourceType: orNull(v.DigitalSourceType), LabelSource: orNull(v.LabelSource),
		LabelDetail: orNull(v.LabelDetail), FailureReason: orNull(v.FailureReason),
		Generator: orNull(v.Generator), Prompt: orNull(v.Prompt),
		DurationSeconds: v.DurationSeconds, ThumbnailURL: orNull(v.ThumbnailURL), Local: v.Local,
		CreatedAt: v.PublishedAt, Likes: v.LikesCount, Boosts: v.BoostsCount, Comments: v.CommentsCount,
		Media: []mediaJSON{}, Tags: []string{},
	}
	if v.Account != nil {
		out.Account = accountRef(v.Account)
	}
	for _, m := range v.Media {
		if m.Role == model.MediaThumbnail {
			continue
		}
		out.Media = append(out.Media, mediaJSON{URL: m.URL, MimeType: m.MimeType, Width: m.Width, Height: m.Height, Size: m.Size})
	}
	// largest first, as in the ActivityPub object
	slices.SortStableFunc(out.Media, func(a, b mediaJSON) int { return b.Width*b.Height - a.Width*a.Height })
	for _, t := range v.Tags {
		out.Tags = append(out.Tags, t.Name)
	}
	return out
}

func videosView(vs []*model.Video) []videoJSON {
	out := make([]videoJSON, 0, len(vs))
	for _, v := range vs {
		out = append(out, videoView(v))
	}
	return out
}

type accountJSON struct {
	ID          string    `json:"id"`
	Acct        string    `json:"acct"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Summary     string    `json:"summary"`
	URL         string    `json:"url"`
	URI         string    `json:"uri"`
	Local       bool      `json:"local"`
	Locked      bool      `json:"locked"`
	Avatar      *string   `json:"avatar"` // the profile picture's URL, null when there is none
	CreatedAt   time.Time `json:"created_at"`
}

func accountView(a *model.Account) accountJSON {
	return accountJSON{
		ID: a.ID, Acct: a.Acct(), Username: a.Username, DisplayName: accountRef(a).DisplayName, Summary: a.Summary,
		URL: a.URL, URI: a.URI, Local: a.IsLocal(), Locked: a.ManuallyApprovesFollowers, Avatar: orNull(a.IconURL), CreatedAt: a.CreatedAt,
	}
}

type commentJSON struct {
	ID        string         `json:"id"`
	URI       string         `json:"uri"`
	Content   string         `json:"content"`
	Account   accountRefJSON `json:"account"`
	CreatedAt time.Time      `json:"created_at"`
}

func commentView(c *model.Comment) commentJSON {
	out := commentJSON{ID: c.ID, URI: c.URI, Content: c.Content, CreatedAt: c.CreatedAt}
	if c.Account != nil {
		out.Account = accountRef(c.Account)
	}
	return out
}

// DomainBlockJSON is a domain block as the admin API and `assay domain list` show it.
type DomainBlockJSON struct {
	Domain    string    `json:"domain"`
	Severity  string    `json:"severity"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// DomainBlockView shapes a block for JSON.
func DomainBlockView(b *model.DomainBlock) DomainBlockJSON {
	return DomainBlockJSON{Domain: b.Domain, Severity: b.Severity, Reason: b.Reason, CreatedAt: b.CreatedAt}
}
