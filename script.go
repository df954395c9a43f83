package omnivibe

import "time"

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
