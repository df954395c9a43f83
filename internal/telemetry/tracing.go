package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// TracingConfig says where traces go. An empty Endpoint turns tracing off.
type TracingConfig struct {
	// Endpoint is the OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT, such
	// as http://collector:4318); spans are sent to Endpoint + /v1/traces.
	Endpoint string
	// Headers are sent with every export (OTEL_EXPORTER_OTLP_HEADERS), such
	// as the Authorization of a hosted collector.
	Headers map[string]string
	// SampleRatio is the share of new traces kept, 0-1. Requests that arrive
	// with a sampled traceparent are kept whatever it says (parent-based).
	SampleRatio float64
	// ServiceName and ServiceVersion name this process in the traces.
	ServiceName, ServiceVersion string
}

// Tracing makes spans and exports them in batches. A nil *Tracing is
// tracing turned off: every method works and costs nothing.
type Tracing struct {
	provider   *sdktrace.TracerProvider
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
}

// NewTracing starts the exporter, or returns nil when cfg.Endpoint is empty.
// Exports happen in the background; Shutdown sends what is left.
func NewTracing(ctx context.Context, cfg TracingConfig) (*Tracing, error) {
	if cfg.Endpoint == "" {
		return nil, nil
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("OTLP endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	if cfg.SampleRatio < 0 || cfg.SampleRatio > 1 {
		return nil, fmt.Errorf("trace sample ratio %v is outside 0-1", cfg.SampleRatio)
	}
	opts := []otlptracehttp.Option{
		otlptracehttp.WithEndpointURL(strings.TrimRight(cfg.Endpoint, "/") + "/v1/traces"),
		otlptracehttp.WithTimeout(10 * time.Second),
	}
	if len(cfg.Headers) > 0 {
		opts = append(opts, otlptracehttp.WithHeaders(cfg.Headers))
	}
	exporter, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	name := cfg.ServiceName
	if name == "" {
		name = "omnivibe"
	}
	res := resource.NewSchemaless(attribute.String("service.name", name), attribute.String("service.version", cfg.ServiceVersion))
	provider := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))),
	)
	return &Tracing{
		provider:   provider,
		tracer:     provider.Tracer("github.com/omnivibepro/omnivibe"),
		propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}, nil
}

// ParseHeaders reads OTEL_EXPORTER_OTLP_HEADERS: comma-separated key=value
// pairs whose values may be URL-encoded.
func ParseHeaders(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			// The pair may hold a secret: name only its position.
			return nil, errors.New("OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas")
		}
		if dec, err := url.QueryUnescape(strings.TrimSpace(v)); err == nil {
			v = dec
		}
		out[k] = strings.TrimSpace(v)
	}
	return out, nil
}

// Enabled reports whether spans are made.
func (t *Tracing) Enabled() bool { return t != nil }

var noopTracer = noop.NewTracerProvider().Tracer("")

// Tracer returns the tracer spans are made with; a no-op one when off.
func (t *Tracing) Tracer() trace.Tracer {
	if t == nil {
		return noopTracer
	}
	return t.tracer
}

// Propagator reads and writes the traceparent of requests and jobs.
func (t *Tracing) Propagator() propagation.TextMapPropagator {
	if t == nil {
		return propagation.NewCompositeTextMapPropagator()
	}
	return t.propagator
}

// Shutdown exports the spans still buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// ForceFlush exports the spans buffered so far.
func (t *Tracing) ForceFlush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.ForceFlush(ctx)
}

// Inject writes ctx's trace context into a map, for a job to carry so that
// its spans join the trace of the request that enqueued it.
func (t *Tracing) Inject(ctx context.Context) map[string]string {
	if t == nil {
		return nil
	}
	carrier := propagation.MapCarrier{}
	t.propagator.Inject(ctx, carrier)
	return carrier
}

// Extract returns ctx with the trace context that Inject wrote.
func (t *Tracing) Extract(ctx context.Context, carrier map[string]string) context.Context {
	if t == nil || len(carrier) == 0 {
		return ctx
	}
	return t.propagator.Extract(ctx, propagation.MapCarrier(carrier))
}

// noEnd is what StartStage returns when tracing is off: no closure is made.
func noEnd(error) {}

// StartStage starts the span of one stage of a job (normalize, synthesize,
// transcribe, score, store); call the returned func with the stage's error.
func (t *Tracing) StartStage(ctx context.Context, kind, stage string, attrs ...attribute.KeyValue) (context.Context, func(error)) {
	if t == nil {
		return ctx, noEnd
	}
	ctx, span := t.tracer.Start(ctx, "job."+kind+"."+stage, trace.WithAttributes(append(attrs,
		attribute.String("omnivibe.job.kind", kind), attribute.String("omnivibe.job.stage", stage))...))
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}

// ProviderObserver returns the hook that records provider calls as metrics
// in m and, with tracing on, as spans in t. Either may be nil.
func ProviderObserver(m *Metrics, t *Tracing) func(ctx context.Context, c ProviderCall) {
	return func(ctx context.Context, c ProviderCall) {
		m.ObserveProviderCall(c)
		if t == nil {
			return
		}
		// The call has happened: its span is made afterwards with the
		// call's own start and end.
		_, span := t.tracer.Start(ctx, c.Kind+" "+c.Provider, trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(c.Start),
			trace.WithAttributes(attribute.String("omnivibe.provider.kind", c.Kind), attribute.String("omnivibe.provider.name", c.Provider),
				attribute.String("omnivibe.provider.model", c.Model), attribute.String("omnivibe.provider.outcome", c.Outcome),
				attribute.Int("omnivibe.provider.attempt", c.Attempt), attribute.Int("http.response.status_code", c.Status)))
		if c.Outcome != "ok" {
			span.SetStatus(codes.Error, c.Outcome)
		}
		span.End(trace.WithTimestamp(c.Start.Add(c.Duration)))
	}
}
