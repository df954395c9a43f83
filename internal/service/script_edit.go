package service

import (
	"context"
	"math"
	"strings"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// ScriptProviderEdited marks a script a person wrote or edited in place of
// the writer's.
const ScriptProviderEdited = "edited"

// editedCacheKey is never the key of a writer request (those are hex
// digests), so an edited script is never returned as a cached generation.
const editedCacheKey = "edited"

// SaveScript stores a script a person wrote or edited (the studio's "edit a
// block, save to a content") as the content's latest script, so the content's
// voice-over reads what the person approved. Its blocks are timed by the same
// reading-speed model as the writer's, as written: they are not rescaled to
// the target, whose comparison with the estimate is the person's to judge.
// No writer is called and no quota is taken.
func (s *Service) SaveScript(ctx context.Context, p Principal, contentID int64, in omnivibe.ScriptEdit) (omnivibe.Script, error) {
	if err := p.canWrite(); err != nil {
		return omnivibe.Script{}, err
	}
	if err := in.Validate(); err != nil {
		return omnivibe.Script{}, err
	}
	c, err := s.store.ContentByID(ctx, p.AccountID, contentID)
	if err != nil {
		return omnivibe.Script{}, err
	}
	sc := omnivibe.Script{
		AccountID: p.AccountID, ContentID: &contentID, Provider: ScriptProviderEdited,
		Language: c.Language, Topic: c.Topic, Platform: c.Platform, TargetDuration: c.TargetDuration,
		CacheKey: editedCacheKey, CreatedAt: s.clock(), Blocks: make([]omnivibe.ScriptBlock, len(in.Blocks)),
	}
	if prev, err := s.store.LatestScript(ctx, p.AccountID, contentID); err == nil {
		sc.Tone = prev.Tone
	}
	var body []string
	start := 0 // tenths of a second, so starts and ends add up exactly
	for i, b := range in.Blocks {
		text := strings.TrimSpace(b.Text)
		spoken := text
		if i < len(in.Blocks)-1 {
			spoken += "\n" // the pause between blocks, as the writer times it
		}
		tenths := int(math.Round(writer.Estimate(spoken, c.Language).Seconds * 10))
		sc.Blocks[i] = omnivibe.ScriptBlock{Order: i, Type: b.Type, Text: text,
			Duration: float64(tenths) / 10, Start: float64(start) / 10, End: float64(start+tenths) / 10}
		start += tenths
		switch b.Type {
		case omnivibe.BlockHook:
			sc.Hook = text
		case omnivibe.BlockCTA:
			sc.CTA = text
		default:
			body = append(body, text)
		}
	}
	sc.Body = strings.Join(body, "\n")
	sc.EstimatedDuration = float64(start) / 10
	err = s.store.InTx(ctx, func(tx Tx) error {
		c, err := tx.ContentByID(ctx, p.AccountID, contentID)
		if err != nil {
			return err // deleted meanwhile
		}
		if err := tx.CreateScript(ctx, &sc); err != nil {
			return err
		}
		if c.Status != omnivibe.ContentDraft {
			return nil // never move a content back
		}
		c.Status, c.UpdatedAt = omnivibe.ContentScriptGenerated, sc.CreatedAt
		return tx.UpdateContent(ctx, c)
	})
	return sc, err
}
