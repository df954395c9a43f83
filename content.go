package omnivibe

import (
	"strings"
	"time"
)

// The stages of a content. The server moves a content forward as its script and
// audio are made; a client may only publish or archive it (or take it back to draft).
const (
	ContentDraft           = "draft"
	ContentScriptGenerated = "script_generated"
	ContentAudioGenerated  = "audio_generated"
	ContentPublished       = "published"
	ContentArchived        = "archived"
)

// ContentStatuses lists every content status.
var ContentStatuses = []string{ContentDraft, ContentScriptGenerated, ContentAudioGenerated, ContentPublished, ContentArchived}

// clientContentStatuses are the statuses a client may set by PATCH; the others
// record work the server did, so only the server sets them.
var clientContentStatuses = []string{ContentDraft, ContentPublished, ContentArchived}

// DefaultTargetDuration is the length of a video, in seconds, when neither the
// content nor its campaign says.
const DefaultTargetDuration = 60

// Content is one video or post of a campaign.
type Content struct {
	ID             int64     `json:"id"`
	AccountID      int64     `json:"-"`
	CampaignID     int64     `json:"campaign_id"`
	Title          string    `json:"title"`
	Topic          string    `json:"topic"`
	Platform       string    `json:"platform"`
	Language       string    `json:"language"`
	TargetDuration int       `json:"target_duration"`
	TargetAudience string    `json:"target_audience"`
	Keywords       []string  `json:"keywords"`
	PublishDate    *string   `json:"publish_date"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// NewContent returns a draft content of campaign with the campaign's defaults.
func NewContent(campaign Campaign) Content {
	c := Content{CampaignID: campaign.ID, Language: "ko", TargetDuration: DefaultTargetDuration, Status: ContentDraft, Keywords: []string{}}
	if campaign.TargetDuration != nil {
		c.TargetDuration = *campaign.TargetDuration
	}
	if campaign.Platform != nil {
		c.Platform = *campaign.Platform
	}
	return c
}

// ContentInput is the body of POST /campaigns/{id}/contents and PATCH /contents/{id}.
type ContentInput struct {
	Title          Optional[string]   `json:"title,omitzero"`
	Topic          Optional[string]   `json:"topic,omitzero"`
	Platform       Optional[string]   `json:"platform,omitzero"`
	Language       Optional[string]   `json:"language,omitzero"`
	TargetDuration Optional[int]      `json:"target_duration,omitzero"`
	TargetAudience Optional[string]   `json:"target_audience,omitzero"`
	Keywords       Optional[[]string] `json:"keywords,omitzero"`
	PublishDate    Optional[string]   `json:"publish_date,omitzero"`
	Status         Optional[string]   `json:"status,omitzero"`
}

// Limits of a content's keywords.
const (
	MaxKeywords      = 30
	MaxKeywordLength = 50
)

// Apply validates the sent fields and writes them into c. With create set, the
// required fields must be present (platform may come from the campaign).
func (in ContentInput) Apply(c *Content, create bool) error {
	var v Violations
	next := *c
	if create && !in.Topic.Set {
		v.Add("topic", "is required")
	}
	applyText(&v, "title", in.Title, &next.Title, 200)
	if notNull(&v, "topic", in.Topic) {
		next.Topic = strings.TrimSpace(in.Topic.Value)
		longTextRule(&v, "topic", next.Topic, 500)
		if next.Topic == "" {
			v.Add("topic", "must be 1-500 characters")
		}
	}
	if notNull(&v, "platform", in.Platform) {
		next.Platform = enumRule(&v, "platform", strings.ToLower(strings.TrimSpace(in.Platform.Value)), Platforms)
	} else if create && next.Platform == "" && !v.Has("platform") {
		v.Add("platform", "is required")
	}
	if notNull(&v, "language", in.Language) {
		next.Language = enumRule(&v, "language", strings.ToLower(strings.TrimSpace(in.Language.Value)), Languages)
	}
	if notNull(&v, "target_duration", in.TargetDuration) {
		next.TargetDuration = in.TargetDuration.Value
		intRangeRule(&v, "target_duration", next.TargetDuration, 10, 600)
	}
	applyText(&v, "target_audience", in.TargetAudience, &next.TargetAudience, 200)
	if in.Keywords.Set {
		next.Keywords = keywordsRule(&v, in.Keywords.Value)
	}
	applyDate(&v, "publish_date", in.PublishDate, &next.PublishDate)
	if notNull(&v, "status", in.Status) {
		s := strings.ToLower(in.Status.Value)
		if s != c.Status { // re-sending the current status is not a change
			next.Status = enumRule(&v, "status", s, clientContentStatuses)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	*c = next
	return nil
}

// keywordsRule trims keywords, drops empty ones and duplicates, and checks the
// limits. The count is of the items sent, before blanks and repeats are
// dropped: a list of 10,000 copies is refused, not read through.
func keywordsRule(v *Violations, in []string) []string {
	if len(in) > MaxKeywords {
		v.Addf("keywords", "must have at most %d keywords", MaxKeywords)
		return nil
	}
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, k := range in {
		k = strings.TrimSpace(k)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	if len(out) > MaxKeywords {
		v.Addf("keywords", "must have at most %d keywords", MaxKeywords)
	}
	for _, k := range out {
		textRule(v, "keywords", k, 1, MaxKeywordLength)
		if v.Has("keywords") {
			break
		}
	}
	return out
}

// ContentFilter selects a page of GET /campaigns/{id}/contents.
type ContentFilter struct {
	Status   string // "": any status
	Page     int
	PageSize int
}

// Check adds the filter's broken values to v.
func (f ContentFilter) Check(v *Violations) {
	if f.Status != "" {
		enumRule(v, "status", f.Status, ContentStatuses)
	}
	CheckPage(v, f.Page, f.PageSize)
}

// Validate checks the filter's values.
func (f ContentFilter) Validate() error {
	var v Violations
	f.Check(&v)
	return v.Err()
}

// ContentPage is one page of GET /campaigns/{id}/contents, newest first.
type ContentPage struct {
	Contents []Content `json:"contents"`
	Total    int       `json:"total"`
	Page     int       `json:"page"`
	PageSize int       `json:"page_size"`
}
