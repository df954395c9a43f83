package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// Writer writes scripts (internal/writer: the local phrase-bank writer, or a
// hosted model behind retries and a circuit breaker).
type Writer interface {
	Write(ctx context.Context, req writer.Request) (writer.Script, error)
	Name() string
	Model() string
}

// ScriptResult is the answer of POST /writer/generate.
type ScriptResult struct {
	omnivibe.Script
	// Cached is true when an identical earlier request's script is returned.
	Cached bool `json:"cached"`
	// ProvidersSkipped lists the writers of a chain that failed before the
	// one that wrote this script (Provider), and why; empty for a single
	// writer and for a cached answer.
	ProvidersSkipped []omnivibe.ProviderSkip `json:"providers_skipped"`
}

// written is a script just written and the writers skipped on the way.
type written struct {
	script  omnivibe.Script
	skipped []omnivibe.ProviderSkip
}

// GenerateScript writes a script, or returns the stored one for an identical
// request (same account and normalized inputs) unless regenerate is set.
//
// The provider is never called inside a transaction. A generation takes one
// unit of the plan's scripts quota, atomically with storing the script, so a
// failed generation costs nothing and concurrent requests cannot overshoot;
// a cheap check before the call spares the provider when nothing is left.
// Concurrent identical requests share one provider call.
func (s *Service) GenerateScript(ctx context.Context, p Principal, in omnivibe.ScriptRequest) (ScriptResult, error) {
	if err := p.canWrite(); err != nil {
		return ScriptResult{}, err
	}
	if err := in.Check(); err != nil {
		return ScriptResult{}, err
	}
	req, contentID, err := s.scriptRequest(ctx, p, in)
	if err != nil {
		return ScriptResult{}, err
	}
	key := s.scriptCacheKey(req, contentID)
	if !in.Regenerate {
		if sc, err := s.store.ScriptByCacheKey(ctx, p.AccountID, key); err == nil {
			return ScriptResult{Script: sc, Cached: true, ProvidersSkipped: []omnivibe.ProviderSkip{}}, nil
		} else if omnivibe.ErrorCode(err) != omnivibe.CodeNotFound {
			return ScriptResult{}, err
		}
	}
	flight := strconv.FormatInt(p.AccountID, 10) + ":" + key
	if in.Regenerate {
		flight += ":regenerate"
	}
	v, err, shared := s.scriptFlights.Do(flight, func() (any, error) {
		// Others may be waiting on this call: it finishes (bounded by the
		// writer's own timeout) even if the caller that started it leaves.
		return s.writeScript(context.WithoutCancel(ctx), p, req, contentID, key)
	})
	if err != nil {
		return ScriptResult{}, err
	}
	// Callers who joined another's generation did not cause one: for them it
	// is a cached answer.
	w := v.(written)
	return ScriptResult{Script: w.script, Cached: shared && !in.Regenerate, ProvidersSkipped: w.skipped}, nil
}

// scriptRequest fills the request's defaults from its content and campaign.
func (s *Service) scriptRequest(ctx context.Context, p Principal, in omnivibe.ScriptRequest) (writer.Request, *int64, error) {
	req := writer.Request{Topic: in.Topic, Platform: in.Platform, Tone: in.Tone, Language: in.Language,
		Audience: in.Audience, CampaignName: in.CampaignName}
	if in.TargetDuration != nil {
		req.TargetDuration = *in.TargetDuration
	}
	campaignID := in.CampaignID
	if in.ContentID != nil {
		c, err := s.store.ContentByID(ctx, p.AccountID, *in.ContentID)
		if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
			return req, nil, fieldError("content_id", "must be a content of this account")
		}
		if err != nil {
			return req, nil, err
		}
		req.Topic = firstNonEmpty(req.Topic, c.Topic)
		req.Platform = firstNonEmpty(req.Platform, c.Platform)
		req.Language = firstNonEmpty(req.Language, c.Language)
		req.Audience = firstNonEmpty(req.Audience, c.TargetAudience)
		if req.TargetDuration == 0 {
			req.TargetDuration = c.TargetDuration
		}
		if campaignID == nil {
			campaignID = &c.CampaignID
		}
	}
	if campaignID != nil {
		camp, err := s.store.CampaignByID(ctx, p.AccountID, *campaignID)
		if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
			return req, nil, fieldError("campaign_id", "must be a campaign of this account")
		}
		if err != nil {
			return req, nil, err
		}
		req.CampaignName = firstNonEmpty(req.CampaignName, camp.Name)
		if req.Tone == "" && camp.ConceptTone != nil {
			req.Tone = *camp.ConceptTone
		}
		if req.Platform == "" && camp.Platform != nil {
			req.Platform = *camp.Platform
		}
		if req.TargetDuration == 0 && camp.TargetDuration != nil {
			req.TargetDuration = *camp.TargetDuration
		}
	}
	req.Platform = firstNonEmpty(req.Platform, "youtube")
	req.Tone = firstNonEmpty(req.Tone, "professional")
	req.Language = firstNonEmpty(req.Language, "ko")
	if req.TargetDuration == 0 {
		req.TargetDuration = omnivibe.DefaultTargetDuration
	}
	return req, in.ContentID, nil
}

