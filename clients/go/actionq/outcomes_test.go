package actionq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	actionqv1 "actionq.dev/go/actionq/v1"
)

func TestWorkerFailsAsTheHandlerAsks(t *testing.T) {
	f := newFakeQueueOf(6)
	boom := errors.New("boom")
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Concurrency: 3, Wait: 50 * time.Millisecond,
		Handler: func(_ context.Context, a *Action) (Result, error) {
			switch a.GetId() {
			case 1:
				return Result{}, RetryIn(30*time.Second, boom)
			case 2:
				return Result{}, RetryIn(0, boom)
			case 3:
				return Result{}, fmt.Errorf("resize: %w", NoRetry(boom))
			case 4:
				return Result{}, Permanent(boom)
			case 5:
				return Result{}, RetryIn(-time.Second, boom)
			}
			return Result{}, NoRetry(RetryIn(time.Minute, boom))
		},
	}
	stop := runWorker(t, w)
	awaitReports(t, f, 6)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	type want struct {
		reason  string
		noRetry bool
		delay   *time.Duration
	}
	delay := func(d time.Duration) *time.Duration { return &d }
	for id, w := range map[int64]want{
		1: {"boom", false, delay(30 * time.Second)},
		2: {"boom", false, delay(0)},
		3: {"resize: boom", true, nil},
		4: {"boom", true, nil},
		5: {"boom", false, delay(0)},
		6: {"boom", true, nil},
	} {
		got := f.failed[id]
		if got.GetReason() != w.reason || got.GetNoRetry() != w.noRetry || (got.GetRetryDelay() == nil) != (w.delay == nil) {
			t.Errorf("fail of %d = %v, want reason %q, no_retry %v, retry_delay %v", id, got, w.reason, w.noRetry, w.delay)
			continue
		}
		if w.delay != nil && got.GetRetryDelay().AsDuration() != *w.delay {
			t.Errorf("fail of %d asks for a retry in %v, want %v", id, got.GetRetryDelay().AsDuration(), *w.delay)
		}
	}
}

func TestOutcomesOfNilAreNil(t *testing.T) {
	if NoRetry(nil) != nil || Permanent(nil) != nil || RetryIn(time.Second, nil) != nil {
		t.Error("wrapping a nil error is not nil: the action would fail instead of completing")
	}
}

func TestAPlainErrorLeavesTheRetryToTheBackoff(t *testing.T) {
	req := failRequest(3, "token-3", errors.New("flaky"))
	if req.GetNoRetry() || req.GetRetryDelay() != nil || req.GetReason() != "flaky" || req.GetLeaseToken() != "token-3" {
		t.Errorf("failRequest = %v, want reason flaky and neither no_retry nor retry_delay", req)
	}
}

