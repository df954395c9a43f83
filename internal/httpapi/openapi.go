package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/omnivibepro/omnivibe"
)

// The OpenAPI 3.1 document of the API. Its schemas are JSON Schema 2020-12,
// and the tests validate real responses against them, so the document cannot
// drift from what the server does. Every route in routes.go has an operation
// here, and the tests check that too.

type schema = map[string]any

func ref(name string) schema { return schema{"$ref": "#/components/schemas/" + name} }

func str(desc string) schema { return schema{"type": "string", "description": desc} }

func strLen(min, max int, desc string) schema {
	s := schema{"type": "string", "maxLength": max, "description": desc}
	if min > 0 {
		s["minLength"] = min
	}
	return s
}

func nullable(s schema) schema {
	if r, ok := s["$ref"]; ok {
		return schema{"anyOf": []schema{{"$ref": r}, {"type": "null"}}}
	}
	out := schema{}
	for k, v := range s {
		out[k] = v
	}
	if t, ok := s["type"].(string); ok {
		out["type"] = []string{t, "null"}
	}
	if e, ok := s["enum"].([]string); ok {
		out["enum"] = append(append([]any{}, toAny(e)...), nil)
	}
	return out
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func enum(values []string, desc string) schema {
	return schema{"type": "string", "enum": values, "description": desc}
}

func integer(desc string) schema { return schema{"type": "integer", "description": desc} }

func intRange(min, max int, desc string) schema {
	return schema{"type": "integer", "minimum": min, "maximum": max, "description": desc}
}

func number(min, max float64, desc string) schema {
	return schema{"type": "number", "minimum": min, "maximum": max, "description": desc}
}

func boolean(desc string) schema { return schema{"type": "boolean", "description": desc} }

func timestamp(desc string) schema {
	return schema{"type": "string", "format": "date-time", "description": desc}
}

func date(desc string) schema { return schema{"type": "string", "format": "date", "description": desc} }

func array(items schema) schema { return schema{"type": "array", "items": items} }

// object is a response object: every listed property is present, no other is.
func object(props schema) schema {
	req := make([]string, 0, len(props))
	for k := range props {
		req = append(req, k)
	}
	sort.Strings(req)
	return schema{"type": "object", "properties": props, "required": req, "additionalProperties": false}
}

// input is a request object: only the listed properties are required, and
// unknown ones are allowed (and ignored), as the contract says.
func input(props schema, required ...string) schema {
	s := schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func page(listName, item string) schema {
	return object(schema{listName: array(ref(item)), "total": integer("rows matching the filter"),
		"page": integer("page number, from 1"), "page_size": integer("rows per page")})
}

var schemas = schema{
	"Error": schema{
		"type":     "object",
		"required": []string{"error_code", "message", "action", "request_id"},
		"properties": schema{
			"error_code":  enum([]string{"invalid_json", "unauthorized", "forbidden", "quota_exceeded", "not_found", "method_not_allowed", "conflict", "payload_too_large", "unsupported_media_type", "range_not_satisfiable", "validation_error", "rate_limited", "internal", "unavailable", "timeout", "busy"}, "machine-readable reason"),
			"message":     str("what went wrong, for people"),
			"action":      enum([]string{"check_input", "relogin", "upgrade_plan", "retry_later", "contact_support"}, "what the client should do"),
			"request_id":  str("ID of the request, also in the X-Request-ID header"),
			"errors":      array(object(schema{"field": str("JSON field or query parameter"), "message": str("the rule it breaks")})),
			"quota_used":  integer("quota_exceeded only: units used this month"),
			"quota_limit": integer("quota_exceeded only: the plan's monthly limit"),
			"plan":        str("quota_exceeded only: the account's plan"),
		},
		"additionalProperties": false,
	},
	"Account": object(schema{"id": integer(""), "name": str("workspace name"), "plan": enum([]string{"free", "creator", "pro", "enterprise"}, ""),
		"created_at": timestamp(""), "updated_at": timestamp("")}),
	"User": object(schema{"id": integer(""), "account_id": integer(""), "email": str("lower-cased"), "name": str(""),
		"role": enum(omnivibe.Roles, ""), "created_at": timestamp(""), "updated_at": timestamp("")}),
	"TokenPair": object(schema{"user": ref("User"), "account": ref("Account"), "access_token": str("JWT (HS256), sent as Authorization: Bearer"),
		"refresh_token": str("single use; trade it at /auth/refresh"), "token_type": enum([]string{"bearer"}, ""), "expires_in": integer("seconds until the access token expires")}),
	"Me":       object(schema{"user": ref("User"), "account": ref("Account")}),
	"UserList": object(schema{"users": array(ref("User"))}),
	"APIKey": object(schema{"id": integer(""), "name": str(""), "prefix": str("first characters of the key, to recognise it"),
		"created_at": timestamp(""), "last_used_at": nullable(timestamp("updated at most once a minute")), "expires_at": nullable(timestamp(""))}),
	"CreatedAPIKey": object(schema{"id": integer(""), "name": str(""), "prefix": str(""), "key": str("ovp_ + 43 characters; shown only now"),
		"created_at": timestamp(""), "last_used_at": nullable(timestamp("")), "expires_at": nullable(timestamp(""))}),
	"APIKeyList": object(schema{"api_keys": array(ref("APIKey"))}),
	"Registration": input(schema{"email": str("unique, case-insensitive"), "password": strLen(8, 128, "with a lower case letter, an upper case letter and a digit"),
		"name": strLen(1, 100, "the owner's name"), "account_name": strLen(0, 200, "workspace name; default the owner's name")}, "email", "password", "name"),
	"Login":          input(schema{"email": str(""), "password": str("")}, "email", "password"),
	"RefreshRequest": input(schema{"refresh_token": str("")}, "refresh_token"),
	"NewAPIKey":      input(schema{"name": strLen(1, 100, ""), "expires_in_days": intRange(1, 365, "default: never expires")}, "name"),
	"NewMember": input(schema{"email": str(""), "name": strLen(1, 100, ""), "password": strLen(8, 128, ""),
		"role": enum(omnivibe.Roles, "only an owner may add an owner")}, "email", "name", "password", "role"),
	"RoleChange":   input(schema{"role": enum(omnivibe.Roles, "")}, "role"),
	"AccountPatch": input(schema{"name": strLen(1, 200, "")}),
	"Client": object(schema{"id": integer(""), "name": str(""), "industry": str(""), "brand_color": str("#RRGGBB or empty"),
		"logo_url": str(""), "contact_email": str(""), "website_url": str(""), "created_at": timestamp(""), "updated_at": timestamp("")}),
	"ClientInput": input(schema{"name": strLen(1, 200, "required on create"), "industry": nullable(strLen(0, 100, "")),
		"brand_color": nullable(schema{"type": "string", "pattern": "^(#[0-9A-Fa-f]{6})?$"}), "logo_url": nullable(str("http or https URL")),
		"contact_email": nullable(str("")), "website_url": nullable(str("http or https URL"))}),
	"ClientPage": page("clients", "Client"),
	"Campaign": object(schema{
		"id": integer(""), "client_id": integer(""), "name": str("unique within the account"), "description": str(""),
		"concept_gender": nullable(enum(omnivibe.Genders, "")), "concept_tone": nullable(enum(omnivibe.Tones, "")),
		"concept_style": nullable(enum(omnivibe.Styles, "")), "platform": nullable(enum(omnivibe.Platforms, "")),
		"target_duration": nullable(intRange(10, 600, "seconds")), "voice_id": str(""), "voice_name": str(""),
		"intro_video_url": str(""), "outro_video_url": str(""), "bgm_url": str(""),
		"intro_duration": number(0, 10, "seconds"), "outro_duration": number(0, 10, "seconds"), "bgm_volume": number(0, 1, ""),
		"publish_schedule": str(""), "auto_deploy": boolean(""), "status": enum(omnivibe.CampaignStatuses, ""),
		"start_date": nullable(date("")), "end_date": nullable(date("not before start_date")),
		"created_at": timestamp(""), "updated_at": timestamp(""),
	}),
	"CampaignInput": input(schema{
		"client_id": integer("a client of this account; required on create"), "name": strLen(1, 200, "required on create; unique within the account (409)"),
		"description":    nullable(strLen(0, 2000, "")),
		"concept_gender": nullable(enum(omnivibe.Genders, "")), "concept_tone": nullable(enum(omnivibe.Tones, "")),
		"concept_style": nullable(enum(omnivibe.Styles, "")), "platform": nullable(enum(omnivibe.Platforms, "case-insensitive")),
		"target_duration": nullable(intRange(10, 600, "seconds")), "voice_id": nullable(strLen(0, 100, "")), "voice_name": nullable(strLen(0, 100, "")),
		"intro_video_url": nullable(str("http or https URL")), "outro_video_url": nullable(str("http or https URL")), "bgm_url": nullable(str("http or https URL")),
		"intro_duration": number(0, 10, "default 5"), "outro_duration": number(0, 10, "default 5"), "bgm_volume": number(0, 1, "default 0.3"),
		"publish_schedule": nullable(strLen(0, 200, "")), "auto_deploy": boolean("default false"), "status": enum(omnivibe.CampaignStatuses, "default active"),
		"start_date": nullable(date("")), "end_date": nullable(date("")),
	}),
	"CampaignPage": page("campaigns", "Campaign"),
	"Content": object(schema{
		"id": integer(""), "campaign_id": integer(""), "title": str(""), "topic": str(""), "platform": enum(omnivibe.Platforms, ""),
		"language": enum(omnivibe.Languages, ""), "target_duration": intRange(10, 600, "seconds"), "target_audience": str(""),
		"keywords": array(str("")), "publish_date": nullable(date("")), "status": enum(omnivibe.ContentStatuses, ""),
		"created_at": timestamp(""), "updated_at": timestamp(""),
	}),
	"ContentInput": input(schema{
		"title": nullable(strLen(0, 200, "")), "topic": strLen(1, 500, "required on create"),
		"platform": enum(omnivibe.Platforms, "required on create unless the campaign has one"), "language": enum(omnivibe.Languages, "default ko"),
		"target_duration": intRange(10, 600, "default: the campaign's, else 60"), "target_audience": nullable(strLen(0, 200, "")),
		"keywords": schema{"type": "array", "items": strLen(1, omnivibe.MaxKeywordLength, ""), "maxItems": omnivibe.MaxKeywords,
			"description": "at most " + strconv.Itoa(omnivibe.MaxKeywords) + " items as sent, of 1-" + strconv.Itoa(omnivibe.MaxKeywordLength) + " characters once trimmed; blanks and repeats are dropped"}, "publish_date": nullable(date("")),
		"status": enum([]string{"draft", "published", "archived"}, "the server sets script_generated and audio_generated"),
	}),
	"ContentPage": page("contents", "Content"),
	"ScriptBlock": object(schema{"order": integer(""), "type": enum([]string{"hook", "body", "cta"}, ""), "text": str(""),
		"duration": schema{"type": "number"}, "start": schema{"type": "number"}, "end": schema{"type": "number"}}),
	"Script": schema{"type": "object", "additionalProperties": false,
		"required": []string{"script_id", "content_id", "provider", "language", "topic", "platform", "tone", "hook", "body", "cta", "blocks", "estimated_duration", "target_duration", "created_at"},
		"properties": schema{"script_id": integer(""), "content_id": nullable(integer("")), "provider": str(""), "model": str(""),
			"language": enum(omnivibe.Languages, ""), "topic": str(""), "platform": enum(omnivibe.Platforms, ""), "tone": enum(omnivibe.Tones, ""),
			"hook": str(""), "body": str(""), "cta": str(""), "blocks": array(ref("ScriptBlock")),
			"estimated_duration": schema{"type": "number"}, "target_duration": integer(""), "created_at": timestamp("")}},
	"ScriptResult": schema{"type": "object", "additionalProperties": false,
		"required": []string{"script_id", "content_id", "provider", "cached", "providers_skipped", "language", "topic", "platform", "tone", "hook", "body", "cta", "blocks", "estimated_duration", "target_duration", "created_at"},
		"properties": schema{"script_id": integer(""), "content_id": nullable(integer("the content the script is stored on")), "provider": enum([]string{"local", "anthropic", "openai"}, ""),
			"model": str(""), "cached": boolean("true: the stored script of an identical earlier request; no quota used"),
			"providers_skipped": array(ref("ProviderSkip")),
			"language":          enum(omnivibe.Languages, ""), "topic": str(""), "platform": enum(omnivibe.Platforms, ""), "tone": enum(omnivibe.Tones, ""),
			"hook": str(""), "body": str("body blocks joined by newlines"), "cta": str(""), "blocks": array(ref("ScriptBlock")),
			"estimated_duration": schema{"type": "number", "description": "sum of the blocks, within ±10 % of target_duration"},
			"target_duration":    integer(""), "created_at": timestamp("")}},
	"ScriptRequest": input(schema{
		"content_id": integer("write for this content: topic, platform, language, duration and audience default from it, and the script is stored on it"),
		"topic":      strLen(1, 500, "required unless content_id"), "platform": enum(omnivibe.Platforms, "default youtube"),
		"tone": enum(omnivibe.Tones, "default: the campaign's concept_tone, else professional"), "language": enum(omnivibe.Languages, "default ko"),
		"target_duration": intRange(10, 600, "seconds, default 60"), "target_audience": strLen(0, 200, ""),
		"campaign_id": integer("context for the prompt"), "campaign_name": strLen(0, 200, "context for the prompt"),
		"regenerate": boolean("false (default) returns the stored script of an identical request"),
	}),
	"DurationRequest": input(schema{"text": strLen(0, omnivibe.MaxDurationText, "empty text reads in 0 s"), "language": enum(omnivibe.Languages, "default ko")}, "text"),
	"DurationEstimate": object(schema{"seconds": schema{"type": "number"}, "characters": integer("letters and digits"),
		"words": integer("whitespace-separated words"), "pauses": integer("punctuation and line breaks that add a pause")}),
	"AudioRequest": input(schema{
		"text":       strLen(1, omnivibe.MaxAudioText, "required unless content_id"),
		"content_id": integer("speak the content's latest script (its blocks, one per line)"),
		"voice_id":   schema{"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$", "description": "provider voice; default picks the language's voice"},
		"language":   enum(omnivibe.Languages, "default ko"), "accuracy_threshold": number(0, 1, "similarity to reach, default 0.95"),
		"max_attempts": intRange(1, 10, "default 5"),
	}),
	"AudioAccepted": object(schema{"task_id": str("opaque"), "status": enum(omnivibe.AudioStatuses, ""),
		"status_url": str("poll this for progress"), "synthetic": boolean("true: the synthetic voice (a generated signal for load tests) is configured"),
		"created_at": timestamp("")}),
	"AudioIteration": object(schema{"attempt": integer(""), "similarity": nullable(schema{"type": "number"}),
		"flagged":    integer("words the attempt's check flagged (substituted, missing or extra); an attempt with any is tried again"),
		"transcript": str(""), "duration": schema{"type": "number"}}),
	"AudioError": schema{"type": "object", "additionalProperties": false, "required": []string{"stage", "code", "retryable", "message"},
		"properties": schema{"stage": enum([]string{"normalize", "synthesize", "transcribe", "score", "store"}, ""), "code": str("provider_unavailable, provider_rejected, unsupported_language, low_similarity, job_lost, ..."),
			"provider": str(""), "retryable": boolean("true: submitting again may succeed"), "message": str("")}},
	"AudioTask": object(schema{
		"task_id": str(""), "campaign_id": nullable(integer("")), "content_id": nullable(integer("")), "text": str(""),
		"language": enum(omnivibe.Languages, ""), "voice_id": str(""), "accuracy_threshold": schema{"type": "number"}, "max_attempts": integer(""),
		"status": enum(omnivibe.AudioStatuses, "succeeded: similarity reached the threshold and no word was flagged (or unverified); "+
			"partial: the best attempt still has flagged words (see words and warning), or its similarity is over 0.8 but under the threshold, "+
			"or the first attempt < 0.6 stopped the loop; failed: the best attempt scored 0.8 or less, under the threshold (its error names the flagged words). "+
			"The best attempt is the one with the fewest flagged words, then the highest similarity"),
		"stage":    enum([]string{"queued", "normalizing", "synthesizing", "transcribing", "scoring", "storing", "done"}, ""),
		"progress": number(0, 1, ""), "attempts": integer(""), "similarity": nullable(number(0, 1, "best attempt; null when unverified")),
		"verified": boolean("a speech recognizer checked the audio"), "warning": nullable(str("why the audio is unverified; or, of a partial task, how many words were flagged and which")),
		"normalized_text": str("what was spoken"), "normalization": array(object(schema{"original": str(""), "spoken": str("")})),
		"transcript": str("what the recognizer heard, best attempt"), "iterations": array(ref("AudioIteration")),
		"synthesizer": str("the provider that made the audio (of a chain: the one that served)"), "recognizer": str("the provider that made the transcript"),
		"providers_skipped": array(ref("ProviderSkip")),
		"synthetic":         boolean("true: a generated signal for load tests, not speech"),
		"audio_url":         nullable(str("download URL once there is audio")), "duration": nullable(schema{"type": "number", "description": "seconds"}),
		"error": nullable(ref("AudioError")), "created_at": timestamp(""), "started_at": nullable(timestamp("")), "finished_at": nullable(timestamp("")),
		"words": schema{"type": "array", "items": ref("AudioWord"), "description": "the best attempt's check, word by word: a substituted word says what was heard instead"},
	}),
	"AudioWord": schema{"type": "object", "additionalProperties": false, "required": []string{"word", "status", "start", "end"},
		"properties": schema{"word": str("the script's word (an extra word: what was heard)"),
			"status": enum([]string{"ok", "missing", "extra", "substituted"}, "ok: said; missing: not said; extra: said, not in the script; substituted: something else said in its place"),
			"heard":  str("substituted: what the recognizer heard instead, when it could tell"),
			"start":  nullable(schema{"type": "number", "description": "seconds from the start; null when not heard"}),
			"end":    nullable(schema{"type": "number", "description": "seconds from the start; null when not heard"})}},
	"VerifyForm": input(schema{
		"file":               schema{"type": "string", "format": "binary", "description": "the voice-over: WAV (PCM or float) or MP3, at most 25 MB and 10 minutes (else 413, 415 or 422 naming file)"},
		"text":               strLen(1, omnivibe.MaxVerifyText, "the script the audio should say"),
		"language":           enum(omnivibe.Languages, "default en"),
		"accuracy_threshold": number(0, 1, "similarity of a match, default 0.95 (as voice-over tasks)"),
	}, "file", "text"),
	"AudioVerification": schema{"type": "object", "additionalProperties": false,
		"required": []string{"similarity", "verdict", "threshold", "verified", "recognizer", "transcript", "normalized_text", "duration", "words"},
		"properties": schema{
			"similarity": nullable(number(0, 1, "null when unverified")),
			"verdict":    nullable(enum([]string{"match", "partial", "mismatch"}, "match: similarity at the threshold and every word ok; partial: above 0.8, or a slip; mismatch: otherwise; null when unverified")),
			"threshold":  number(0, 1, ""), "verified": boolean("a speech recognizer checked the audio"),
			"warning": str("why the audio is unverified"), "recognizer": str(""),
			"transcript": str("what the audio was found to say"), "normalized_text": str("the script as spoken"),
			"duration": schema{"type": "number", "description": "seconds"}, "words": array(ref("AudioWord")),
		}},
	"AudioPage": page("tasks", "AudioTask"),
	"Plan": object(schema{"id": str(""), "name": str(""), "price_usd_month": integer(""),
		"quotas": object(schema{"scripts": nullable(integer("null: unlimited")), "audio": nullable(integer("null: unlimited")),
			"renders": nullable(integer("null: unlimited")), "voice_clones": integer("")})}),
	"PlanList":   object(schema{"plans": array(ref("Plan"))}),
	"PlanChange": input(schema{"plan": enum([]string{"free", "creator", "pro", "enterprise"}, "")}, "plan"),
	"Usage": object(schema{"plan": str(""), "period": str("calendar month, UTC: YYYY-MM"),
		"used":      object(schema{"scripts": integer(""), "audio": integer("")}),
		"limits":    object(schema{"scripts": nullable(integer("")), "audio": nullable(integer("")), "renders": nullable(integer("")), "voice_clones": integer("")}),
		"resets_at": timestamp("")}),
	"ProviderSkip": schema{"type": "object", "additionalProperties": false, "required": []string{"stage", "attempt", "provider", "code", "message"},
		"description": "a provider of a fallback chain that did not serve, and why; the next one was tried",
		"properties": schema{"stage": enum([]string{"synthesize", "transcribe", "write"}, ""), "attempt": integer("the task's attempt, from 1"),
			"provider": str(""), "code": enum([]string{"breaker_open", "rate_limited", "server_error", "timeout", "unreachable", "unavailable", "unsupported_language", "rejected", "unusable_answer"}, ""),
			"status": integer("the provider's HTTP status, when it answered"), "message": str("the provider's explanation")}},
	"ProviderWindow": object(schema{"requests": integer("calls in the window, each retry counts"), "successes": integer(""), "failures": integer(""),
		"success_rate": nullable(number(0, 1, "null without requests")),
		"latency_ms":   nullable(object(schema{"p50": schema{"type": "number"}, "p95": schema{"type": "number"}, "p99": schema{"type": "number"}}))}),
	"ProviderStatus": object(schema{"kind": enum([]string{"writer", "tts", "stt"}, ""), "name": str(""),
		"position": integer("place in the fallback chain, from 1 (tried first)"),
		"breaker":  enum([]string{"closed", "open", "half-open", "none"}, "circuit breaker; none for a provider without one"),
		"last_5m":  ref("ProviderWindow"), "last_60m": ref("ProviderWindow"),
		"last_error": nullable(object(schema{"outcome": str("timeout, server_error, rate_limited, unavailable, refused, ..."), "message": str(""), "at": timestamp("")}))}),
	"ProviderList": object(schema{"providers": array(ref("ProviderStatus"))}),
	"Health": object(schema{"status": enum([]string{"ok"}, ""),
		"version": str("the build: a module version, the commit it was built from (with -dirty for uncommitted changes), or devel")}),
	"ScriptEdit": input(schema{"blocks": schema{"type": "array", "minItems": 3, "maxItems": 7, "description": "hook, 1-5 body blocks, cta, in that order",
		"items": schema{"type": "object", "required": []string{"type", "text"}, "properties": schema{
			"type": enum([]string{"hook", "body", "cta"}, ""), "text": strLen(1, omnivibe.MaxBlockText, "")}}}}, "blocks"),
	"StudioSession": schema{"type": "object", "required": []string{"user", "account", "expires_in"}, "additionalProperties": false,
		"properties": schema{"user": ref("User"), "account": ref("Account"), "expires_in": integer("seconds the access cookie lives")}},
	"Ready": schema{"type": "object", "required": []string{"status"}, "additionalProperties": false,
		"properties": schema{"status": enum([]string{"ready", "unavailable"}, ""), "error": str("what is not reachable")}},

	// Webhooks.
	"Webhook": schema{"type": "object", "additionalProperties": false,
		"required": []string{"id", "url", "description", "events", "enabled", "previous_secret_expires_at", "failing_since", "disabled_reason", "disabled_at", "created_at", "updated_at"},
		"properties": schema{"id": integer(""), "url": str("https URL (http only for this machine when the server allows insecure webhooks)"),
			"description": str(""), "events": array(enum(omnivibe.WebhookEvents, "")), "enabled": boolean("false: nothing is sent"),
			"secret":                     str("whsec_ + base64 key; only in the answers of creation and rotation"),
			"previous_secret_expires_at": nullable(timestamp("until then the replaced secret signs too")),
			"failing_since":              nullable(timestamp("start of the current run of failed deliveries")),
			"disabled_reason":            nullable(str("why the server disabled the endpoint (410 Gone, failing for 5 days)")),
			"disabled_at":                nullable(timestamp("")), "created_at": timestamp(""), "updated_at": timestamp("")}},
	"WebhookList": object(schema{"webhooks": array(ref("Webhook"))}),
	"WebhookInput": input(schema{"url": strLen(1, 2000, "required on create"), "description": nullable(strLen(0, 500, "")),
		"events": array(enum(omnivibe.WebhookEvents, "")), "enabled": boolean("default true; true again clears disabled_reason")}),
	"WebhookRotation": input(schema{"overlap_seconds": intRange(0, 7*24*3600, "how long the replaced secret keeps signing; default 86400")}),
	"WebhookDelivery": object(schema{"id": integer(""), "webhook_id": integer(""), "message_id": str("the webhook-id header, the same on every attempt"),
		"event_type": enum(append(append([]string{}, omnivibe.WebhookEvents...), omnivibe.EventWebhookTest), ""),
		"payload":    schema{"type": "object", "description": "the body sent: {type, timestamp, data}"},
		"status":     enum([]string{omnivibe.DeliveryPending, omnivibe.DeliveryRetrying, omnivibe.DeliverySucceeded, omnivibe.DeliveryFailed}, ""),
		"attempts":   integer("attempts made"), "response_code": nullable(integer("of the last attempt")),
		"response_body": str("first 1 KiB of the last answer"), "duration_ms": nullable(integer("of the last attempt")),
		"error": nullable(str("what went wrong with the last attempt")), "last_attempt_at": nullable(timestamp("")),
		"next_attempt_at": nullable(timestamp("when the next attempt is scheduled")), "created_at": timestamp(""), "updated_at": timestamp("")}),
	"DeliveryPage": page("deliveries", "WebhookDelivery"),
}

// operation describes one route for the document.
type operation struct {
	summary string
	tag     string
	auth    bool
	body    string   // request schema name, "" for none
	ok      int      // success status
	resp    string   // success schema name, "" for no body
	params  []schema // query and path parameters
	errors  []int    // error statuses besides the common ones
	content string   // success media type when not JSON
	// busy names the bounded queue of CPU-heavy work a route waits in (the
	// password queue, the verification queue), "" for none: such a route
	// may answer 503 busy with Retry-After when the queue is full.
	busy string
	form string // multipart/form-data request schema name, "" for none
}

func pathParam(name, desc string) schema {
	return schema{"name": name, "in": "path", "required": true, "schema": schema{"type": "integer", "minimum": 1}, "description": desc}
}

func queryParam(name string, s schema) schema {
	return schema{"name": name, "in": "query", "required": false, "schema": s}
}

var taskParam = schema{"name": "task_id", "in": "path", "required": true, "schema": schema{"type": "string"}, "description": "audio task ID"}

var pageParams = []schema{
	queryParam("page", schema{"type": "integer", "minimum": 1, "default": 1}),
	queryParam("page_size", schema{"type": "integer", "minimum": 1, "maximum": omnivibe.MaxPageSize, "default": omnivibe.DefaultPageSize}),
}

// passwordQueue is the busy queue of the routes that hash or check a password.
const passwordQueue = "the password queue"

// operations maps each route pattern of routes.go to its description.
var operations = map[string]operation{
	"GET /healthz":      {summary: "The process is alive", tag: "operations", ok: 200, resp: "Health"},
	"GET /readyz":       {summary: "The database and cache answer (503 with the same body if not)", tag: "operations", ok: 200, resp: "Ready"},
	"GET /openapi.json": {summary: "This document", tag: "operations", ok: 200, content: "application/json"},
	"GET /docs":         {summary: "This document, for people", tag: "operations", ok: 200, content: "text/html"},
	"GET /docs/{asset}": {summary: "Assets of /docs", tag: "operations", ok: 200, content: "text/plain",
		params: []schema{{"name": "asset", "in": "path", "required": true, "schema": schema{"type": "string"}}}, errors: []int{404}},
	"GET /metrics": {summary: "Prometheus metrics (text format), to the bearer of the metrics token (OMNIVIBE_METRICS_TOKEN) only; 404 when no token is set, when served on another address (OMNIVIBE_METRICS_ADDR) or off",
		tag: "operations", ok: 200, content: "text/plain", errors: []int{401, 404}},

	"POST /api/v1/auth/register": {summary: "Create an account (plan free) and its owner, signed in", tag: "auth", body: "Registration", ok: 201, resp: "TokenPair", errors: []int{409}, busy: passwordQueue},
	"POST /api/v1/auth/login":    {summary: "Sign in; 401 for any bad credential", tag: "auth", body: "Login", ok: 200, resp: "TokenPair", errors: []int{401}, busy: passwordQueue},
	"POST /api/v1/auth/refresh":  {summary: "Trade a refresh token (single use) for a new pair; a replayed token revokes its login", tag: "auth", body: "RefreshRequest", ok: 200, resp: "TokenPair", errors: []int{401}},
	"GET /api/v1/auth/me":        {summary: "The caller's user and account", tag: "auth", auth: true, ok: 200, resp: "Me"},
	"POST /api/v1/auth/api-keys": {summary: "Create an API key acting as the caller; the key is shown once", tag: "auth", auth: true, body: "NewAPIKey", ok: 201, resp: "CreatedAPIKey"},
	"GET /api/v1/auth/api-keys":  {summary: "The caller's API keys that still work", tag: "auth", auth: true, ok: 200, resp: "APIKeyList"},
	"DELETE /api/v1/auth/api-keys/{id}": {summary: "Revoke an API key at once", tag: "auth", auth: true, ok: 204,
		params: []schema{pathParam("id", "API key ID")}, errors: []int{404}},

	"GET /api/v1/account":        {summary: "The caller's workspace", tag: "account", auth: true, ok: 200, resp: "Account"},
	"PATCH /api/v1/account":      {summary: "Rename the workspace (owner, admin)", tag: "account", auth: true, body: "AccountPatch", ok: 200, resp: "Account"},
	"GET /api/v1/account/users":  {summary: "Members of the workspace", tag: "account", auth: true, ok: 200, resp: "UserList"},
	"POST /api/v1/account/users": {summary: "Add a member (owner, admin)", tag: "account", auth: true, body: "NewMember", ok: 201, resp: "User", errors: []int{409}, busy: passwordQueue},
	"PATCH /api/v1/account/users/{id}": {summary: "Change a member's role; the last owner stays an owner (409)", tag: "account", auth: true, body: "RoleChange", ok: 200, resp: "User",
		params: []schema{pathParam("id", "user ID")}, errors: []int{404, 409}},
	"DELETE /api/v1/account/users/{id}": {summary: "Remove a member; the last owner cannot be removed (409)", tag: "account", auth: true, ok: 204,
		params: []schema{pathParam("id", "user ID")}, errors: []int{404, 409}},

	"POST /api/v1/clients":        {summary: "Add a client", tag: "clients", auth: true, body: "ClientInput", ok: 201, resp: "Client"},
	"GET /api/v1/clients":         {summary: "List clients, newest first", tag: "clients", auth: true, ok: 200, resp: "ClientPage", params: pageParams},
	"GET /api/v1/clients/{id}":    {summary: "One client", tag: "clients", auth: true, ok: 200, resp: "Client", params: []schema{pathParam("id", "client ID")}, errors: []int{404}},
	"PATCH /api/v1/clients/{id}":  {summary: "Change the fields sent", tag: "clients", auth: true, body: "ClientInput", ok: 200, resp: "Client", params: []schema{pathParam("id", "client ID")}, errors: []int{404}},
	"DELETE /api/v1/clients/{id}": {summary: "Delete a client without campaigns (else 409)", tag: "clients", auth: true, ok: 204, params: []schema{pathParam("id", "client ID")}, errors: []int{404, 409}},

	"GET /api/v1/campaigns": {summary: "List campaigns, newest first", tag: "campaigns", auth: true, ok: 200, resp: "CampaignPage",
		params: append([]schema{queryParam("client_id", schema{"type": "integer", "minimum": 1}), queryParam("status", enum(omnivibe.CampaignStatuses, "")),
			queryParam("q", schema{"type": "string", "maxLength": 200, "description": "part of the name, case-insensitive"})}, pageParams...)},
	"POST /api/v1/campaigns":        {summary: "Plan a campaign", tag: "campaigns", auth: true, body: "CampaignInput", ok: 201, resp: "Campaign", errors: []int{409}},
	"GET /api/v1/campaigns/{id}":    {summary: "One campaign", tag: "campaigns", auth: true, ok: 200, resp: "Campaign", params: []schema{pathParam("id", "campaign ID")}, errors: []int{404}},
	"PATCH /api/v1/campaigns/{id}":  {summary: "Change the fields sent; an empty body changes nothing", tag: "campaigns", auth: true, body: "CampaignInput", ok: 200, resp: "Campaign", params: []schema{pathParam("id", "campaign ID")}, errors: []int{404, 409}},
	"DELETE /api/v1/campaigns/{id}": {summary: "Delete a campaign with its contents, scripts and audio", tag: "campaigns", auth: true, ok: 204, params: []schema{pathParam("id", "campaign ID")}, errors: []int{404}},

	"POST /api/v1/campaigns/{id}/contents": {summary: "Add a content to a campaign", tag: "contents", auth: true, body: "ContentInput", ok: 201, resp: "Content", params: []schema{pathParam("id", "campaign ID")}, errors: []int{404}},
	"GET /api/v1/campaigns/{id}/contents": {summary: "List a campaign's contents, newest first", tag: "contents", auth: true, ok: 200, resp: "ContentPage",
		params: append([]schema{pathParam("id", "campaign ID"), queryParam("status", enum(omnivibe.ContentStatuses, ""))}, pageParams...), errors: []int{404}},
	"GET /api/v1/contents/{id}":        {summary: "One content", tag: "contents", auth: true, ok: 200, resp: "Content", params: []schema{pathParam("id", "content ID")}, errors: []int{404}},
	"PATCH /api/v1/contents/{id}":      {summary: "Change the fields sent", tag: "contents", auth: true, body: "ContentInput", ok: 200, resp: "Content", params: []schema{pathParam("id", "content ID")}, errors: []int{404}},
	"DELETE /api/v1/contents/{id}":     {summary: "Delete a content with its scripts and audio", tag: "contents", auth: true, ok: 204, params: []schema{pathParam("id", "content ID")}, errors: []int{404}},
	"GET /api/v1/contents/{id}/script": {summary: "The content's latest script", tag: "contents", auth: true, ok: 200, resp: "Script", params: []schema{pathParam("id", "content ID")}, errors: []int{404}},

	"POST /api/v1/writer/generate": {summary: "Write a timed script (hook, 1-5 body blocks, CTA); counts against the scripts quota unless cached", tag: "writer", auth: true,
		body: "ScriptRequest", ok: 200, resp: "ScriptResult", errors: []int{409, 503, 504}},
	"POST /api/v1/writer/duration": {summary: "How long a text takes to read aloud, by the reading-speed model", tag: "writer", auth: true,
		body: "DurationRequest", ok: 200, resp: "DurationEstimate"},

	"POST /api/v1/audio/generate": {summary: "Queue a voice-over (202); with Idempotency-Key, a retry returns the first task (200); counts against the audio quota",
		tag: "audio", auth: true, body: "AudioRequest", ok: 202, resp: "AudioAccepted", errors: []int{200, 409, 503},
		params: []schema{{"name": "Idempotency-Key", "in": "header", "required": false, "schema": schema{"type": "string", "maxLength": 255}}}},
	"GET /api/v1/audio/status/{task_id}": {summary: "A task's live progress and result", tag: "audio", auth: true, ok: 200, resp: "AudioTask",
		params: []schema{taskParam}, errors: []int{404}},
	"GET /api/v1/audio/download/{task_id}": {summary: "The audio (audio/wav or audio/mpeg, range requests work); 409 until there is audio", tag: "audio", auth: true,
		ok: 200, content: "audio/wav", params: []schema{taskParam}, errors: []int{206, 404, 409, 416}},
	"DELETE /api/v1/audio/{task_id}": {summary: "Cancel a queued or running task; its quota unit goes back", tag: "audio", auth: true, ok: 204,
		params: []schema{taskParam}, errors: []int{404, 409}},
	"POST /api/v1/audio/verify": {summary: "Verify an uploaded voice-over against its script, word by word; counts against the audio quota (given back on a server error), nothing is stored",
		tag: "audio", auth: true, form: "VerifyForm", ok: 200, resp: "AudioVerification", errors: []int{503}, busy: "the verification queue"},
	"GET /api/v1/audio": {summary: "The account's tasks, newest first", tag: "audio", auth: true, ok: 200, resp: "AudioPage",
		params: append([]schema{queryParam("status", enum(omnivibe.AudioStatuses, ""))}, pageParams...)},

	"GET /api/v1/billing/plans": {summary: "The price list (public, cacheable)", tag: "billing", ok: 200, resp: "PlanList"},
	"GET /api/v1/billing/usage": {summary: "This month's use of the quotas", tag: "billing", auth: true, ok: 200, resp: "Usage"},
	"PUT /api/v1/billing/plan":  {summary: "Change the plan (owner only)", tag: "billing", auth: true, body: "PlanChange", ok: 200, resp: "Usage"},

	"POST /api/v1/webhooks": {summary: "Add a webhook (owner, admin); its signing secret is in this answer only", tag: "webhooks", auth: true,
		body: "WebhookInput", ok: 201, resp: "Webhook", errors: []int{409, 503}},
	"GET /api/v1/webhooks":      {summary: "The account's webhooks (owner, admin)", tag: "webhooks", auth: true, ok: 200, resp: "WebhookList", errors: []int{503}},
	"GET /api/v1/webhooks/{id}": {summary: "One webhook", tag: "webhooks", auth: true, ok: 200, resp: "Webhook", params: []schema{pathParam("id", "webhook ID")}, errors: []int{404, 503}},
	"PATCH /api/v1/webhooks/{id}": {summary: "Change the fields sent", tag: "webhooks", auth: true, body: "WebhookInput", ok: 200, resp: "Webhook",
		params: []schema{pathParam("id", "webhook ID")}, errors: []int{404, 503}},
	"DELETE /api/v1/webhooks/{id}": {summary: "Delete a webhook and its deliveries", tag: "webhooks", auth: true, ok: 204,
		params: []schema{pathParam("id", "webhook ID")}, errors: []int{404, 503}},
	"POST /api/v1/webhooks/{id}/rotate-secret": {summary: "A new signing secret (in this answer only); the old one signs too during the overlap",
		tag: "webhooks", auth: true, body: "WebhookRotation", ok: 200, resp: "Webhook", params: []schema{pathParam("id", "webhook ID")}, errors: []int{404, 503}},
	"POST /api/v1/webhooks/{id}/test": {summary: "Send a webhook.test event (202)", tag: "webhooks", auth: true, ok: 202, resp: "WebhookDelivery",
		params: []schema{pathParam("id", "webhook ID")}, errors: []int{404, 409, 503}},
	"GET /api/v1/webhooks/{id}/deliveries": {summary: "The webhook's deliveries, newest first", tag: "webhooks", auth: true, ok: 200, resp: "DeliveryPage",
		params: append([]schema{pathParam("id", "webhook ID")}, pageParams...), errors: []int{404, 503}},
	"POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/retry": {summary: "Send a finished delivery again (202); 409 while an attempt is scheduled",
		tag: "webhooks", auth: true, ok: 202, resp: "WebhookDelivery",
		params: []schema{pathParam("id", "webhook ID"), pathParam("delivery_id", "delivery ID")}, errors: []int{404, 409, 503}},
	"GET /api/v1/providers": {summary: "Every configured writer, synthesizer and recognizer in chain order: breaker, success rate, latency percentiles (5 and 60 min), last error",
		tag: "providers", auth: true, ok: 200, resp: "ProviderList"},
	// The studio: the console's page and assets, and its cookie sessions
	// (for the browser console only; API clients use bearer tokens).
	"GET /{$}": {summary: "The studio, the web console (HTML; its scripts and styles are embedded in the binary)", tag: "studio", ok: 200, content: "text/html"},
	"GET /studio/assets/{asset}": {summary: "The studio's scripts and styles (gzip when accepted; ETag, revalidated)", tag: "studio", ok: 200, content: "text/plain",
		params: []schema{{"name": "asset", "in": "path", "required": true, "schema": schema{"type": "string"}}}, errors: []int{304, 404}},
	"POST /studio/session": {summary: "Sign in to the studio: sets HttpOnly SameSite=Strict cookies (access token for /api/, refresh token for /studio/session) and the CSRF cookie whose value unsafe requests repeat in X-CSRF-Token; answers without tokens",
		tag: "studio", body: "Login", ok: 200, resp: "StudioSession", errors: []int{401, 403}},
	"POST /studio/session/register": {summary: "Create an account (plan free) and its owner, signed in to the studio with cookies as POST /studio/session",
		tag: "studio", body: "Registration", ok: 201, resp: "StudioSession", errors: []int{403, 409}},
	"POST /studio/session/refresh": {summary: "Renew the studio's cookies with the refresh cookie (single use); needs X-CSRF-Token", tag: "studio", ok: 200, resp: "StudioSession", errors: []int{401, 403}},
	"DELETE /studio/session":       {summary: "Sign out of the studio: revokes the session's refresh tokens and clears its cookies", tag: "studio", ok: 204, errors: []int{403}},
	"PUT /api/v1/contents/{id}/script": {summary: "Store a script a person wrote or edited as the content's latest (provider \"edited\"), timed by the reading-speed model as written; no writer call, no quota",
		tag: "contents", auth: true, body: "ScriptEdit", ok: 200, resp: "Script", params: []schema{pathParam("id", "content ID")}, errors: []int{404}},
}

// operationIDs names each operation for client generators (openapi-generator,
// oapi-codegen make a method of each): unique, and stable, because a
// generated client's code calls these names, so renaming one breaks it. Most
// are the names of the handlers in routes.go.
var operationIDs = map[string]string{ // #nosec G101 -- operation names such as "login" and "refreshTokens", not credentials
	"GET /healthz":      "getHealth",
	"GET /readyz":       "getReadiness",
	"GET /openapi.json": "getOpenAPIDocument",
	"GET /docs":         "getAPIReference",
	"GET /docs/{asset}": "getAPIReferenceAsset",
	"GET /metrics":      "getMetrics",

	"POST /api/v1/auth/register":        "register",
	"POST /api/v1/auth/login":           "login",
	"POST /api/v1/auth/refresh":         "refreshTokens",
	"GET /api/v1/auth/me":               "getMe",
	"POST /api/v1/auth/api-keys":        "createAPIKey",
	"GET /api/v1/auth/api-keys":         "listAPIKeys",
	"DELETE /api/v1/auth/api-keys/{id}": "revokeAPIKey",

	"GET /api/v1/account":               "getAccount",
	"PATCH /api/v1/account":             "updateAccount",
	"GET /api/v1/account/users":         "listMembers",
	"POST /api/v1/account/users":        "addMember",
	"PATCH /api/v1/account/users/{id}":  "changeMemberRole",
	"DELETE /api/v1/account/users/{id}": "removeMember",

	"POST /api/v1/clients":        "createClient",
	"GET /api/v1/clients":         "listClients",
	"GET /api/v1/clients/{id}":    "getClient",
	"PATCH /api/v1/clients/{id}":  "updateClient",
	"DELETE /api/v1/clients/{id}": "deleteClient",

	"GET /api/v1/campaigns":         "listCampaigns",
	"POST /api/v1/campaigns":        "createCampaign",
	"GET /api/v1/campaigns/{id}":    "getCampaign",
	"PATCH /api/v1/campaigns/{id}":  "updateCampaign",
	"DELETE /api/v1/campaigns/{id}": "deleteCampaign",

	"POST /api/v1/campaigns/{id}/contents": "createContent",
	"GET /api/v1/campaigns/{id}/contents":  "listContents",
	"GET /api/v1/contents/{id}":            "getContent",
	"PATCH /api/v1/contents/{id}":          "updateContent",
	"DELETE /api/v1/contents/{id}":         "deleteContent",
	"GET /api/v1/contents/{id}/script":     "getContentScript",
	"PUT /api/v1/contents/{id}/script":     "saveContentScript",

	"POST /api/v1/writer/generate": "generateScript",
	"POST /api/v1/writer/duration": "estimateDuration",

	"POST /api/v1/audio/generate":          "generateAudio",
	"GET /api/v1/audio/status/{task_id}":   "getAudioStatus",
	"GET /api/v1/audio/download/{task_id}": "downloadAudio",
	"DELETE /api/v1/audio/{task_id}":       "cancelAudio",
	"GET /api/v1/audio":                    "listAudioTasks",
	"POST /api/v1/audio/verify":            "verifyAudio",

	"GET /api/v1/billing/plans": "listPlans",
	"GET /api/v1/billing/usage": "getUsage",
	"PUT /api/v1/billing/plan":  "changePlan",

	"POST /api/v1/webhooks":                                     "createWebhook",
	"GET /api/v1/webhooks":                                      "listWebhooks",
	"GET /api/v1/webhooks/{id}":                                 "getWebhook",
	"PATCH /api/v1/webhooks/{id}":                               "updateWebhook",
	"DELETE /api/v1/webhooks/{id}":                              "deleteWebhook",
	"POST /api/v1/webhooks/{id}/rotate-secret":                  "rotateWebhookSecret",
	"POST /api/v1/webhooks/{id}/test":                           "testWebhook",
	"GET /api/v1/webhooks/{id}/deliveries":                      "listWebhookDeliveries",
	"POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/retry": "retryWebhookDelivery",

	"GET /api/v1/providers": "listProviders",

	"GET /{$}":                      "getStudio",
	"GET /studio/assets/{asset}":    "getStudioAsset",
	"POST /studio/session":          "studioSignIn",
	"POST /studio/session/register": "studioSignUp",
	"POST /studio/session/refresh":  "studioRefresh",
	"DELETE /studio/session":        "studioSignOut",
}

// openAPIDocument builds the document for the given route patterns.
func openAPIDocument(patterns []string) ([]byte, error) {
	paths := schema{}
	for _, pattern := range patterns {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.TrimSuffix(path, "{$}") // "/{$}" is the mux's "exactly /"
		op, ok := operations[pattern]
		if !ok {
			continue // TestOpenAPICoversEveryRoute fails on this
		}
		item, _ := paths[path].(schema)
		if item == nil {
			item = schema{}
			paths[path] = item
		}
		described := op.document(method)
		described["operationId"] = operationIDs[pattern] // TestOpenAPIOperations fails on a missing one
		item[strings.ToLower(method)] = described
	}
	doc := schema{
		"openapi": "3.1.0",
		"info": schema{
			"title":       "OmniVibe Pro API",
			"version":     "1.0.0",
			"description": "Plan video campaigns, have an AI write timed scripts, and turn them into verified voice-overs. Every error has one shape (Error). Send credentials as `Authorization: Bearer <access token or API key>` or `X-API-Key`.",
		},
		"servers": []schema{{"url": "/"}},
		"paths":   paths,
		"components": schema{
			"schemas": schemas,
			"securitySchemes": schema{
				"bearer": schema{"type": "http", "scheme": "bearer", "description": "access token (JWT) or API key"},
				"apiKey": schema{"type": "apiKey", "in": "header", "name": "X-API-Key"},
			},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func (op operation) document(method string) schema {
	out := schema{"summary": op.summary, "tags": []string{op.tag}, "responses": schema{}}
	if len(op.params) > 0 {
		out["parameters"] = op.params
	}
	// Either credential will do. A public operation says so with an empty
	// list: no security at all would read as "not stated".
	out["security"] = []schema{}
	if op.auth {
		out["security"] = []schema{{"bearer": []string{}}, {"apiKey": []string{}}}
	}
	if op.body != "" {
		out["requestBody"] = schema{"required": method != http.MethodPatch,
			"content": schema{"application/json": schema{"schema": ref(op.body)}}}
	}
	if op.form != "" {
		out["requestBody"] = schema{"required": true, "content": schema{"multipart/form-data": schema{"schema": ref(op.form)}}}
	}
	responses := out["responses"].(schema)
	success := schema{"description": http.StatusText(op.ok)}
	switch {
	case op.resp != "":
		success["content"] = schema{"application/json": schema{"schema": ref(op.resp)}}
	case op.content == "application/json":
		success["content"] = schema{op.content: schema{"schema": schema{"type": "object"}}}
	case op.content == "audio/wav":
		binary := schema{"schema": schema{"type": "string", "format": "binary"}}
		success["content"] = schema{"audio/wav": binary, "audio/mpeg": binary}
	case op.content != "":
		success["content"] = schema{op.content: schema{"schema": schema{"type": "string"}}}
	}
	responses[strconv.Itoa(op.ok)] = success
	if op.resp == "Ready" {
		responses["503"] = schema{"description": "not ready", "content": success["content"]}
	}
	errs := append([]int{}, op.errors...)
	if op.body != "" {
		errs = append(errs, 400, 413, 415, 422)
	}
	if op.form != "" {
		errs = append(errs, 413, 415, 422)
	}
	if op.auth {
		errs = append(errs, 401, 403)
	}
	if len(op.params) > 0 {
		errs = append(errs, 422)
	}
	if op.busy != "" {
		errs = append(errs, 503)
	}
	errs = append(errs, 429, 500)
	for _, code := range errs {
		if code < 400 { // another success status, with the same body
			responses[strconv.Itoa(code)] = schema{"description": http.StatusText(code), "content": success["content"]}
			continue
		}
		responses[strconv.Itoa(code)] = schema{"description": http.StatusText(code), "content": schema{"application/json": schema{"schema": ref("Error")}}}
	}
	responses["429"].(schema)["headers"] = rateLimitHeaders
	if op.busy != "" {
		busy := responses["503"].(schema)
		busy["description"] = "busy: " + op.busy + " is full (error_code busy); retry after Retry-After seconds"
		if slices.Contains(op.errors, 503) {
			busy["description"] = "unavailable: a provider the route needs is down (error_code unavailable); or " + busy["description"].(string)
		}
		busy["headers"] = schema{"Retry-After": schema{"description": "seconds to wait before trying again", "schema": schema{"type": "integer"}}}
	}
	return out
}

// rateLimitHeaders are the headers of a 429. Limited routes send the
// X-RateLimit headers on every answer.
var rateLimitHeaders = schema{
	"Retry-After":           schema{"description": "seconds until one more request is allowed", "schema": schema{"type": "integer"}},
	"X-RateLimit-Limit":     schema{"description": "requests allowed at once (the bucket's size)", "schema": schema{"type": "integer"}},
	"X-RateLimit-Remaining": schema{"description": "requests left now", "schema": schema{"type": "integer"}},
	"X-RateLimit-Reset":     schema{"description": "seconds until the full limit is available again", "schema": schema{"type": "integer"}},
}
