package actionq

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strconv"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// Tracing follows OpenTelemetry's global TracerProvider and
// TextMapPropagator (otel.SetTracerProvider, otel.SetTextMapPropagator):
// with the defaults every function here does nothing worth counting.

// tracerName names the tracer of the worker's spans.
const tracerName = "actionq.dev/go/actionq"

// The server keeps at most maxTraceEntries entries of a trace context, each
// value printable ASCII of at most maxTraceValue bytes under a lowercase key.
const (
	maxTraceEntries = 8
	maxTraceValue   = 512
)

var traceKey = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// traceContext is the trace context of ctx's span as the global propagator
// writes it (with propagation.TraceContext: traceparent and tracestate),
// or nil when ctx carries no valid span. Entries the server would refuse
// are left out, so a large baggage never fails an enqueue.
func traceContext(ctx context.Context) map[string]string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	keys := make([]string, 0, len(carrier))
	for k, v := range carrier {
		if traceKey.MatchString(k) && len(v) <= maxTraceValue && printableASCII(v) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	// traceparent and tracestate first, then the others by name.
	rank := func(k string) int {
		switch k {
		case "traceparent":
			return 0
		case "tracestate":
			return 1
		}
		return 2
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	out := make(map[string]string, min(len(keys), maxTraceEntries))
	for _, k := range keys[:min(len(keys), maxTraceEntries)] {
		out[k] = carrier[k]
	}
	return out
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// withTraceContext is req with every action that has no trace context of
// its own given ctx's, or req itself when there is nothing to add. The
// caller's request and actions are not modified: the actions that change
// are shallow copies.
func withTraceContext(ctx context.Context, req *actionqv1.EnqueueRequest) *actionqv1.EnqueueRequest {
	missing := slices.ContainsFunc(req.GetActions(), func(a *actionqv1.NewAction) bool { return len(a.GetTraceContext()) == 0 })
	if !missing {
		return req
	}
	tc := traceContext(ctx)
	if tc == nil {
		return req
	}
	out := shallowCopy(req)
	out.Actions = make([]*actionqv1.NewAction, len(req.GetActions()))
	for i, a := range req.GetActions() {
		if len(a.GetTraceContext()) == 0 {
			a = shallowCopy(a)
			a.TraceContext = tc // shared by the copies, which only read it
		}
		out.Actions[i] = a
	}
	return out
}

// metadataCarrier writes a propagator's headers into outgoing gRPC metadata.
type metadataCarrier metadata.MD

func (c metadataCarrier) Get(key string) string {
	if v := metadata.MD(c).Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}
func (c metadataCarrier) Set(key, value string) { metadata.MD(c).Set(key, value) }
func (c metadataCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// outgoingTrace adds ctx's span context (traceparent, …) to the call's
// metadata, so the server's span of the call joins the caller's trace;
// a traceparent the caller put there already is left alone.
func outgoingTrace(ctx context.Context) context.Context {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	if own, ok := metadata.FromOutgoingContext(ctx); ok && len(own.Get("traceparent")) > 0 {
		return ctx
	}
	md := metadata.MD{}
	otel.GetTextMapPropagator().Inject(ctx, metadataCarrier(md))
	if len(md) == 0 {
		return ctx
	}
	kv := make([]string, 0, 2*len(md))
	for k, vs := range md {
		for _, v := range vs {
			kv = append(kv, k, v)
		}
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

func traceUnary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return invoker(outgoingTrace(ctx), method, req, reply, cc, opts...)
}

func traceStream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return streamer(outgoingTrace(ctx), desc, cc, method, opts...)
}

// processSpan starts the CONSUMER span "process <action_type>" in which a
// worker runs a job: its parent is the producer's span, read from the
// action's trace context (a new trace when there is none).
func processSpan(ctx context.Context, a *Action) (context.Context, trace.Span) {
	// Not the span Run was called in: the producer's, or none.
	if trace.SpanContextFromContext(ctx).IsValid() {
		ctx = trace.ContextWithSpanContext(ctx, trace.SpanContext{})
	}
	if tc := a.GetTraceContext(); len(tc) > 0 {
		ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.MapCarrier(tc))
	}
	return otel.Tracer(tracerName).Start(ctx, "process "+a.GetActionType(),
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "actionq"),
			attribute.String("messaging.operation", "process"),
			attribute.String("messaging.destination.name", a.GetQueue()),
			attribute.String("messaging.message.id", strconv.FormatInt(a.GetId(), 10)),
			attribute.String("actionq.action_type", a.GetActionType()),
			attribute.Int("actionq.attempt", int(a.GetAttempt())),
		))
}
