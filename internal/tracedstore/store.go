// Package tracedstore wraps a service.Store so that every database call is a
// span: reads as children of the request's span, and the calls of a write
// transaction as children of the transaction's span. It is installed only
// when tracing is on, so with tracing off the store is called directly.
package tracedstore

import (
	"context"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Store is a service.Store whose calls are spans. Methods a newer Store adds
// and this one does not know yet still work, untraced, through the embedded
// store.
type Store struct {
	service.Store
	tracer trace.Tracer
	system attribute.KeyValue
}

var _ service.Store = Store{}

// New wraps store; system names the database in the spans (sqlite,
// postgresql).
func New(store service.Store, tracer trace.Tracer, system string) Store {
	return Store{Store: store, tracer: tracer, system: attribute.String("db.system.name", system)}
}

// Unwrap returns the store underneath, for what needs its own type.
func (s Store) Unwrap() service.Store { return s.Store }

// start begins the span of one call, or returns a nil span when the caller's
// trace is not being recorded (not sampled, or no trace at all): a child of
// an unsampled span is never sampled, so making it would only cost.
func (s Store) start(ctx context.Context, op string) (context.Context, trace.Span) {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx, nil
	}
	return s.tracer.Start(ctx, "db "+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(s.system, attribute.String("db.operation.name", op)))
}

// end finishes a call's span and returns its error. Not found and conflicts
// are answers, not failures: they are noted, and the span stays OK.
func (s Store) end(span trace.Span, err error) error {
	endSpan(span, err)
	return err
}

func endSpan(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil {
		code := omnivibe.ErrorCode(err)
		if code == "" || code == omnivibe.CodeInternal {
			span.RecordError(err)
			span.SetStatus(codes.Error, "database error")
		} else {
			span.SetAttributes(attribute.String("omnivibe.error_code", string(code)))
		}
	}
	span.End()
}

// InTx runs fn in one write transaction, as a span whose children are the
// transaction's calls.
func (s Store) InTx(ctx context.Context, fn func(service.Tx) error) error {
	ctx, span := s.start(ctx, "InTx")
	if span == nil {
		return s.Store.InTx(ctx, fn)
	}
	started := time.Now()
	err := s.Store.InTx(ctx, func(tx service.Tx) error {
		// The wait for the single writer is the part of a slow write that
		// is not SQL: note it.
		span.SetAttributes(attribute.Float64("omnivibe.db.wait_ms", float64(time.Since(started).Microseconds())/1000))
		return fn(&Tx{Tx: tx, tracer: s.tracer, system: s.system, parent: span})
	})
	return s.end(span, err)
}

// Tx is a service.Tx whose calls are spans under the transaction's span.
type Tx struct {
	service.Tx
	tracer trace.Tracer
	system attribute.KeyValue
	parent trace.Span
}

// Unwrap returns the transaction underneath (the SQLite store's *sqlite.Tx
// gives the job queue its *sql.Tx).
func (t *Tx) Unwrap() service.Tx { return t.Tx }

func (t *Tx) start(ctx context.Context, op string) (context.Context, trace.Span) {
	// Callers pass the request's context, not the transaction's: parent the
	// span on the transaction all the same.
	return t.tracer.Start(trace.ContextWithSpan(ctx, t.parent), "db "+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(t.system, attribute.String("db.operation.name", op)))
}

func (t *Tx) end(span trace.Span, err error) error {
	endSpan(span, err)
	return err
}

func (s Store) AccountByID(ctx context.Context, id int64) (omnivibe.Account, error) {
	ctx, span := s.start(ctx, "AccountByID")
	r0, err := s.Store.AccountByID(ctx, id)
	return r0, s.end(span, err)
}

func (s Store) UserByID(ctx context.Context, id int64) (omnivibe.User, error) {
	ctx, span := s.start(ctx, "UserByID")
	r0, err := s.Store.UserByID(ctx, id)
	return r0, s.end(span, err)
}

