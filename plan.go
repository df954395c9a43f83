package omnivibe

import "time"

// Plan is a subscription tier with monthly quotas. A nil quota means unlimited.
type Plan struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	PriceUSDMonth int        `json:"price_usd_month"`
	Quotas        PlanQuotas `json:"quotas"`
}

// PlanQuotas are the monthly allowances of a plan; null (nil) means unlimited.
type PlanQuotas struct {
	Scripts     *int `json:"scripts"`
	Audio       *int `json:"audio"`
	Renders     *int `json:"renders"`
	VoiceClones int  `json:"voice_clones"`
}

// The quota kinds that are counted per month.
const (
	QuotaScripts = "scripts"
	QuotaAudio   = "audio"
)

// Limit returns the monthly limit of a quota kind, nil when unlimited.
func (q PlanQuotas) Limit(kind string) *int {
	switch kind {
	case QuotaScripts:
		return q.Scripts
	case QuotaAudio:
		return q.Audio
	}
	return nil
}

func limit(n int) *int { return &n }

// The plan identifiers.
const (
	PlanFree       = "free"
	PlanCreator    = "creator"
	PlanPro        = "pro"
	PlanEnterprise = "enterprise"
)

// plans is the price list of the contract. Plans change with a release, not at run time.
var plans = []Plan{
	{ID: PlanFree, Name: "Free", PriceUSDMonth: 0, Quotas: PlanQuotas{Scripts: limit(15), Audio: limit(15), Renders: limit(5), VoiceClones: 0}},
	{ID: PlanCreator, Name: "Creator", PriceUSDMonth: 19, Quotas: PlanQuotas{Scripts: limit(100), Audio: limit(100), Renders: limit(30), VoiceClones: 1}},
	{ID: PlanPro, Name: "Pro", PriceUSDMonth: 49, Quotas: PlanQuotas{Renders: limit(100), VoiceClones: 3}},
	{ID: PlanEnterprise, Name: "Enterprise", PriceUSDMonth: 499, Quotas: PlanQuotas{VoiceClones: 10}},
}

// Plans returns the price list (a copy; callers may not change the original).
func Plans() []Plan { return append([]Plan(nil), plans...) }

// PlanByID returns the plan with the given id.
func PlanByID(id string) (Plan, bool) {
	for _, p := range plans {
		if p.ID == id {
			return p, true
		}
	}
	return Plan{}, false
}

// PlanChange is the body of PUT /billing/plan.
type PlanChange struct {
	Plan string `json:"plan"`
}

// Validate checks that the plan exists.
func (c *PlanChange) Validate() error {
	if _, ok := PlanByID(c.Plan); !ok {
		var v Violations
		v.Add("plan", "must be one of free, creator, pro, enterprise")
		return v.Err()
	}
	return nil
}

// Period is the calendar month (UTC) a quota is counted in, as "2006-01".
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

// PeriodEnd is when the period containing t ends and quotas reset.
func PeriodEnd(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// Usage is the answer of GET /billing/usage.
type Usage struct {
	Plan     string      `json:"plan"`
	Period   string      `json:"period"`
	Used     UsageCounts `json:"used"`
	Limits   PlanQuotas  `json:"limits"`
	ResetsAt time.Time   `json:"resets_at"`
}

// UsageCounts are the units used in one period.
type UsageCounts struct {
	Scripts int `json:"scripts"`
	Audio   int `json:"audio"`
}

// Of returns the units used of a quota kind.
func (u UsageCounts) Of(kind string) int {
	switch kind {
	case QuotaScripts:
		return u.Scripts
	case QuotaAudio:
		return u.Audio
	}
	return 0
}

// Set records the units used of a quota kind; unknown kinds are ignored.
func (u *UsageCounts) Set(kind string, used int) {
	switch kind {
	case QuotaScripts:
		u.Scripts = used
	case QuotaAudio:
		u.Audio = used
	}
}
