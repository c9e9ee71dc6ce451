package actionq

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// tracingQueue is a fakeQueue that also takes Enqueue (each new action
// becomes a pending one, trace context included) and records the
// traceparent metadata of every Enqueue, CompleteMany and Fail call.
type tracingQueue struct {
	*fakeQueue
	nextID  int64
	parents map[string][]string // method -> traceparent of each call ("" when none)
}

func newTracingQueue() *tracingQueue {
	return &tracingQueue{fakeQueue: newFakeQueue(), nextID: 1, parents: map[string][]string{}}
}

func (f *tracingQueue) sawParent(ctx context.Context, method string) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.parents[method] = append(f.parents[method], strings.Join(md.Get("traceparent"), ","))
}

func (f *tracingQueue) callParents(method string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.parents[method]...)
}

func (f *tracingQueue) Enqueue(ctx context.Context, req *actionqv1.EnqueueRequest) (*actionqv1.EnqueueResponse, error) {
	f.sawParent(ctx, "Enqueue")
	f.mu.Lock()
	defer f.mu.Unlock()
	resp := &actionqv1.EnqueueResponse{}
	for _, na := range req.GetActions() {
		id := f.nextID
		f.nextID++
		f.pending = append(f.pending, &actionqv1.ClaimedAction{
			Action: &actionqv1.Action{
				Id: id, Queue: "default", ActionType: na.GetActionType(), Attempt: 1,
				Status: actionqv1.ActionStatus_ACTION_STATUS_CLAIMED, TraceContext: na.GetTraceContext(),
			},
			LeaseToken: "token",
		})
		resp.Actions = append(resp.Actions, &actionqv1.EnqueuedAction{Action: &actionqv1.Action{Id: id}})
	}
	return resp, nil
}

func (f *tracingQueue) CompleteMany(ctx context.Context, req *actionqv1.CompleteManyRequest) (*actionqv1.CompleteManyResponse, error) {
	f.sawParent(ctx, "CompleteMany")
	return f.fakeQueue.CompleteMany(ctx, req)
}

func (f *tracingQueue) Fail(ctx context.Context, req *actionqv1.FailRequest) (*actionqv1.FailResponse, error) {
	f.sawParent(ctx, "Fail")
	return f.fakeQueue.Fail(ctx, req)
}

// withTracing installs an SDK tracer provider that records into memory and
// the W3C trace-context propagator, and restores the globals afterwards.
func withTracing(t *testing.T, propagator propagation.TextMapPropagator) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	t.Helper()
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	oldTP, oldProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagator)
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		otel.SetTracerProvider(oldTP)
		otel.SetTextMapPropagator(oldProp)
	})
	return tp, exporter
}

func TestWorkerContinuesTheProducersTrace(t *testing.T) {
	tp, exporter := withTracing(t, propagation.TraceContext{})
	f := newTracingQueue()
	c := serve(t, f, Config{})

	// The producer enqueues two actions under its span; the second carries
	// a trace context of its own, which is kept.
	const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	req := &actionqv1.EnqueueRequest{Actions: []*actionqv1.NewAction{
		{ActionType: "t", Project: "p"},
		{ActionType: "u", Project: "p", TraceContext: map[string]string{"traceparent": own}},
	}}
	ctx, producer := tp.Tracer("test").Start(context.Background(), "produce")
	if _, err := c.Enqueue(ctx, req); err != nil {
		t.Fatal(err)
	}
	producer.End()
	psc := producer.SpanContext()
	if req.GetActions()[0].GetTraceContext() != nil {
		t.Errorf("Enqueue wrote %v into the caller's action", req.GetActions()[0].GetTraceContext())
	}
	wantParent := "00-" + psc.TraceID().String() + "-" + psc.SpanID().String() + "-01"
	if got := f.callParents("Enqueue"); len(got) != 1 || got[0] != wantParent {
		t.Errorf("Enqueue call metadata traceparent = %q, want [%q]", got, wantParent)
	}
	f.mu.Lock()
	sent := []map[string]string{f.pending[0].GetAction().GetTraceContext(), f.pending[1].GetAction().GetTraceContext()}
	f.mu.Unlock()
	if sent[0]["traceparent"] != wantParent || len(sent[0]) != 1 {
		t.Errorf("action 1 trace_context = %v, want traceparent %q", sent[0], wantParent)
	}
	if sent[1]["traceparent"] != own || len(sent[1]) != 1 {
		t.Errorf("action 2 trace_context = %v, want the caller's %q", sent[1], own)
	}

	// The worker runs under a span of its own (the process spans must not
	// hang under it) and one job at a time, so each completion goes alone.
	var mu sync.Mutex
	seen := map[int64]trace.SpanContext{}
	w := &Worker{
		Client: c, Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, a *Action) (Result, error) {
			mu.Lock()
			seen[a.GetId()] = trace.SpanContextFromContext(ctx)
			mu.Unlock()
			if a.GetId() == 2 {
				return Result{}, errors.New("boom")
			}
			return Result{}, nil
		},
	}
	runCtx, runSpan := tp.Tracer("test").Start(context.Background(), "worker")
	done := make(chan error, 1)
	runCtx, cancel := context.WithCancel(runCtx)
	go func() { done <- w.Run(runCtx) }()
	awaitReports(t, f.fakeQueue, 2)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	runSpan.End()

	spans := map[string]tracetest.SpanStub{}
	for _, s := range exporter.GetSpans() {
		spans[s.Name] = s
	}
	for _, c := range []struct {
		name   string
		id     int64
		parent trace.SpanContext
	}{
		{"process t", 1, psc},
		{"process u", 2, trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: mustTraceID(t, "0af7651916cd43dd8448eb211c80319c"), SpanID: mustSpanID(t, "b7ad6b7169203331"),
		})},
	} {
		s, ok := spans[c.name]
		if !ok {
			t.Fatalf("no span %q among %v", c.name, exporter.GetSpans().Snapshots())
		}
		if s.SpanContext.TraceID() != c.parent.TraceID() || s.Parent.SpanID() != c.parent.SpanID() || !s.Parent.IsRemote() {
			t.Errorf("%s: trace %s parent %s, want trace %s parent %s (remote)", c.name,
				s.SpanContext.TraceID(), s.Parent.SpanID(), c.parent.TraceID(), c.parent.SpanID())
		}
		if s.SpanKind != trace.SpanKindConsumer {
			t.Errorf("%s: kind %v, want consumer", c.name, s.SpanKind)
		}
		if !s.SpanContext.Equal(seen[c.id]) {
			t.Errorf("%s: the handler ran in span %v, want %v", c.name, seen[c.id].SpanID(), s.SpanContext.SpanID())
		}
		attrs := attribute.NewSet(s.Attributes...)
		for key, want := range map[string]string{
			"messaging.system": "actionq", "messaging.destination.name": "default",
			"messaging.message.id": []string{"", "1", "2"}[c.id], "actionq.action_type": c.name[len("process "):],
		} {
			if v, _ := attrs.Value(attribute.Key(key)); v.AsString() != want {
				t.Errorf("%s: %s = %q, want %q", c.name, key, v.AsString(), want)
			}
		}
		if v, _ := attrs.Value("actionq.attempt"); v.AsInt64() != 1 {
			t.Errorf("%s: actionq.attempt = %v, want 1", c.name, v.Emit())
		}
	}
	if s := spans["process u"]; s.Status.Description != "boom" {
		t.Errorf("process u: status %v, want the handler's error", s.Status)
	}

	// The reports are made in the process spans: their traceparent names it.
	traceparent := func(sc trace.SpanContext) string {
		return "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"
	}
	if got, want := f.callParents("CompleteMany"), traceparent(seen[1]); len(got) != 1 || got[0] != want {
		t.Errorf("CompleteMany traceparent = %q, want [%q]", got, want)
	}
	if got, want := f.callParents("Fail"), traceparent(seen[2]); len(got) != 1 || got[0] != want {
		t.Errorf("Fail traceparent = %q, want [%q]", got, want)
	}
}