// scriptCacheKey identifies a normalized request: the same topic with other
// spacing is the same request; another provider or model is not.
func (s *Service) scriptCacheKey(req writer.Request, contentID *int64) string {
	h := sha256.New()
	content := ""
	if contentID != nil {
		content = strconv.FormatInt(*contentID, 10)
	}
	for _, part := range []string{s.writer.Name(), s.writer.Model(), content, req.Language, req.Platform, req.Tone,
		strconv.Itoa(req.TargetDuration), collapseSpace(req.Topic), collapseSpace(req.Audience), collapseSpace(req.CampaignName)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// writeScript calls the provider, then stores the script in one transaction.
func (s *Service) writeScript(ctx context.Context, p Principal, req writer.Request, contentID *int64, key string) (written, error) {
	if err := s.quotaLeft(ctx, p.AccountID, omnivibe.QuotaScripts); err != nil {
		return written{}, err
	}
	started := time.Now()
	out, err := s.writer.Write(ctx, req)
	if err != nil {
		return written{}, writerError(err)
	}
	s.log.Debug("script written", "provider", out.Provider, "took", time.Since(started))
	sc := omnivibe.Script{
		AccountID: p.AccountID, ContentID: contentID, Provider: out.Provider, Model: out.Model,
		Language: req.Language, Topic: req.Topic, Platform: req.Platform, Tone: req.Tone, TargetDuration: req.TargetDuration,
		Hook: out.Hook, Body: out.Body, CTA: out.CTA, EstimatedDuration: out.EstimatedDuration,
		CacheKey: key, CreatedAt: s.clock(), Blocks: make([]omnivibe.ScriptBlock, len(out.Blocks)),
	}
	for i, b := range out.Blocks {
		sc.Blocks[i] = omnivibe.ScriptBlock{Order: b.Order, Type: b.Type, Text: b.Text, Duration: b.Duration, Start: b.Start, End: b.End}
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := s.consumeQuota(ctx, tx, p.AccountID, omnivibe.QuotaScripts); err != nil {
			return err
		}
		if err := tx.CreateScript(ctx, &sc); err != nil {
			return err
		}
		if err := s.emitWebhookEvent(ctx, tx, p.AccountID, omnivibe.EventScriptGenerated, sc); err != nil {
			return err
		}
		if contentID == nil {
			return nil
		}
		c, err := tx.ContentByID(ctx, p.AccountID, *contentID)
		if err != nil {
			return err
		}
		if c.Status != omnivibe.ContentDraft {
			return nil // never move a content back
		}
		c.Status, c.UpdatedAt = omnivibe.ContentScriptGenerated, sc.CreatedAt
		return tx.UpdateContent(ctx, c)
	})
	return writtenScript(sc, out.Skipped), err
}

// writtenScript pairs a stored script with the writers a chain skipped.
func writtenScript(sc omnivibe.Script, skips []writer.Skip) written {
	w := written{script: sc, skipped: make([]omnivibe.ProviderSkip, len(skips))}
	for i, sk := range skips {
		w.skipped[i] = omnivibe.ProviderSkip{Stage: "write", Attempt: 1, Provider: sk.Provider, Code: sk.Code, Message: sk.Message}
	}
	return w
}

// writerError maps the writer's failures to the contract: 504 for a timeout,
// 503 for a provider that is down or answered unusably.
func writerError(err error) error {
	var chain *writer.ChainError
	if errors.As(err, &chain) {
		reasons := make([]string, len(chain.Skipped))
		for i, sk := range chain.Skipped {
			reasons[i] = sk.Provider + ": " + sk.Code
		}
		code := omnivibe.CodeUnavailable
		if !errors.Is(err, writer.ErrUnavailable) && !errors.Is(err, writer.ErrUnusableAnswer) {
			code = omnivibe.CodeTimeout
		}
		return &omnivibe.Error{Code: code, RetryAfter: 30 * time.Second, Err: err,
			Message: "every script writer failed (" + strings.Join(reasons, ", ") + "); try again later"}
	}
	switch {
	case errors.Is(err, writer.ErrTimeout):
		return &omnivibe.Error{Code: omnivibe.CodeTimeout, Message: "the script writer did not answer in time; try again", Err: err}
	case errors.Is(err, writer.ErrUnavailable), errors.Is(err, writer.ErrUnusableAnswer):
		return &omnivibe.Error{Code: omnivibe.CodeUnavailable, Message: "the script writer is unavailable; try again later", RetryAfter: 30 * time.Second, Err: err}
	}
	return err
}

// Duration estimates how long a text takes to read aloud.
func (s *Service) Duration(in omnivibe.DurationRequest) (writer.DurationEstimate, error) {
	if err := in.Validate(); err != nil {
		return writer.DurationEstimate{}, err
	}
	return writer.Estimate(in.Text, in.Language), nil
}

func fieldError(field, message string) error {
	var v omnivibe.Violations
	v.Add(field, message)
	return v.Err()
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