func TestHandlerReportsProgress(t *testing.T) {
	f := newFakeQueue(1)
	reported := make(chan error, 2)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, a *Action) (Result, error) {
			reported <- a.ReportProgress(ctx, map[string]any{"done": 1, "of": 3, "big": json.Number("9007199254740993")})
			reported <- a.ReportProgress(ctx, nil) // only extends the lease
			return Result{Ref: "done"}, nil
		},
	}
	stop := runWorker(t, w)
	awaitReports(t, f, 1)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for range 2 {
		if err := <-reported; err != nil {
			t.Errorf("ReportProgress: %v", err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if want := []string{`{"big":9007199254740993,"done":1,"of":3}`}; !slices.Equal(f.progress, want) {
		t.Errorf("heartbeats carried progress %q, want %q", f.progress, want)
	}
	if f.heartbeats != 2 {
		t.Errorf("%d heartbeats, want the 2 of ReportProgress", f.heartbeats)
	}
	if f.completed[1].GetResultRef() != "done" {
		t.Errorf("the action was not completed after reporting progress: %v", f.completed[1])
	}
}

func TestProgressOfACancelledActionStopsTheHandler(t *testing.T) {
	f := newFakeQueue(7)
	f.cancelled[7] = true
	causes := make(chan error, 2)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, a *Action) (Result, error) {
			causes <- a.ReportProgress(ctx, map[string]any{"done": 1})
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return Result{Ref: "should not be sent"}, nil
		},
	}
	stop := runWorker(t, w)
	for range 2 {
		select {
		case err := <-causes:
			if !errors.Is(err, ErrActionCancelled) {
				t.Errorf("got %v, want ErrActionCancelled from ReportProgress and as the context's cause", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the handler was never told of the cancellation")
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := f.reports(); n != 0 {
		t.Errorf("a cancelled action got %d outcome reports, want none", n)
	}
}

func TestProgressWithALostLeaseStopsTheHandler(t *testing.T) {
	f := newFakeQueue(7)
	f.heartbeatErr = staleLease()
	causes := make(chan error, 2)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, a *Action) (Result, error) {
			causes <- a.ReportProgress(ctx, map[string]any{"done": 1})
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return Result{}, nil
		},
	}
	stop := runWorker(t, w)
	if err := <-causes; !errors.Is(err, ErrStaleLease) {
		t.Errorf("ReportProgress = %v, want the server's ErrStaleLease", err)
	}
	if cause := <-causes; !errors.Is(cause, ErrLeaseLost) || !errors.Is(cause, ErrStaleLease) {
		t.Errorf("the context ended with %v, want ErrLeaseLost with ErrStaleLease", cause)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := f.reports(); n != 0 {
		t.Errorf("an action whose lease was lost got %d outcome reports, want none", n)
	}
}

func TestProgressNeedsAnActionFromAWorker(t *testing.T) {
	a := ActionOf(&actionqv1.Action{Id: 1})
	if err := a.ReportProgress(context.Background(), map[string]any{"done": 1}); !errors.Is(err, ErrNotFromWorker) {
		t.Errorf("ReportProgress on a plain record = %v, want ErrNotFromWorker", err)
	}
}

func TestActionProgressReadsLosslessly(t *testing.T) {
	a := ActionOf(&actionqv1.Action{ProgressJson: `{"big":9007199254740993}`})
	var p map[string]any
	if err := a.DecodeProgress(&p); err != nil || p["big"] != json.Number("9007199254740993") {
		t.Errorf("DecodeProgress = %v, %v", p, err)
	}
	if a := ActionOf(&actionqv1.Action{}); a.Progress != nil {
		t.Errorf("Progress of an action without any = %s, want nil", a.Progress)
	}
}

func TestWorkerClaimsFromItsQueues(t *testing.T) {
	f := newFakeQueue(1)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Queues: []string{"emails", "reports"}, Wait: 50 * time.Millisecond,
		Handler: func(context.Context, *Action) (Result, error) { return Result{}, nil },
	}
	stop := runWorker(t, w)
	awaitReports(t, f, 1)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if got := f.claims[0].GetQueues(); !slices.Equal(got, []string{"emails", "reports"}) {
		t.Errorf("Claim asked for queues %v", got)
	}
}

// waitService answers WaitAction with the named actions completed, or
// WAIT_TIMEOUT when 99 is among them, and Retry with the ids it was given.
type waitService struct {
	actionqv1.UnimplementedActionQueueServiceServer
	deadlines chan time.Duration
	retried   chan []int64
}

func (s *waitService) WaitAction(ctx context.Context, req *actionqv1.WaitActionRequest) (*actionqv1.WaitActionResponse, error) {
	if d, ok := ctx.Deadline(); ok {
		s.deadlines <- time.Until(d)
	}
	resp := &actionqv1.WaitActionResponse{}
	for _, id := range req.GetIds() {
		if id == 99 {
			return nil, statusError(codes.DeadlineExceeded, "action 99 did not finish in time", info("WAIT_TIMEOUT", nil))
		}
		resp.Actions = append(resp.Actions, &actionqv1.Action{Id: id, Status: actionqv1.ActionStatus_ACTION_STATUS_COMPLETED, ResultJson: `{"n":1}`})
	}
	return resp, nil
}

func (s *waitService) Retry(_ context.Context, req *actionqv1.RetryRequest) (*actionqv1.RetryResponse, error) {
	s.retried <- req.GetIds()
	return &actionqv1.RetryResponse{RetriedIds: req.GetIds()}, nil
}

func TestWaitReturnsTheActionsInOrder(t *testing.T) {
	s := &waitService{deadlines: make(chan time.Duration, 2), retried: make(chan []int64, 1)}
	c := serve(t, s, Config{Timeout: time.Second})
	actions, err := c.Wait(context.Background(), []int64{3, 1, 3}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, a := range actions {
		ids = append(ids, a.GetId())
		if string(a.Result) != `{"n":1}` {
			t.Errorf("action %d has result %s", a.GetId(), a.Result)
		}
	}
	if !slices.Equal(ids, []int64{3, 1, 3}) {
		t.Errorf("Wait returned %v, want 3, 1, 3", ids)
	}
	if d := <-s.deadlines; d <= 2*time.Second || d > 3*time.Second {
		t.Errorf("WaitAction deadline %v, want the 2s timeout plus the 1s default", d)
	}
}

func TestWaitTimeoutIsTyped(t *testing.T) {
	s := &waitService{deadlines: make(chan time.Duration, 2), retried: make(chan []int64, 1)}
	c := serve(t, s, Config{})
	_, err := c.Wait(context.Background(), []int64{1, 99}, 100*time.Millisecond)
	if !errors.Is(err, ErrWaitTimeout) || status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("Wait = %v, want ErrWaitTimeout with DEADLINE_EXCEEDED", err)
	}
}

func TestRetryActionsSendsTheIDs(t *testing.T) {
	s := &waitService{deadlines: make(chan time.Duration, 1), retried: make(chan []int64, 1)}
	c := serve(t, s, Config{})
	got, err := c.RetryActions(context.Background(), 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sent := <-s.retried; !slices.Equal(sent, []int64{4, 2}) || !slices.Equal(got, []int64{4, 2}) {
		t.Errorf("RetryActions sent %v and returned %v, want 4, 2 both", sent, got)
	}
}

func TestBackoffPolicies(t *testing.T) {
	fixed := FixedBackoff(5 * time.Second)
	if fixed.GetStrategy() != actionqv1.BackoffStrategy_BACKOFF_STRATEGY_FIXED || fixed.GetBase().AsDuration() != 5*time.Second || fixed.GetMax() != nil {
		t.Errorf("FixedBackoff = %v", fixed)
	}
	exp := ExponentialBackoff(2*time.Second, 10*time.Minute, 0.2)
	if exp.GetStrategy() != actionqv1.BackoffStrategy_BACKOFF_STRATEGY_EXPONENTIAL || exp.GetBase().AsDuration() != 2*time.Second ||
		exp.GetMax().AsDuration() != 10*time.Minute || exp.GetJitter() != 0.2 {
		t.Errorf("ExponentialBackoff = %v", exp)
	}
}