func TestNoTraceContextWithoutASpan(t *testing.T) {
	tp, exporter := withTracing(t, propagation.TraceContext{})
	f := newTracingQueue()
	c := serve(t, f, Config{})
	if _, err := c.Enqueue(context.Background(), oneAction()); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	sent := f.pending[0].GetAction().GetTraceContext()
	f.mu.Unlock()
	if sent != nil {
		t.Errorf("trace_context = %v without a span, want none", sent)
	}
	if got := f.callParents("Enqueue"); len(got) != 1 || got[0] != "" {
		t.Errorf("Enqueue traceparent = %q without a span, want none", got)
	}

	// Without a trace context the job starts a new trace, even when Run
	// itself was called in a span.
	runCtx, runSpan := tp.Tracer("test").Start(context.Background(), "worker")
	defer runSpan.End()
	w := &Worker{Client: c, Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(context.Context, *Action) (Result, error) { return Result{}, nil }}
	runCtx, cancel := context.WithCancel(runCtx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	awaitReports(t, f.fakeQueue, 1)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	spans := exporter.GetSpans()
	if len(spans) != 1 || spans[0].Name != "process t" || spans[0].Parent.IsValid() ||
		spans[0].SpanContext.TraceID() == runSpan.SpanContext().TraceID() {
		t.Errorf("spans = %v, want one root span %q in a trace of its own", spans.Snapshots(), "process t")
	}
}

func TestTraceContextLeavesOutWhatTheServerRefuses(t *testing.T) {
	tp, _ := withTracing(t, propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	member, err := baggage.NewMember("big", strings.Repeat("x", maxTraceValue))
	if err != nil {
		t.Fatal(err)
	}
	bag, err := baggage.New(member)
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := tp.Tracer("test").Start(baggage.ContextWithBaggage(context.Background(), bag), "produce")
	defer span.End()
	got := traceContext(ctx)
	if len(got) != 1 || !strings.Contains(got["traceparent"], span.SpanContext().TraceID().String()) {
		t.Errorf("traceContext = %v, want the traceparent alone (the baggage is over %d bytes)", got, maxTraceValue)
	}

	small, _ := baggage.NewMember("k", "v")
	bag, _ = baggage.New(small)
	got = traceContext(baggage.ContextWithBaggage(ctx, bag))
	if got["baggage"] != "k=v" || got["traceparent"] == "" {
		t.Errorf("traceContext = %v, want traceparent and baggage k=v", got)
	}
}

func mustTraceID(t *testing.T, s string) trace.TraceID {
	t.Helper()
	id, err := trace.TraceIDFromHex(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustSpanID(t *testing.T, s string) trace.SpanID {
	t.Helper()
	id, err := trace.SpanIDFromHex(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
