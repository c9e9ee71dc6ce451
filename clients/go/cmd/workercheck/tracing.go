package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

// checkTracing enqueues one action under a producer span (an SDK tracer
// provider recording in memory, the W3C propagator) and runs a Worker over
// it: the server must hand the trace context back at claim, and the
// handler must run in the worker's "process <type>" CONSUMER span, in the
// producer's trace, as a child of the producer's span. It installs the
// global tracer provider and propagator, so it runs last.
func checkTracing(ctx context.Context, client *actionq.Client, project, createdBy string) (string, error) {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})

	actionType := "conformance.tracing." + randomHex(4)
	pctx, producer := tp.Tracer("workercheck").Start(ctx, "produce")
	resp, err := client.Enqueue(pctx, &actionqv1.EnqueueRequest{Actions: []*actionqv1.NewAction{{
		ActionType: actionType, Project: project, CreatedBy: createdBy, TargetRef: "traced",
	}}})
	producer.End()
	if err != nil {
		return "", fmt.Errorf("enqueue: %w", err)
	}
	id := resp.GetActions()[0].GetAction().GetId()
	psc := producer.SpanContext()

	type seen struct {
		span         trace.SpanContext
		traceContext map[string]string
	}
	got := make(chan seen, 1)
	w := &actionq.Worker{
		Client: client, Name: "conformance-go-tracing", ActionTypes: []string{actionType}, Project: project,
		Concurrency: 1, Wait: time.Second,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Handler: func(ctx context.Context, a *actionq.Action) (actionq.Result, error) {
			select {
			case got <- seen{trace.SpanContextFromContext(ctx), a.GetTraceContext()}:
			default:
			}
			return actionq.Result{}, nil
		},
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	ended, waitErr := client.Wait(ctx, []int64{id}, 10*time.Second)
	stop()
	if err := <-done; err != nil {
		return "", fmt.Errorf("tracing worker: %w", err)
	}
	if waitErr != nil {
		return "", fmt.Errorf("wait for the traced action: %w", waitErr)
	}
	if s := ended[0].GetStatus(); s != actionqv1.ActionStatus_ACTION_STATUS_COMPLETED {
		return "", fmt.Errorf("the traced action is %s, want completed", s)
	}
	var h seen
	select {
	case h = <-got:
	default:
		return "", fmt.Errorf("the handler never ran")
	}
	wantParent := fmt.Sprintf("00-%s-%s-01", psc.TraceID(), psc.SpanID())
	if h.traceContext["traceparent"] != wantParent {
		return "", fmt.Errorf("the claimed action's trace_context is %v, want traceparent %s", h.traceContext, wantParent)
	}
	var process *tracetest.SpanStub
	for _, s := range exporter.GetSpans() {
		if s.Name == "process "+actionType {
			process = &s
		}
	}
	switch {
	case process == nil:
		return "", fmt.Errorf("no span %q was recorded", "process "+actionType)
	case process.SpanContext.TraceID() != psc.TraceID() || process.Parent.SpanID() != psc.SpanID():
		return "", fmt.Errorf("the process span is in trace %s under %s, want trace %s under the producer's span %s",
			process.SpanContext.TraceID(), process.Parent.SpanID(), psc.TraceID(), psc.SpanID())
	case process.SpanKind != trace.SpanKindConsumer:
		return "", fmt.Errorf("the process span is a %s span, want consumer", process.SpanKind)
	case !process.SpanContext.Equal(h.span):
		return "", fmt.Errorf("the handler ran in span %s, not in the process span %s", h.span.SpanID(), process.SpanContext.SpanID())
	}
	return fmt.Sprintf("the handler ran in %q, a child of the producer's span in trace %s", process.Name, psc.TraceID()), nil
}