func (s Store) UserByEmail(ctx context.Context, email string) (omnivibe.User, error) {
	ctx, span := s.start(ctx, "UserByEmail")
	r0, err := s.Store.UserByEmail(ctx, email)
	return r0, s.end(span, err)
}

func (s Store) ListUsers(ctx context.Context, accountID int64) ([]omnivibe.User, error) {
	ctx, span := s.start(ctx, "ListUsers")
	r0, err := s.Store.ListUsers(ctx, accountID)
	return r0, s.end(span, err)
}

func (s Store) CountOwners(ctx context.Context, accountID int64) (int, error) {
	ctx, span := s.start(ctx, "CountOwners")
	r0, err := s.Store.CountOwners(ctx, accountID)
	return r0, s.end(span, err)
}

func (s Store) APIKeyByHash(ctx context.Context, hash []byte) (omnivibe.APIKey, error) {
	ctx, span := s.start(ctx, "APIKeyByHash")
	r0, err := s.Store.APIKeyByHash(ctx, hash)
	return r0, s.end(span, err)
}

func (s Store) ListAPIKeys(ctx context.Context, accountID, userID int64) ([]omnivibe.APIKey, error) {
	ctx, span := s.start(ctx, "ListAPIKeys")
	r0, err := s.Store.ListAPIKeys(ctx, accountID, userID)
	return r0, s.end(span, err)
}

func (s Store) RefreshTokenByHash(ctx context.Context, hash []byte) (omnivibe.RefreshToken, error) {
	ctx, span := s.start(ctx, "RefreshTokenByHash")
	r0, err := s.Store.RefreshTokenByHash(ctx, hash)
	return r0, s.end(span, err)
}

func (s Store) ClientByID(ctx context.Context, accountID, id int64) (omnivibe.Client, error) {
	ctx, span := s.start(ctx, "ClientByID")
	r0, err := s.Store.ClientByID(ctx, accountID, id)
	return r0, s.end(span, err)
}

func (s Store) ListClients(ctx context.Context, accountID int64, page, pageSize int) ([]omnivibe.Client, int, error) {
	ctx, span := s.start(ctx, "ListClients")
	r0, r1, err := s.Store.ListClients(ctx, accountID, page, pageSize)
	return r0, r1, s.end(span, err)
}

func (s Store) CampaignByID(ctx context.Context, accountID, id int64) (omnivibe.Campaign, error) {
	ctx, span := s.start(ctx, "CampaignByID")
	r0, err := s.Store.CampaignByID(ctx, accountID, id)
	return r0, s.end(span, err)
}

func (s Store) ListCampaigns(ctx context.Context, accountID int64, f omnivibe.CampaignFilter) ([]omnivibe.Campaign, int, error) {
	ctx, span := s.start(ctx, "ListCampaigns")
	r0, r1, err := s.Store.ListCampaigns(ctx, accountID, f)
	return r0, r1, s.end(span, err)
}

func (s Store) ContentByID(ctx context.Context, accountID, id int64) (omnivibe.Content, error) {
	ctx, span := s.start(ctx, "ContentByID")
	r0, err := s.Store.ContentByID(ctx, accountID, id)
	return r0, s.end(span, err)
}

func (s Store) ListContents(ctx context.Context, accountID, campaignID int64, status string, page, pageSize int) ([]omnivibe.Content, int, error) {
	ctx, span := s.start(ctx, "ListContents")
	r0, r1, err := s.Store.ListContents(ctx, accountID, campaignID, status, page, pageSize)
	return r0, r1, s.end(span, err)
}

func (s Store) LatestScript(ctx context.Context, accountID, contentID int64) (omnivibe.Script, error) {
	ctx, span := s.start(ctx, "LatestScript")
	r0, err := s.Store.LatestScript(ctx, accountID, contentID)
	return r0, s.end(span, err)
}

