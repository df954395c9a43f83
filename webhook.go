package omnivibe

import (
	"encoding/json"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The events a webhook can subscribe to, and the test event any webhook can be sent.
const (
	EventAudioSucceeded  = "audio.succeeded"
	EventAudioPartial    = "audio.partial"
	EventAudioFailed     = "audio.failed"
	EventAudioCancelled  = "audio.cancelled"
	EventScriptGenerated = "script.generated"
	EventWebhookTest     = "webhook.test"
)

// WebhookEvents lists every event a webhook may subscribe to.
var WebhookEvents = []string{EventAudioSucceeded, EventAudioPartial, EventAudioFailed, EventAudioCancelled, EventScriptGenerated}

// The states of a webhook delivery.
const (
	DeliveryPending   = "pending"   // waiting for its first attempt
	DeliveryRetrying  = "retrying"  // failed, another attempt is scheduled
	DeliverySucceeded = "succeeded" // the endpoint answered 2xx
	DeliveryFailed    = "failed"    // no attempt left, or a failure no retry can mend
)

// Webhook is an endpoint of an account that is told of its events, signed
// per the Standard Webhooks specification.
type Webhook struct {
	ID          int64    `json:"id"`
	AccountID   int64    `json:"-"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Events      []string `json:"events"`
	Enabled     bool     `json:"enabled"`
	// Secret is the signing secret (whsec_...), in an answer only when it was
	// just made (creation, rotation).
	Secret string `json:"secret,omitempty"`
	// SecretSealed and PreviousSecretSealed are the signing secrets,
	// encrypted; the previous one still signs until PreviousSecretExpiresAt.
	SecretSealed            []byte     `json:"-"`
	PreviousSecretSealed    []byte     `json:"-"`
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at"`
	// FailingSince is when the endpoint's current run of failures began;
	// nil while its last delivery succeeded.
	FailingSince *time.Time `json:"failing_since"`
	// DisabledReason and DisabledAt say why and when the server turned the
	// endpoint off (410 Gone, failing for days); nil when it did not.
	DisabledReason *string    `json:"disabled_reason"`
	DisabledAt     *time.Time `json:"disabled_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Wants reports whether the webhook is enabled and subscribes to event.
func (w Webhook) Wants(event string) bool { return w.Enabled && slices.Contains(w.Events, event) }

// WebhookInput is the body of POST /webhooks and PATCH /webhooks/{id}.
type WebhookInput struct {
	URL         Optional[string]   `json:"url,omitzero"`
	Description Optional[string]   `json:"description,omitzero"`
	Events      Optional[[]string] `json:"events,omitzero"`
	Enabled     Optional[bool]     `json:"enabled,omitzero"`
}

// Apply validates the sent fields and writes them into w. allowInsecure lets
// an http:// URL through when its host is this machine (for local receivers).
// Nothing is written when a field is broken. Enabling a webhook the server
// disabled clears the reason and the run of failures.
func (in WebhookInput) Apply(w *Webhook, create, allowInsecure bool) error {
	var v Violations
	next := *w
	if create && !in.URL.Set {
		v.Add("url", "is required")
	}
	if notNull(&v, "url", in.URL) {
		next.URL = strings.TrimSpace(in.URL.Value)
		if msg := webhookURLProblem(next.URL, allowInsecure); msg != "" {
			v.Add("url", msg)
		}
	}
	if in.Description.Set {
		next.Description = strings.TrimSpace(in.Description.Value)
		textRule(&v, "description", next.Description, 0, 500)
	}
	if create && !in.Events.Set {
		v.Add("events", "is required")
	}
	if notNull(&v, "events", in.Events) {
		next.Events = nil
		for _, e := range in.Events.Value {
			if !slices.Contains(WebhookEvents, e) {
				v.Addf("events", "unknown event %q; events are %s", e, strings.Join(WebhookEvents, ", "))
				break
			}
			if !slices.Contains(next.Events, e) {
				next.Events = append(next.Events, e)
			}
		}
		if len(in.Events.Value) == 0 {
			v.Add("events", "must name at least one event")
		}
	}
	if create {
		next.Enabled = true
	}
	if notNull(&v, "enabled", in.Enabled) {
		if in.Enabled.Value && !next.Enabled {
			next.DisabledReason, next.DisabledAt, next.FailingSince = nil, nil, nil
		}
		next.Enabled = in.Enabled.Value
	}
	if err := v.Err(); err != nil {
		return err
	}
	*w = next
	return nil
}

// webhookURLProblem says what is wrong with a webhook URL, or "". Where the
// host's addresses lead is checked at every delivery (they can change); here
// only what can be told from the text.
func webhookURLProblem(raw string, allowInsecure bool) string {
	if len(raw) > 2000 {
		return "must be at most 2000 characters"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "must be an absolute https:// URL"
	}
	if u.User != nil {
		return "must not carry a user name or password"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if allowInsecure && isLoopbackHost(u.Hostname()) {
			return ""
		}
		if allowInsecure {
			return "must use https (http only for this machine: localhost, 127.0.0.1, [::1])"
		}
	}
	return "must use https"
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WebhookRotation is the body of POST /webhooks/{id}/rotate-secret.
type WebhookRotation struct {
	// OverlapSeconds is how long the previous secret keeps signing, 0-7 days;
	// default 24 h.
	OverlapSeconds Optional[int] `json:"overlap_seconds,omitzero"`
}

// WebhookDelivery is one event sent (or to be sent) to one webhook, with the
// outcome of its last attempt.
type WebhookDelivery struct {
	ID        int64 `json:"id"`
	WebhookID int64 `json:"webhook_id"`
	AccountID int64 `json:"-"`
	// MessageID is the webhook-id header, the same on every attempt, so that
	// receivers can drop duplicates.
	MessageID string          `json:"message_id"`
	EventType string          `json:"event_type"`
	Payload   json.RawMessage `json:"payload"`
	Status    string          `json:"status"`
	Attempts  int             `json:"attempts"`
	// ResponseCode, ResponseBody (its first 1 KiB) and DurationMS are of the
	// last attempt; Error says what went wrong with it, if anything did.
	ResponseCode  *int       `json:"response_code"`
	ResponseBody  string     `json:"response_body"`
	DurationMS    *int64     `json:"duration_ms"`
	Error         *string    `json:"error"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	JobID         int64      `json:"-"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// WebhookList is the answer of GET /webhooks.
type WebhookList struct {
	Webhooks []Webhook `json:"webhooks"`
}

// DeliveryPage is one page of GET /webhooks/{id}/deliveries, newest first.
type DeliveryPage struct {
	Deliveries []WebhookDelivery `json:"deliveries"`
	Total      int               `json:"total"`
	Page       int               `json:"page"`
	PageSize   int               `json:"page_size"`
}
