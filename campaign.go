package omnivibe

import (
	"strings"
	"time"
)

// The enumerations of campaigns and contents.
var (
	Genders          = []string{"female", "male", "neutral"}
	Tones            = []string{"professional", "friendly", "casual", "humorous", "serious", "energetic"}
	Styles           = []string{"soft", "intense", "calm", "energetic", "cinematic", "minimal", "dynamic"}
	Platforms        = []string{"youtube", "instagram", "tiktok", "facebook"}
	CampaignStatuses = []string{"active", "paused", "completed", "archived"}
	Languages        = []string{"ko", "en", "ja", "zh"}
)

// Campaign is a planned series of videos for one client. Text fields are empty
// when unset; fields that take one of a set of values, numbers and dates are null.
type Campaign struct {
	ID              int64     `json:"id"`
	AccountID       int64     `json:"-"`
	ClientID        int64     `json:"client_id"`
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	ConceptGender   *string   `json:"concept_gender"`
	ConceptTone     *string   `json:"concept_tone"`
	ConceptStyle    *string   `json:"concept_style"`
	Platform        *string   `json:"platform"`
	TargetDuration  *int      `json:"target_duration"`
	VoiceID         string    `json:"voice_id"`
	VoiceName       string    `json:"voice_name"`
	IntroVideoURL   string    `json:"intro_video_url"`
	OutroVideoURL   string    `json:"outro_video_url"`
	BGMURL          string    `json:"bgm_url"`
	IntroDuration   float64   `json:"intro_duration"`
	OutroDuration   float64   `json:"outro_duration"`
	BGMVolume       float64   `json:"bgm_volume"`
	PublishSchedule string    `json:"publish_schedule"`
	AutoDeploy      bool      `json:"auto_deploy"`
	Status          string    `json:"status"`
	StartDate       *string   `json:"start_date"`
	EndDate         *string   `json:"end_date"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// NewCampaign returns a campaign with the contract's defaults.
func NewCampaign() Campaign {
	return Campaign{IntroDuration: 5, OutroDuration: 5, BGMVolume: 0.3, Status: "active"}
}

// CampaignInput is the body of POST /campaigns and PATCH /campaigns/{id}: only
// the fields sent change. Nullable fields sent as null are cleared.
type CampaignInput struct {
	ClientID        Optional[int64]   `json:"client_id,omitzero"`
	Name            Optional[string]  `json:"name,omitzero"`
	Description     Optional[string]  `json:"description,omitzero"`
	ConceptGender   Optional[string]  `json:"concept_gender,omitzero"`
	ConceptTone     Optional[string]  `json:"concept_tone,omitzero"`
	ConceptStyle    Optional[string]  `json:"concept_style,omitzero"`
	Platform        Optional[string]  `json:"platform,omitzero"`
	TargetDuration  Optional[int]     `json:"target_duration,omitzero"`
	VoiceID         Optional[string]  `json:"voice_id,omitzero"`
	VoiceName       Optional[string]  `json:"voice_name,omitzero"`
	IntroVideoURL   Optional[string]  `json:"intro_video_url,omitzero"`
	OutroVideoURL   Optional[string]  `json:"outro_video_url,omitzero"`
	BGMURL          Optional[string]  `json:"bgm_url,omitzero"`
	IntroDuration   Optional[float64] `json:"intro_duration,omitzero"`
	OutroDuration   Optional[float64] `json:"outro_duration,omitzero"`
	BGMVolume       Optional[float64] `json:"bgm_volume,omitzero"`
	PublishSchedule Optional[string]  `json:"publish_schedule,omitzero"`
	AutoDeploy      Optional[bool]    `json:"auto_deploy,omitzero"`
	Status          Optional[string]  `json:"status,omitzero"`
	StartDate       Optional[string]  `json:"start_date,omitzero"`
	EndDate         Optional[string]  `json:"end_date,omitzero"`
}

// Apply validates the sent fields and writes them into c. With create set, the
// required fields must be present. Whether client_id names a client of the
// account is checked by the service, which can see the database.
func (in CampaignInput) Apply(c *Campaign, create bool) error {
	var v Violations
	next := *c
	if create {
		if !in.ClientID.Set {
			v.Add("client_id", "is required")
		}
		if !in.Name.Set {
			v.Add("name", "is required")
		}
	}
	if notNull(&v, "client_id", in.ClientID) {
		next.ClientID = in.ClientID.Value
		if next.ClientID <= 0 {
			v.Add("client_id", "must be a client of this account")
		}
	}
	if notNull(&v, "name", in.Name) {
		next.Name = strings.TrimSpace(in.Name.Value)
		textRule(&v, "name", next.Name, 1, 200)
	}
	applyLongText(&v, "description", in.Description, &next.Description, 2000)
	applyEnum(&v, "concept_gender", in.ConceptGender, &next.ConceptGender, Genders)
	applyEnum(&v, "concept_tone", in.ConceptTone, &next.ConceptTone, Tones)
	applyEnum(&v, "concept_style", in.ConceptStyle, &next.ConceptStyle, Styles)
	applyEnum(&v, "platform", in.Platform, &next.Platform, Platforms)
	if in.TargetDuration.Set {
		next.TargetDuration = nil
		if !in.TargetDuration.Null {
			d := in.TargetDuration.Value
			intRangeRule(&v, "target_duration", d, 10, 600)
			next.TargetDuration = &d
		}
	}
	applyText(&v, "voice_id", in.VoiceID, &next.VoiceID, 100)
	applyText(&v, "voice_name", in.VoiceName, &next.VoiceName, 100)
	applyURL(&v, "intro_video_url", in.IntroVideoURL, &next.IntroVideoURL)
	applyURL(&v, "outro_video_url", in.OutroVideoURL, &next.OutroVideoURL)
	applyURL(&v, "bgm_url", in.BGMURL, &next.BGMURL)
	if notNull(&v, "intro_duration", in.IntroDuration) {
		next.IntroDuration = in.IntroDuration.Value
		floatRangeRule(&v, "intro_duration", next.IntroDuration, 0, 10)
	}
	if notNull(&v, "outro_duration", in.OutroDuration) {
		next.OutroDuration = in.OutroDuration.Value
		floatRangeRule(&v, "outro_duration", next.OutroDuration, 0, 10)
	}
	if notNull(&v, "bgm_volume", in.BGMVolume) {
		next.BGMVolume = in.BGMVolume.Value
		floatRangeRule(&v, "bgm_volume", next.BGMVolume, 0, 1)
	}
	applyText(&v, "publish_schedule", in.PublishSchedule, &next.PublishSchedule, 200)
	if notNull(&v, "auto_deploy", in.AutoDeploy) {
		next.AutoDeploy = in.AutoDeploy.Value
	}
	if notNull(&v, "status", in.Status) {
		next.Status = enumRule(&v, "status", strings.ToLower(in.Status.Value), CampaignStatuses)
	}
	applyDate(&v, "start_date", in.StartDate, &next.StartDate)
	applyDate(&v, "end_date", in.EndDate, &next.EndDate)
	if next.StartDate != nil && next.EndDate != nil && *next.EndDate < *next.StartDate &&
		!v.Has("start_date") && !v.Has("end_date") {
		v.Add("end_date", "must not be before start_date")
	}
	if err := v.Err(); err != nil {
		return err
	}
	*c = next
	return nil
}

// CampaignFilter selects a page of GET /campaigns.
type CampaignFilter struct {
	ClientID int64  // 0: any client
	Status   string // "": any status
	Query    string // substring of the name; "": any
	Page     int
	PageSize int
}

// Validate checks the filter's values.
func (f CampaignFilter) Validate() error {
	var v Violations
	f.Check(&v)
	return v.Err()
}

// Check adds the filter's broken values to v, which may already hold what was
// found while parsing them.
func (f CampaignFilter) Check(v *Violations) {
	if f.Status != "" {
		enumRule(v, "status", f.Status, CampaignStatuses)
	}
	textRule(v, "q", f.Query, 0, 200)
	CheckPage(v, f.Page, f.PageSize)
}

// CampaignPage is one page of GET /campaigns, newest first.
type CampaignPage struct {
	Campaigns []Campaign `json:"campaigns"`
	Total     int        `json:"total"`
	Page      int        `json:"page"`
	PageSize  int        `json:"page_size"`
}

// Pagination defaults and bounds of every list.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// CheckPage adds broken page and page_size values of a list to v.
func CheckPage(v *Violations, page, size int) {
	if page < 1 {
		v.Add("page", "must be at least 1")
	}
	intRangeRule(v, "page_size", size, 1, MaxPageSize)
}

// ValidatePage checks page and page_size of a list.
func ValidatePage(page, size int) error {
	var v Violations
	CheckPage(&v, page, size)
	return v.Err()
}

func applyText(v *Violations, field string, in Optional[string], dst *string, max int) {
	if in.Set {
		*dst = strings.TrimSpace(in.Value) // null leaves Value empty: cleared
		textRule(v, field, *dst, 0, max)
	}
}

func applyLongText(v *Violations, field string, in Optional[string], dst *string, max int) {
	if in.Set {
		*dst = in.Value
		longTextRule(v, field, *dst, max)
	}
}

func applyURL(v *Violations, field string, in Optional[string], dst *string) {
	if in.Set {
		*dst = strings.TrimSpace(in.Value)
		if *dst != "" {
			urlRule(v, field, *dst)
		}
	}
}

// applyEnum accepts any case on input and stores lower case, as the contract
// asks of platforms; the other enumerations follow the same rule for consistency.
func applyEnum(v *Violations, field string, in Optional[string], dst **string, allowed []string) {
	if !in.Set {
		return
	}
	if in.Null {
		*dst = nil
		return
	}
	s := enumRule(v, field, strings.ToLower(strings.TrimSpace(in.Value)), allowed)
	*dst = &s
}

func applyDate(v *Violations, field string, in Optional[string], dst **string) {
	if !in.Set {
		return
	}
	if in.Null || in.Value == "" {
		*dst = nil
		return
	}
	if _, ok := dateRule(v, field, in.Value); ok {
		s := in.Value
		*dst = &s
	}
}