func (s Store) ScriptByCacheKey(ctx context.Context, accountID int64, cacheKey string) (omnivibe.Script, error) {
	ctx, span := s.start(ctx, "ScriptByCacheKey")
	r0, err := s.Store.ScriptByCacheKey(ctx, accountID, cacheKey)
	return r0, s.end(span, err)
}

func (s Store) Usage(ctx context.Context, accountID int64, period string) (omnivibe.UsageCounts, error) {
	ctx, span := s.start(ctx, "Usage")
	r0, err := s.Store.Usage(ctx, accountID, period)
	return r0, s.end(span, err)
}

func (t *Tx) AccountByID(ctx context.Context, id int64) (omnivibe.Account, error) {
	ctx, span := t.start(ctx, "AccountByID")
	r0, err := t.Tx.AccountByID(ctx, id)
	return r0, t.end(span, err)
}

func (t *Tx) UserByID(ctx context.Context, id int64) (omnivibe.User, error) {
	ctx, span := t.start(ctx, "UserByID")
	r0, err := t.Tx.UserByID(ctx, id)
	return r0, t.end(span, err)
}

func (t *Tx) UserByEmail(ctx context.Context, email string) (omnivibe.User, error) {
	ctx, span := t.start(ctx, "UserByEmail")
	r0, err := t.Tx.UserByEmail(ctx, email)
	return r0, t.end(span, err)
}

func (t *Tx) ListUsers(ctx context.Context, accountID int64) ([]omnivibe.User, error) {
	ctx, span := t.start(ctx, "ListUsers")
	r0, err := t.Tx.ListUsers(ctx, accountID)
	return r0, t.end(span, err)
}

func (t *Tx) CountOwners(ctx context.Context, accountID int64) (int, error) {
	ctx, span := t.start(ctx, "CountOwners")
	r0, err := t.Tx.CountOwners(ctx, accountID)
	return r0, t.end(span, err)
}

func (t *Tx) APIKeyByHash(ctx context.Context, hash []byte) (omnivibe.APIKey, error) {
	ctx, span := t.start(ctx, "APIKeyByHash")
	r0, err := t.Tx.APIKeyByHash(ctx, hash)
	return r0, t.end(span, err)
}

func (t *Tx) ListAPIKeys(ctx context.Context, accountID, userID int64) ([]omnivibe.APIKey, error) {
	ctx, span := t.start(ctx, "ListAPIKeys")
	r0, err := t.Tx.ListAPIKeys(ctx, accountID, userID)
	return r0, t.end(span, err)
}

func (t *Tx) RefreshTokenByHash(ctx context.Context, hash []byte) (omnivibe.RefreshToken, error) {
	ctx, span := t.start(ctx, "RefreshTokenByHash")
	r0, err := t.Tx.RefreshTokenByHash(ctx, hash)
	return r0, t.end(span, err)
}

func (t *Tx) ClientByID(ctx context.Context, accountID, id int64) (omnivibe.Client, error) {
	ctx, span := t.start(ctx, "ClientByID")
	r0, err := t.Tx.ClientByID(ctx, accountID, id)
	return r0, t.end(span, err)
}

func (t *Tx) ListClients(ctx context.Context, accountID int64, page, pageSize int) ([]omnivibe.Client, int, error) {
	ctx, span := t.start(ctx, "ListClients")
	r0, r1, err := t.Tx.ListClients(ctx, accountID, page, pageSize)
	return r0, r1, t.end(span, err)
}

func (t *Tx) CampaignByID(ctx context.Context, accountID, id int64) (omnivibe.Campaign, error) {
	ctx, span := t.start(ctx, "CampaignByID")
	r0, err := t.Tx.CampaignByID(ctx, accountID, id)
	return r0, t.end(span, err)
}

func (t *Tx) ListCampaigns(ctx context.Context, accountID int64, f omnivibe.CampaignFilter) ([]omnivibe.Campaign, int, error) {
	ctx, span := t.start(ctx, "ListCampaigns")
	r0, r1, err := t.Tx.ListCampaigns(ctx, accountID, f)
	return r0, r1, t.end(span, err)
}

