package tracedstore_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/storetest"
	"github.com/omnivibepro/omnivibe/internal/tracedstore"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "traced.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newTracer(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	return tp, rec
}

// TestStoreSuite runs every Store rule through the decorator: tracing must
// change nothing a caller sees.
func TestStoreSuite(t *testing.T) {
	tp, _ := newTracer(t)
	storetest.Run(t, func(t *testing.T) service.Store {
		return tracedstore.New(openSQLite(t), tp.Tracer("test"), "sqlite")
	})
}

func TestSpans(t *testing.T) {
	tp, rec := newTracer(t)
	store := tracedstore.New(openSQLite(t), tp.Tracer("test"), "sqlite")
	ctx, request := tp.Tracer("test").Start(context.Background(), "GET /api/v1/account")
	now := time.Now().UTC()
	account := omnivibe.Account{Name: "Traced", Plan: omnivibe.PlanFree, CreatedAt: now, UpdatedAt: now}
	err := store.InTx(ctx, func(tx service.Tx) error { return tx.CreateAccount(ctx, &account) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AccountByID(ctx, account.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AccountByID(ctx, account.ID+1000); omnivibe.ErrorCode(err) != omnivibe.CodeNotFound {
		t.Fatalf("missing account: %v", err)
	}
	request.End()

	byName := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		byName[s.Name()] = append(byName[s.Name()], s)
	}
	tx, create, reads := byName["db InTx"], byName["db CreateAccount"], byName["db AccountByID"]
	if len(tx) != 1 || len(create) != 1 || len(reads) != 2 {
		t.Fatalf("spans %v: want one InTx, one CreateAccount, two AccountByID", byName)
	}
	reqID := request.SpanContext().SpanID()
	if tx[0].Parent().SpanID() != reqID || reads[0].Parent().SpanID() != reqID {
		t.Errorf("transaction and reads are not children of the request span")
	}
	if create[0].Parent().SpanID() != tx[0].SpanContext().SpanID() {
		t.Errorf("CreateAccount is not a child of its transaction, though the caller passed the request's context")
	}
	attrs := map[string]string{}
	for _, kv := range create[0].Attributes() {
		attrs[string(kv.Key)] = kv.Value.Emit()
	}
	if attrs["db.system.name"] != "sqlite" || attrs["db.operation.name"] != "CreateAccount" {
		t.Errorf("CreateAccount attributes %v", attrs)
	}
	// Not found is an answer, not a database failure.
	for _, r := range reads {
		if r.Status().Code.String() == "Error" {
			t.Errorf("a read span is an error: %v", r.Status())
		}
	}
}

// countingTracer counts the spans asked of it.
type countingTracer struct {
	trace.Tracer
	starts atomic.Int32
}

func (c *countingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	c.starts.Add(1)
	return c.Tracer.Start(ctx, name, opts...)
}

// TestNoSpansOutsideARecordedTrace: calls without a trace, or inside one that
// is not sampled, make no spans at all (not even unrecorded ones).
func TestNoSpansOutsideARecordedTrace(t *testing.T) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	tracer := &countingTracer{Tracer: tp.Tracer("test")}
	store := tracedstore.New(openSQLite(t), tracer, "sqlite")
	unsampled, span := tp.Tracer("test").Start(context.Background(), "GET /api/v1/account")
	defer span.End()
	for _, ctx := range []context.Context{context.Background(), unsampled} {
		now := time.Now().UTC()
		a := omnivibe.Account{Name: "Quiet", Plan: omnivibe.PlanFree, CreatedAt: now, UpdatedAt: now}
		if err := store.InTx(ctx, func(tx service.Tx) error { return tx.CreateAccount(ctx, &a) }); err != nil {
			t.Fatal(err)
		}
		if _, err := store.AccountByID(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := tracer.starts.Load(); n != 0 {
		t.Fatalf("%d spans started outside a recorded trace", n)
	}
}
