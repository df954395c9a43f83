package telemetry

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// lockedBuffer counts the writes that reach it.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) state() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

func TestLogWriterBatchesAndKeepsOrder(t *testing.T) {
	var out lockedBuffer
	w := NewLogWriter(&out, 1024, time.Hour)
	var want strings.Builder
	for i := 0; i < 100; i++ {
		line := strings.Repeat("x", i%50) + "\n"
		want.WriteString(line)
		w.Write([]byte(line))
	}
	big := strings.Repeat("B", 4000) + "\n" // larger than the buffer: written through, after what came before
	want.WriteString(big)
	w.Write([]byte(big))
	w.Write([]byte("last\n"))
	want.WriteString("last\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, writes := out.state()
	if got != want.String() {
		t.Fatal("lines lost or reordered")
	}
	if writes > 10 {
		t.Fatalf("%d writes for 102 lines: not batched", writes)
	}
	w.Write([]byte("after close\n"))
	if got, _ := out.state(); !strings.HasSuffix(got, "after close\n") {
		t.Fatal("a write after Close was held back")
	}
}

func TestLogWriterFlushesPeriodically(t *testing.T) {
	var out lockedBuffer
	w := NewLogWriter(&out, 1<<20, 10*time.Millisecond)
	defer w.Close()
	w.Write([]byte("soon\n"))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _ := out.state(); got == "soon\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a buffered line was never flushed")
		}
	}
}

func TestParseHeaders(t *testing.T) {
	h, err := ParseHeaders("Authorization=Bearer%20abc, x-team = blue ,")
	if err != nil || h["Authorization"] != "Bearer abc" || h["x-team"] != "blue" || len(h) != 2 {
		t.Fatalf("got %v, %v", h, err)
	}
	_, err = ParseHeaders("Authorization: secret-value")
	if err == nil || strings.Contains(err.Error(), "secret-value") {
		t.Fatalf("a malformed header must fail without quoting it: %v", err)
	}
}

func TestTracingOffCostsNothing(t *testing.T) {
	tr, err := NewTracing(context.Background(), TracingConfig{})
	if err != nil || tr != nil || tr.Enabled() {
		t.Fatalf("no endpoint: got %v, %v; want nil", tr, err)
	}
	ctx := context.Background()
	if got, end := tr.StartStage(ctx, "audio", "synthesize"); got != ctx || end == nil {
		t.Fatal("a stage started with tracing off changed the context")
	} else {
		end(errors.New("ignored"))
	}
	if tr.Inject(ctx) != nil || tr.Extract(ctx, map[string]string{"traceparent": "x"}) != ctx || tr.Shutdown(ctx) != nil {
		t.Fatal("off tracing did something")
	}
	if allocs := testing.AllocsPerRun(100, func() { _, end := tr.StartStage(ctx, "audio", "score"); end(nil) }); allocs != 0 {
		t.Fatalf("a stage with tracing off allocates %v times", allocs)
	}
	for _, bad := range []TracingConfig{{Endpoint: "collector:4318"}, {Endpoint: "http://c:4318", SampleRatio: 2}} {
		if _, err := NewTracing(ctx, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestStageSpansCarryTheJobTrace(t *testing.T) {
	tr, err := NewTracing(context.Background(), TracingConfig{Endpoint: "http://127.0.0.1:1", SampleRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.provider.Shutdown(context.Background()) //nolint:errcheck // nothing listens there
	ctx, span := tr.Tracer().Start(context.Background(), "POST /api/v1/audio/generate")
	carrier := tr.Inject(ctx) // stored with the job
	span.End()
	jobCtx := tr.Extract(context.Background(), carrier)
	stageCtx, end := tr.StartStage(jobCtx, "audio", "transcribe")
	end(nil)
	if got, want := traceID(stageCtx), span.SpanContext().TraceID().String(); got != want {
		t.Fatalf("stage trace %s, want the request's %s", got, want)
	}
}

func traceID(ctx context.Context) string {
	return trace.SpanContextFromContext(ctx).TraceID().String()
}
