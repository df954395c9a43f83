package service

import (
	"context"
	"time"

	"github.com/omnivibepro/omnivibe"
)

// Store is the database, as the service needs it. Reads on a Store may run on a
// pool of connections; every write runs inside InTx, in one short transaction
// that never waits on the network. Not found is ErrNotFound-coded, never nil, nil;
// constraint violations are conflict-coded *omnivibe.Error values.
type Store interface {
	Reader
	// InTx runs fn in one write transaction: committed when fn returns nil,
	// rolled back otherwise.
	InTx(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}

// Reader holds every read. Every method that takes an accountID is scoped to it:
// another account's rows are not found.
type Reader interface {
	AccountByID(ctx context.Context, id int64) (omnivibe.Account, error)
	UserByID(ctx context.Context, id int64) (omnivibe.User, error)
	UserByEmail(ctx context.Context, email string) (omnivibe.User, error)
	ListUsers(ctx context.Context, accountID int64) ([]omnivibe.User, error)
	CountOwners(ctx context.Context, accountID int64) (int, error)

	// APIKeyByHash finds a key by the SHA-256 of its secret, revoked or not.
	APIKeyByHash(ctx context.Context, hash []byte) (omnivibe.APIKey, error)
	ListAPIKeys(ctx context.Context, accountID, userID int64) ([]omnivibe.APIKey, error)
	RefreshTokenByHash(ctx context.Context, hash []byte) (omnivibe.RefreshToken, error)

	ClientByID(ctx context.Context, accountID, id int64) (omnivibe.Client, error)
	ListClients(ctx context.Context, accountID int64, page, pageSize int) ([]omnivibe.Client, int, error)

	CampaignByID(ctx context.Context, accountID, id int64) (omnivibe.Campaign, error)
	ListCampaigns(ctx context.Context, accountID int64, f omnivibe.CampaignFilter) ([]omnivibe.Campaign, int, error)

	ContentByID(ctx context.Context, accountID, id int64) (omnivibe.Content, error)
	ListContents(ctx context.Context, accountID, campaignID int64, status string, page, pageSize int) ([]omnivibe.Content, int, error)

	// LatestScript returns the newest script of a content.
	LatestScript(ctx context.Context, accountID, contentID int64) (omnivibe.Script, error)
	// ScriptByCacheKey returns the newest script written for an identical request.
	ScriptByCacheKey(ctx context.Context, accountID int64, cacheKey string) (omnivibe.Script, error)

	// Usage returns the units used by an account in a period ("2006-01").
	Usage(ctx context.Context, accountID int64, period string) (omnivibe.UsageCounts, error)

	// AudioTask returns a task of the account by its public ID.
	AudioTask(ctx context.Context, accountID int64, taskID string) (omnivibe.AudioTask, error)
	// AudioTaskForWork returns a task by its public ID, whatever its account:
	// for the workers, which act on behalf of the task's account.
	AudioTaskForWork(ctx context.Context, taskID string) (omnivibe.AudioTask, error)
	AudioTaskByIdempotencyKey(ctx context.Context, accountID int64, key string) (omnivibe.AudioTask, error)
	ListAudioTasks(ctx context.Context, accountID int64, f omnivibe.AudioFilter) ([]omnivibe.AudioTask, int, error)
	CountAudioTasks(ctx context.Context, accountID int64, status string) (int, error)
	// AudioFiles returns the stored audio files of the account's tasks of a
	// campaign (campaignID > 0) or of a content (contentID > 0).
	AudioFiles(ctx context.Context, accountID, campaignID, contentID int64) ([]string, error)
	// UnfinishedAudioTasks returns up to limit queued or running tasks created
	// before a time, oldest first, for the reconciler.
	UnfinishedAudioTasks(ctx context.Context, before time.Time, limit int) ([]omnivibe.AudioTask, error)

	// Webhooks (webhooks.go). Deliveries are listed newest first.
	WebhookByID(ctx context.Context, accountID, id int64) (omnivibe.Webhook, error)
	ListWebhooks(ctx context.Context, accountID int64) ([]omnivibe.Webhook, error)
	WebhookDelivery(ctx context.Context, accountID, webhookID, id int64) (omnivibe.WebhookDelivery, error)
	// WebhookDeliveryForWork returns a delivery whatever its account, for the
	// workers, which act on behalf of the delivery's account.
	WebhookDeliveryForWork(ctx context.Context, id int64) (omnivibe.WebhookDelivery, error)
	ListWebhookDeliveries(ctx context.Context, accountID, webhookID int64, page, pageSize int) ([]omnivibe.WebhookDelivery, int, error)
}

// Tx is one write transaction. It reads what it wrote.
type Tx interface {
	Reader

	// LockAccount serializes the transactions of one account from here to the
	// end of this one, for rules where a read decides a write (the last owner).
	// Stores whose write transactions are already serial may do nothing.
	LockAccount(ctx context.Context, accountID int64) error

	CreateAccount(ctx context.Context, a *omnivibe.Account) error
	UpdateAccount(ctx context.Context, a omnivibe.Account) error
	CreateUser(ctx context.Context, u *omnivibe.User) error
	UpdateUser(ctx context.Context, u omnivibe.User) error
	DeleteUser(ctx context.Context, accountID, id int64) error

	CreateAPIKey(ctx context.Context, k *omnivibe.APIKey) error
	RevokeAPIKey(ctx context.Context, accountID, userID, id int64, at time.Time) error
	TouchAPIKey(ctx context.Context, id int64, at time.Time) error

	CreateRefreshToken(ctx context.Context, t *omnivibe.RefreshToken) error
	// MarkRefreshTokenUsed marks an unused token used and reports whether this
	// call did it (false: it was already used, by this or a concurrent call).
	MarkRefreshTokenUsed(ctx context.Context, id int64, at time.Time) (bool, error)
	// RevokeRefreshFamily marks every token of a family used.
	RevokeRefreshFamily(ctx context.Context, family string, at time.Time) error
	DeleteExpiredRefreshTokens(ctx context.Context, before time.Time) (int64, error)

	CreateClient(ctx context.Context, c *omnivibe.Client) error
	UpdateClient(ctx context.Context, c omnivibe.Client) error
	// DeleteClient fails with a conflict while the client has campaigns.
	DeleteClient(ctx context.Context, accountID, id int64) error

	CreateCampaign(ctx context.Context, c *omnivibe.Campaign) error
	UpdateCampaign(ctx context.Context, c omnivibe.Campaign) error
	// DeleteCampaign deletes the campaign with its contents, scripts and audio tasks.
	DeleteCampaign(ctx context.Context, accountID, id int64) error

	CreateContent(ctx context.Context, c *omnivibe.Content) error
	UpdateContent(ctx context.Context, c omnivibe.Content) error
	DeleteContent(ctx context.Context, accountID, id int64) error

	// LockAudioTask reads a task by its public ID (any account) and keeps it
	// from changing under this transaction until it ends.
	LockAudioTask(ctx context.Context, taskID string) (omnivibe.AudioTask, error)
	// CreateAudioTask stores a new task; a second task with the same
	// idempotency key in the account is a conflict.
	CreateAudioTask(ctx context.Context, t *omnivibe.AudioTask) error
	// UpdateAudioTask writes every field a task's life changes (status, stage,
	// progress, attempts, results, error, times, job ID).
	UpdateAudioTask(ctx context.Context, t omnivibe.AudioTask) error

	// CreateScript stores a script and its blocks.
	CreateScript(ctx context.Context, s *omnivibe.Script) error

	// AddUsage adds delta units of kind to an account's period. With a limit, it
	// adds only if the total stays within it and reports ok=false otherwise; the
	// check and the write are one statement, so concurrent calls cannot overshoot.
	// A negative delta gives units back, never below zero.
	AddUsage(ctx context.Context, accountID int64, period, kind string, delta int, limit *int) (used int, ok bool, err error)

	// Webhooks (webhooks.go). Deleting a webhook deletes its deliveries.
	CreateWebhook(ctx context.Context, w *omnivibe.Webhook) error
	UpdateWebhook(ctx context.Context, w omnivibe.Webhook) error
	DeleteWebhook(ctx context.Context, accountID, id int64) error
	CreateWebhookDelivery(ctx context.Context, d *omnivibe.WebhookDelivery) error
	// UpdateWebhookDelivery writes what an attempt changes (status, attempts,
	// answer, times, job ID).
	UpdateWebhookDelivery(ctx context.Context, d omnivibe.WebhookDelivery) error
}
