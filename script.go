package omnivibe

import (
	"strings"
	"time"
)

// The kinds of script block, in the order they are spoken.
const (
	BlockHook = "hook"
	BlockBody = "body"
	BlockCTA  = "cta"
)

// Script is a written voice-over script: a hook, body points and a call to
// action, each timed by the reading-speed model.
type Script struct {
	ID                int64         `json:"script_id"`
	AccountID         int64         `json:"-"`
	ContentID         *int64        `json:"content_id"`
	Provider          string        `json:"provider"`
	Model             string        `json:"model,omitempty"`
	Language          string        `json:"language"`
	Topic             string        `json:"topic"`
	Platform          string        `json:"platform"`
	Tone              string        `json:"tone"`
	Hook              string        `json:"hook"`
	Body              string        `json:"body"`
	CTA               string        `json:"cta"`
	Blocks            []ScriptBlock `json:"blocks"`
	EstimatedDuration float64       `json:"estimated_duration"`
	TargetDuration    int           `json:"target_duration"`
	// CacheKey identifies the normalized request that produced the script, so an
	// identical request can be answered from storage.
	CacheKey  string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// ScriptBlock is one timed part of a script.
type ScriptBlock struct {
	Order    int     `json:"order"`
	Type     string  `json:"type"`
	Text     string  `json:"text"`
	Duration float64 `json:"duration"`
	Start    float64 `json:"start"`
	End      float64 `json:"end"`
}

// SpokenText is the script as it is read aloud: its blocks in order, one per line.
func (s Script) SpokenText() string {
	var n int
	for _, b := range s.Blocks {
		n += len(b.Text) + 1
	}
	out := make([]byte, 0, n)
	for i, b := range s.Blocks {
		if i > 0 {
			out = append(out, '\n')
		}
		out = append(out, b.Text...)
	}
	return string(out)
}

// ScriptRequest is the body of POST /writer/generate.
type ScriptRequest struct {
	ContentID      *int64 `json:"content_id,omitempty"`
	Topic          string `json:"topic,omitempty"`
	Platform       string `json:"platform,omitempty"`
	Tone           string `json:"tone,omitempty"`
	Language       string `json:"language,omitempty"`
	Audience       string `json:"target_audience,omitempty"`
	TargetDuration *int   `json:"target_duration,omitempty"`
	CampaignID     *int64 `json:"campaign_id,omitempty"`
	CampaignName   string `json:"campaign_name,omitempty"`
	Regenerate     bool   `json:"regenerate,omitempty"`
}

// Check validates the fields sent, before defaults from a content or campaign
// are applied; a topic is required unless a content gives one.
func (r *ScriptRequest) Check() error {
	var v Violations
	r.Topic = strings.TrimSpace(r.Topic)
	if r.ContentID == nil && r.Topic == "" {
		v.Add("topic", "is required unless content_id is given")
	}
	longTextRule(&v, "topic", r.Topic, 500)
	if r.Platform != "" {
		r.Platform = enumRule(&v, "platform", strings.ToLower(strings.TrimSpace(r.Platform)), Platforms)
	}
	if r.Tone != "" {
		r.Tone = enumRule(&v, "tone", strings.ToLower(strings.TrimSpace(r.Tone)), Tones)
	}
	if r.Language != "" {
		r.Language = enumRule(&v, "language", strings.ToLower(strings.TrimSpace(r.Language)), Languages)
	}
	r.Audience = strings.TrimSpace(r.Audience)
	textRule(&v, "target_audience", r.Audience, 0, 200)
	if r.TargetDuration != nil {
		intRangeRule(&v, "target_duration", *r.TargetDuration, 10, 600)
	}
	r.CampaignName = strings.TrimSpace(r.CampaignName)
	textRule(&v, "campaign_name", r.CampaignName, 0, 200)
	if r.ContentID != nil && *r.ContentID <= 0 {
		v.Add("content_id", "must be a content of this account")
	}
	if r.CampaignID != nil && *r.CampaignID <= 0 {
		v.Add("campaign_id", "must be a campaign of this account")
	}
	return v.Err()
}

// DurationRequest is the body of POST /writer/duration.
type DurationRequest struct {
	Text     string `json:"text"`
	Language string `json:"language"`
}

// MaxDurationText bounds the text of POST /writer/duration.
const MaxDurationText = 20000

// Validate checks the text (size, no control characters but line breaks and
// tabs, as for the script it times) and the language, defaulting it to ko.
func (r *DurationRequest) Validate() error {
	var v Violations
	longTextRule(&v, "text", r.Text, MaxDurationText)
	r.Language = strings.ToLower(strings.TrimSpace(r.Language))
	if r.Language == "" {
		r.Language = "ko"
	}
	enumRule(&v, "language", r.Language, Languages)
	return v.Err()
}