func (t *Tx) ContentByID(ctx context.Context, accountID, id int64) (omnivibe.Content, error) {
	ctx, span := t.start(ctx, "ContentByID")
	r0, err := t.Tx.ContentByID(ctx, accountID, id)
	return r0, t.end(span, err)
}

func (t *Tx) ListContents(ctx context.Context, accountID, campaignID int64, status string, page, pageSize int) ([]omnivibe.Content, int, error) {
	ctx, span := t.start(ctx, "ListContents")
	r0, r1, err := t.Tx.ListContents(ctx, accountID, campaignID, status, page, pageSize)
	return r0, r1, t.end(span, err)
}

func (t *Tx) LatestScript(ctx context.Context, accountID, contentID int64) (omnivibe.Script, error) {
	ctx, span := t.start(ctx, "LatestScript")
	r0, err := t.Tx.LatestScript(ctx, accountID, contentID)
	return r0, t.end(span, err)
}

func (t *Tx) ScriptByCacheKey(ctx context.Context, accountID int64, cacheKey string) (omnivibe.Script, error) {
	ctx, span := t.start(ctx, "ScriptByCacheKey")
	r0, err := t.Tx.ScriptByCacheKey(ctx, accountID, cacheKey)
	return r0, t.end(span, err)
}

func (t *Tx) Usage(ctx context.Context, accountID int64, period string) (omnivibe.UsageCounts, error) {
	ctx, span := t.start(ctx, "Usage")
	r0, err := t.Tx.Usage(ctx, accountID, period)
	return r0, t.end(span, err)
}

func (t *Tx) LockAccount(ctx context.Context, accountID int64) error {
	ctx, span := t.start(ctx, "LockAccount")
	err := t.Tx.LockAccount(ctx, accountID)
	return t.end(span, err)
}

func (t *Tx) CreateAccount(ctx context.Context, a *omnivibe.Account) error {
	ctx, span := t.start(ctx, "CreateAccount")
	err := t.Tx.CreateAccount(ctx, a)
	return t.end(span, err)
}

func (t *Tx) UpdateAccount(ctx context.Context, a omnivibe.Account) error {
	ctx, span := t.start(ctx, "UpdateAccount")
	err := t.Tx.UpdateAccount(ctx, a)
	return t.end(span, err)
}

func (t *Tx) CreateUser(ctx context.Context, u *omnivibe.User) error {
	ctx, span := t.start(ctx, "CreateUser")
	err := t.Tx.CreateUser(ctx, u)
	return t.end(span, err)
}

func (t *Tx) UpdateUser(ctx context.Context, u omnivibe.User) error {
	ctx, span := t.start(ctx, "UpdateUser")
	err := t.Tx.UpdateUser(ctx, u)
	return t.end(span, err)
}

func (t *Tx) DeleteUser(ctx context.Context, accountID, id int64) error {
	ctx, span := t.start(ctx, "DeleteUser")
	err := t.Tx.DeleteUser(ctx, accountID, id)
	return t.end(span, err)
}

func (t *Tx) CreateAPIKey(ctx context.Context, k *omnivibe.APIKey) error {
	ctx, span := t.start(ctx, "CreateAPIKey")
	err := t.Tx.CreateAPIKey(ctx, k)
	return t.end(span, err)
}

func (t *Tx) RevokeAPIKey(ctx context.Context, accountID, userID, id int64, at time.Time) error {
	ctx, span := t.start(ctx, "RevokeAPIKey")
	err := t.Tx.RevokeAPIKey(ctx, accountID, userID, id, at)
	return t.end(span, err)
}

func (t *Tx) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	ctx, span := t.start(ctx, "TouchAPIKey")
	err := t.Tx.TouchAPIKey(ctx, id, at)
	return t.end(span, err)
}

