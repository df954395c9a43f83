package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/omnivibepro/omnivibe"
)

const campaignColumns = `id, account_id, client_id, name, description, concept_gender, concept_tone, concept_style, platform,
	target_duration, voice_id, voice_name, intro_video_url, outro_video_url, bgm_url, intro_duration, outro_duration,
	bgm_volume, publish_schedule, auto_deploy, status, start_date, end_date, created_at, updated_at`

func scanCampaign(row pgx.Row) (omnivibe.Campaign, error) {
	var c omnivibe.Campaign
	err := row.Scan(&c.ID, &c.AccountID, &c.ClientID, &c.Name, &c.Description, &c.ConceptGender, &c.ConceptTone, &c.ConceptStyle,
		&c.Platform, &c.TargetDuration, &c.VoiceID, &c.VoiceName, &c.IntroVideoURL, &c.OutroVideoURL, &c.BGMURL,
		&c.IntroDuration, &c.OutroDuration, &c.BGMVolume, &c.PublishSchedule, &c.AutoDeploy, &c.Status,
		&c.StartDate, &c.EndDate, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c, err
}

func (q queries) CampaignByID(ctx context.Context, accountID, id int64) (omnivibe.Campaign, error) {
	c, err := scanCampaign(q.db.QueryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1 AND account_id = $2`+q.lock, id, accountID))
	return c, notFoundOr(err, "campaign")
}

// ListCampaigns filters within the account's rows; each filter has an index
// that starts with account_id and ends with id, so neither the count nor the
// page scans the table (see TestListQueriesUseIndexes).
func (q queries) ListCampaigns(ctx context.Context, accountID int64, f omnivibe.CampaignFilter) ([]omnivibe.Campaign, int, error) {
	where, args := campaignWhere(accountID, f)
	countSQL, pageSQL := campaignListSQL(where, len(args))
	return pageOf(ctx, q.db, countSQL, pageSQL, args, f.PageSize, offset(f.Page, f.PageSize), scanCampaign)
}

// campaignListSQL returns the count and the page of a campaign list; the
// page's LIMIT and OFFSET are the two parameters after the filter's n.
func campaignListSQL(where string, n int) (countSQL, pageSQL string) {
	return `SELECT count(*) FROM campaigns WHERE ` + where,
		`SELECT ` + campaignColumns + ` FROM campaigns WHERE ` + where +
			` ORDER BY id DESC LIMIT $` + strconv.Itoa(n+1) + ` OFFSET $` + strconv.Itoa(n+2)
}

func campaignWhere(accountID int64, f omnivibe.CampaignFilter) (string, []any) {
	var b strings.Builder
	b.WriteString("account_id = $1")
	args := []any{accountID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.ClientID != 0 {
		b.WriteString(" AND client_id = " + arg(f.ClientID))
	}
	if f.Status != "" {
		b.WriteString(" AND status = " + arg(f.Status))
	}
	if f.Query != "" {
		// strpos, not LIKE: the user's % and _ are plain characters, and no
		// escaping is needed. lower() on both sides makes it case-insensitive.
		b.WriteString(" AND strpos(lower(name), lower(" + arg(f.Query) + "::text)) > 0")
	}
	return b.String(), args
}

const campaignConflict = "a campaign with this name already exists in the account"

func (q queries) CreateCampaign(ctx context.Context, c *omnivibe.Campaign) error {
	err := q.db.QueryRow(ctx, `INSERT INTO campaigns (account_id, client_id, name, description, concept_gender, concept_tone,
		concept_style, platform, target_duration, voice_id, voice_name, intro_video_url, outro_video_url, bgm_url, intro_duration,
		outro_duration, bgm_volume, publish_schedule, auto_deploy, status, start_date, end_date, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING id`,
		c.AccountID, c.ClientID, c.Name, c.Description, c.ConceptGender, c.ConceptTone, c.ConceptStyle, c.Platform,
		c.TargetDuration, c.VoiceID, c.VoiceName, c.IntroVideoURL, c.OutroVideoURL, c.BGMURL, c.IntroDuration,
		c.OutroDuration, c.BGMVolume, c.PublishSchedule, c.AutoDeploy, c.Status, c.StartDate, c.EndDate,
		c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
	return conflictOr(err, "campaign", campaignConflict)
}

func (q queries) UpdateCampaign(ctx context.Context, c omnivibe.Campaign) error {
	tag, err := q.db.Exec(ctx, `UPDATE campaigns SET client_id = $1, name = $2, description = $3, concept_gender = $4,
		concept_tone = $5, concept_style = $6, platform = $7, target_duration = $8, voice_id = $9, voice_name = $10,
		intro_video_url = $11, outro_video_url = $12, bgm_url = $13, intro_duration = $14, outro_duration = $15, bgm_volume = $16,
		publish_schedule = $17, auto_deploy = $18, status = $19, start_date = $20, end_date = $21, updated_at = $22
		WHERE id = $23 AND account_id = $24`,
		c.ClientID, c.Name, c.Description, c.ConceptGender, c.ConceptTone, c.ConceptStyle, c.Platform, c.TargetDuration,
		c.VoiceID, c.VoiceName, c.IntroVideoURL, c.OutroVideoURL, c.BGMURL, c.IntroDuration, c.OutroDuration, c.BGMVolume,
		c.PublishSchedule, c.AutoDeploy, c.Status, c.StartDate, c.EndDate, c.UpdatedAt, c.ID, c.AccountID)
	if err != nil {
		return conflictOr(err, "campaign", campaignConflict)
	}
	return mustAffect(tag, nil, "campaign")
}

func (q queries) DeleteCampaign(ctx context.Context, accountID, id int64) error {
	tag, err := q.db.Exec(ctx, `DELETE FROM campaigns WHERE id = $1 AND account_id = $2`, id, accountID)
	return mustAffect(tag, err, "campaign")
}
