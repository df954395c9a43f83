package sqlite

import (
	"context"
	"strings"

	"github.com/omnivibepro/omnivibe"
)

const campaignColumns = `id, account_id, client_id, name, description, concept_gender, concept_tone, concept_style, platform,
	target_duration, voice_id, voice_name, intro_video_url, outro_video_url, bgm_url, intro_duration, outro_duration,
	bgm_volume, publish_schedule, auto_deploy, status, start_date, end_date, created_at, updated_at`

func scanCampaign(row interface{ Scan(...any) error }) (omnivibe.Campaign, error) {
	var c omnivibe.Campaign
	var created, updated int64
	err := row.Scan(&c.ID, &c.AccountID, &c.ClientID, &c.Name, &c.Description, &c.ConceptGender, &c.ConceptTone, &c.ConceptStyle,
		&c.Platform, &c.TargetDuration, &c.VoiceID, &c.VoiceName, &c.IntroVideoURL, &c.OutroVideoURL, &c.BGMURL,
		&c.IntroDuration, &c.OutroDuration, &c.BGMVolume, &c.PublishSchedule, &c.AutoDeploy, &c.Status,
		&c.StartDate, &c.EndDate, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, err
}

func (q queries) CampaignByID(ctx context.Context, accountID, id int64) (omnivibe.Campaign, error) {
	c, err := scanCampaign(q.queryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ? AND account_id = ?`, id, accountID))
	return c, notFoundOr(err, "campaign")
}

// ListCampaigns filters within the account's rows; each filter has an index
// that starts with account_id and ends with id, so neither the count nor the
// page scans the table (see TestListQueriesUseIndexes).
func (q queries) ListCampaigns(ctx context.Context, accountID int64, f omnivibe.CampaignFilter) ([]omnivibe.Campaign, int, error) {
	where, args := campaignWhere(accountID, f)
	var total int
	if err := q.queryRow(ctx, `SELECT count(*) FROM campaigns WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	campaigns := []omnivibe.Campaign{}
	if total == 0 || offset(f.Page, f.PageSize) >= total {
		return campaigns, total, nil
	}
	rows, err := q.query(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, f.PageSize, offset(f.Page, f.PageSize))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, 0, err
		}
		campaigns = append(campaigns, c)
	}
	return campaigns, total, rows.Err()
}

func campaignWhere(accountID int64, f omnivibe.CampaignFilter) (string, []any) {
	var b strings.Builder
	b.WriteString("account_id = ?")
	args := []any{accountID}
	if f.ClientID != 0 {
		b.WriteString(" AND client_id = ?")
		args = append(args, f.ClientID)
	}
	if f.Status != "" {
		b.WriteString(" AND status = ?")
		args = append(args, f.Status)
	}
	if f.Query != "" {
		// instr, not LIKE: the user's % and _ are plain characters, and no escaping is needed.
		b.WriteString(" AND instr(lower(name), lower(?)) > 0")
		args = append(args, f.Query)
	}
	return b.String(), args
}

func (q queries) CreateCampaign(ctx context.Context, c *omnivibe.Campaign) error {
	err := q.queryRow(ctx, `INSERT INTO campaigns (account_id, client_id, name, description, concept_gender, concept_tone,
		concept_style, platform, target_duration, voice_id, voice_name, intro_video_url, outro_video_url, bgm_url, intro_duration,
		outro_duration, bgm_volume, publish_schedule, auto_deploy, status, start_date, end_date, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.AccountID, c.ClientID, c.Name, c.Description, c.ConceptGender, c.ConceptTone, c.ConceptStyle, c.Platform,
		c.TargetDuration, c.VoiceID, c.VoiceName, c.IntroVideoURL, c.OutroVideoURL, c.BGMURL, c.IntroDuration,
		c.OutroDuration, c.BGMVolume, c.PublishSchedule, c.AutoDeploy, c.Status, c.StartDate, c.EndDate,
		micros(c.CreatedAt), micros(c.UpdatedAt)).Scan(&c.ID)
	return conflictOr(err, "campaign", "a campaign with this name already exists in the account")
}

func (q queries) UpdateCampaign(ctx context.Context, c omnivibe.Campaign) error {
	res, err := q.exec(ctx, `UPDATE campaigns SET client_id = ?, name = ?, description = ?, concept_gender = ?,
		concept_tone = ?, concept_style = ?, platform = ?, target_duration = ?, voice_id = ?, voice_name = ?,
		intro_video_url = ?, outro_video_url = ?, bgm_url = ?, intro_duration = ?, outro_duration = ?, bgm_volume = ?,
		publish_schedule = ?, auto_deploy = ?, status = ?, start_date = ?, end_date = ?, updated_at = ?
		WHERE id = ? AND account_id = ?`,
		c.ClientID, c.Name, c.Description, c.ConceptGender, c.ConceptTone, c.ConceptStyle, c.Platform, c.TargetDuration,
		c.VoiceID, c.VoiceName, c.IntroVideoURL, c.OutroVideoURL, c.BGMURL, c.IntroDuration, c.OutroDuration, c.BGMVolume,
		c.PublishSchedule, c.AutoDeploy, c.Status, c.StartDate, c.EndDate, micros(c.UpdatedAt), c.ID, c.AccountID)
	if err != nil {
		return conflictOr(err, "campaign", "a campaign with this name already exists in the account")
	}
	return mustAffect(res, nil, "campaign")
}

func (q queries) DeleteCampaign(ctx context.Context, accountID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM campaigns WHERE id = ? AND account_id = ?`, id, accountID)
	return mustAffect(res, err, "campaign")
}