func (t *Tx) CreateRefreshToken(ctx context.Context, token *omnivibe.RefreshToken) error {
	ctx, span := t.start(ctx, "CreateRefreshToken")
	err := t.Tx.CreateRefreshToken(ctx, token)
	return t.end(span, err)
}

func (t *Tx) MarkRefreshTokenUsed(ctx context.Context, id int64, at time.Time) (bool, error) {
	ctx, span := t.start(ctx, "MarkRefreshTokenUsed")
	r0, err := t.Tx.MarkRefreshTokenUsed(ctx, id, at)
	return r0, t.end(span, err)
}

func (t *Tx) RevokeRefreshFamily(ctx context.Context, family string, at time.Time) error {
	ctx, span := t.start(ctx, "RevokeRefreshFamily")
	err := t.Tx.RevokeRefreshFamily(ctx, family, at)
	return t.end(span, err)
}

func (t *Tx) DeleteExpiredRefreshTokens(ctx context.Context, before time.Time) (int64, error) {
	ctx, span := t.start(ctx, "DeleteExpiredRefreshTokens")
	r0, err := t.Tx.DeleteExpiredRefreshTokens(ctx, before)
	return r0, t.end(span, err)
}

func (t *Tx) CreateClient(ctx context.Context, c *omnivibe.Client) error {
	ctx, span := t.start(ctx, "CreateClient")
	err := t.Tx.CreateClient(ctx, c)
	return t.end(span, err)
}

func (t *Tx) UpdateClient(ctx context.Context, c omnivibe.Client) error {
	ctx, span := t.start(ctx, "UpdateClient")
	err := t.Tx.UpdateClient(ctx, c)
	return t.end(span, err)
}

func (t *Tx) DeleteClient(ctx context.Context, accountID, id int64) error {
	ctx, span := t.start(ctx, "DeleteClient")
	err := t.Tx.DeleteClient(ctx, accountID, id)
	return t.end(span, err)
}

func (t *Tx) CreateCampaign(ctx context.Context, c *omnivibe.Campaign) error {
	ctx, span := t.start(ctx, "CreateCampaign")
	err := t.Tx.CreateCampaign(ctx, c)
	return t.end(span, err)
}

func (t *Tx) UpdateCampaign(ctx context.Context, c omnivibe.Campaign) error {
	ctx, span := t.start(ctx, "UpdateCampaign")
	err := t.Tx.UpdateCampaign(ctx, c)
	return t.end(span, err)
}

func (t *Tx) DeleteCampaign(ctx context.Context, accountID, id int64) error {
	ctx, span := t.start(ctx, "DeleteCampaign")
	err := t.Tx.DeleteCampaign(ctx, accountID, id)
	return t.end(span, err)
}

func (t *Tx) CreateContent(ctx context.Context, c *omnivibe.Content) error {
	ctx, span := t.start(ctx, "CreateContent")
	err := t.Tx.CreateContent(ctx, c)
	return t.end(span, err)
}

func (t *Tx) UpdateContent(ctx context.Context, c omnivibe.Content) error {
	ctx, span := t.start(ctx, "UpdateContent")
	err := t.Tx.UpdateContent(ctx, c)
	return t.end(span, err)
}

func (t *Tx) DeleteContent(ctx context.Context, accountID, id int64) error {
	ctx, span := t.start(ctx, "DeleteContent")
	err := t.Tx.DeleteContent(ctx, accountID, id)
	return t.end(span, err)
}

func (t *Tx) CreateScript(ctx context.Context, s *omnivibe.Script) error {
	ctx, span := t.start(ctx, "CreateScript")
	err := t.Tx.CreateScript(ctx, s)
	return t.end(span, err)
}

func (t *Tx) AddUsage(ctx context.Context, accountID int64, period, kind string, delta int, limit *int) (used int, ok bool, err error) {
	ctx, span := t.start(ctx, "AddUsage")
	r0, r1, err := t.Tx.AddUsage(ctx, accountID, period, kind, delta, limit)
	return r0, r1, t.end(span, err)
}
