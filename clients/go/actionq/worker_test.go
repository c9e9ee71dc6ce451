package actionq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/durationpb"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// fakeQueue is an in-memory ActionQueueService that hands out the actions
// given to it and records what the worker reports.
type fakeQueue struct {
	actionqv1.UnimplementedActionQueueServiceServer
	claimErr     error
	heartbeatErr error

	mu          sync.Mutex
	pending     []*actionqv1.ClaimedAction
	cancelled   map[int64]bool
	heartbeats  int
	progress    []string // progress_json of each heartbeat that carried one
	claims      []*actionqv1.ClaimRequest
	completed   map[int64]*actionqv1.CompleteRequest
	failed      map[int64]*actionqv1.FailRequest
	rejected    map[int64]*actionqv1.RejectRequest
	deadlines   map[string]time.Duration
	authHeaders []string
	reported    chan int64

	// CompleteMany: refuse answers these ids with an item failure, a
	// non-nil completeManyErr fails whole calls, and a non-nil completeGate
	// holds each call until it receives or is closed.
	refuse          map[int64]*actionqv1.ItemFailure
	completeManyErr error
	completeGate    chan struct{}
	batches         []int // size of each CompleteMany call
	completeCalls   int   // single Complete calls

	// Checkpoints saved per action, and a non-nil checkpointErr refusing saves.
	checkpoints   map[int64][]*actionqv1.Checkpoint
	checkpointErr error
}

func newFakeQueue(ids ...int64) *fakeQueue {
	f := &fakeQueue{
		cancelled: map[int64]bool{},
		completed: map[int64]*actionqv1.CompleteRequest{},
		failed:    map[int64]*actionqv1.FailRequest{},
		rejected:  map[int64]*actionqv1.RejectRequest{},
		deadlines: map[string]time.Duration{},
		reported:  make(chan int64, 1000),
		refuse:    map[int64]*actionqv1.ItemFailure{},
	}
	for _, id := range ids {
		f.pending = append(f.pending, &actionqv1.ClaimedAction{
			Action:     &actionqv1.Action{Id: id, Status: actionqv1.ActionStatus_ACTION_STATUS_CLAIMED},
			LeaseToken: fmt.Sprintf("token-%d", id),
		})
	}
	return f
}

func (f *fakeQueue) observe(ctx context.Context, method string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := ctx.Deadline(); ok {
		f.deadlines[method] = time.Until(d)
	}
	md, _ := metadata.FromIncomingContext(ctx)
	f.authHeaders = append(f.authHeaders, md.Get("authorization")...)
}

func (f *fakeQueue) Claim(ctx context.Context, req *actionqv1.ClaimRequest) (*actionqv1.ClaimResponse, error) {
	f.observe(ctx, "Claim")
	if f.claimErr != nil {
		return nil, f.claimErr
	}
	f.mu.Lock()
	f.claims = append(f.claims, req)
	n := min(int(req.GetMaxActions()), len(f.pending))
	claimed := f.pending[:n]
	f.pending = f.pending[n:]
	f.mu.Unlock()
	if n == 0 {
		select {
		case <-ctx.Done():
		case <-time.After(req.GetWait().AsDuration()):
		}
	}
	return &actionqv1.ClaimResponse{Actions: claimed}, nil
}

func (f *fakeQueue) Heartbeat(_ context.Context, req *actionqv1.HeartbeatRequest) (*actionqv1.HeartbeatResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.heartbeats++
	if p := req.GetProgressJson(); p != "" {
		f.progress = append(f.progress, p)
	}
	if f.heartbeatErr != nil {
		return nil, f.heartbeatErr
	}
	if f.cancelled[req.GetId()] {
		return &actionqv1.HeartbeatResponse{Cancelled: true}, nil
	}
	return &actionqv1.HeartbeatResponse{}, nil
}

func (f *fakeQueue) Complete(_ context.Context, req *actionqv1.CompleteRequest) (*actionqv1.CompleteResponse, error) {
	f.record(func() { f.completed[req.GetId()] = req; f.completeCalls++ }, req.GetId())
	return &actionqv1.CompleteResponse{}, nil
}

func (f *fakeQueue) CompleteMany(ctx context.Context, req *actionqv1.CompleteManyRequest) (*actionqv1.CompleteManyResponse, error) {
	if f.completeGate != nil {
		select {
		case <-f.completeGate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	f.batches = append(f.batches, len(req.GetCompletions()))
	f.mu.Unlock()
	resp := &actionqv1.CompleteManyResponse{}
	for _, c := range req.GetCompletions() {
		switch {
		case f.completeManyErr != nil:
			f.reported <- c.GetId()
		case f.refuse[c.GetId()] != nil:
			resp.Failures = append(resp.Failures, f.refuse[c.GetId()])
			f.reported <- c.GetId()
		default:
			resp.CompletedIds = append(resp.CompletedIds, c.GetId())
			f.record(func() { f.completed[c.GetId()] = c }, c.GetId())
		}
	}
	if f.completeManyErr != nil {
		return nil, f.completeManyErr
	}
	return resp, nil
}

func (f *fakeQueue) Fail(_ context.Context, req *actionqv1.FailRequest) (*actionqv1.FailResponse, error) {
	f.record(func() { f.failed[req.GetId()] = req }, req.GetId())
	return &actionqv1.FailResponse{}, nil
}

func (f *fakeQueue) Reject(_ context.Context, req *actionqv1.RejectRequest) (*actionqv1.RejectResponse, error) {
	f.record(func() { f.rejected[req.GetId()] = req }, req.GetId())
	return &actionqv1.RejectResponse{}, nil
}

func (f *fakeQueue) GetAction(ctx context.Context, req *actionqv1.GetActionRequest) (*actionqv1.GetActionResponse, error) {
	f.observe(ctx, "GetAction")
	return &actionqv1.GetActionResponse{Action: &actionqv1.Action{Id: req.GetId()}}, nil
}

func (f *fakeQueue) record(store func(), id int64) {
	f.mu.Lock()
	store()
	f.mu.Unlock()
	f.reported <- id
}

func (f *fakeQueue) reports() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.completed) + len(f.failed) + len(f.rejected)
}

// serve starts f on an in-memory listener and returns a Client of it.
func serve(t *testing.T, f actionqv1.ActionQueueServiceServer, cfg Config) *Client {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	actionqv1.RegisterActionQueueServiceServer(srv, f)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	cfg.Address = "passthrough:///bufnet"
	cfg.DialOptions = append(cfg.DialOptions, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return lis.DialContext(ctx)
	}))
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// runWorker starts w.Run and returns a stop function that cancels it and
// returns Run's error.
func runWorker(t *testing.T, w *Worker) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after its context ended")
			return nil
		}
	}
}

func awaitReports(t *testing.T, f *fakeQueue, n int) {
	t.Helper()
	for range n {
		select {
		case <-f.reported:
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d of %d outcomes reported", f.reports(), n)
		}
	}
}

func TestWorkerReportsEachOutcome(t *testing.T) {
	f := newFakeQueue(1, 2, 3, 4, 5)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Concurrency: 2, Wait: 50 * time.Millisecond,
		Handler: func(_ context.Context, a *Action) (Result, error) {
			switch a.GetId() {
			case 1:
				return Result{Ref: "done:1"}, nil
			case 2:
				return Result{}, errors.New("boom")
			case 3:
				return Result{}, Reject("schema", "missing field")
			case 4:
				return Result{}, NoRetry(errors.New("cannot ever work"))
			}
			panic("handler bug")
		},
	}
	stop := runWorker(t, w)
	awaitReports(t, f, 5)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	if got := f.completed[1]; got.GetResultRef() != "done:1" || got.GetLeaseToken() != "token-1" {
		t.Errorf("complete of 1 = %v, want result_ref done:1 with its lease token", got)
	}
	if got := f.failed[2]; got.GetReason() != "boom" || got.GetNoRetry() {
		t.Errorf("fail of 2 = %v, want reason boom, retry allowed", got)
	}
	if got := f.rejected[3]; got.GetValidator() != "schema" || got.GetReason() != "missing field" {
		t.Errorf("reject of 3 = %v", got)
	}
	if got := f.failed[4]; got.GetReason() != "cannot ever work" || !got.GetNoRetry() {
		t.Errorf("fail of 4 = %v, want no_retry", got)
	}
	if got := f.failed[5]; got.GetReason() != "panic: handler bug" {
		t.Errorf("fail of 5 = %v, want the panic as reason", got)
	}
}

func TestWorkerStopsHandlerWhenHeartbeatReportsCancel(t *testing.T) {
	f := newFakeQueue(7)
	f.cancelled[7] = true
	causes := make(chan error, 1)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Lease: 150 * time.Millisecond, Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, _ *Action) (Result, error) {
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return Result{Ref: "should not be sent"}, nil
		},
	}
	stop := runWorker(t, w)
	select {
	case cause := <-causes:
		if !errors.Is(cause, ErrActionCancelled) {
			t.Errorf("handler context ended with %v, want ErrActionCancelled", cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler was never cancelled")
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := f.reports(); n != 0 {
		t.Errorf("a cancelled action got %d outcome reports, want none", n)
	}
}

func TestWorkerShutdownLetsHandlersFinish(t *testing.T) {
	f := newFakeQueue(1)
	started, release := make(chan struct{}), make(chan struct{})
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, _ *Action) (Result, error) {
			close(started)
			<-release
			return Result{Ref: "finished"}, ctx.Err()
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	<-started
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned while a handler was still running")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := f.completed[1]; got.GetResultRef() != "finished" {
		t.Errorf("complete of 1 = %v, want the handler's result after shutdown began", got)
	}
}

func TestWorkerShutdownGraceCancelsHandlersWithoutFailingThem(t *testing.T) {
	f := newFakeQueue(1)
	started := make(chan struct{})
	causes := make(chan error, 1)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Wait: 50 * time.Millisecond, ShutdownGrace: 50 * time.Millisecond,
		Handler: func(ctx context.Context, _ *Action) (Result, error) {
			close(started)
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return Result{}, ctx.Err()
		},
	}
	stop := runWorker(t, w)
	<-started
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if cause := <-causes; !errors.Is(cause, ErrShutdown) {
		t.Errorf("handler context ended with %v, want ErrShutdown", cause)
	}
	if n := f.reports(); n != 0 {
		t.Errorf("an action cut short by shutdown got %d outcome reports, want none (its lease expires)", n)
	}
}

func TestWorkerReturnsWhenClaimIsRefused(t *testing.T) {
	f := newFakeQueue()
	f.claimErr = status.Error(codes.InvalidArgument, "queue: bad name")
	w := &Worker{Client: serve(t, f, Config{}), Name: "w", Handler: func(context.Context, *Action) (Result, error) {
		return Result{}, nil
	}}
	err := w.Run(context.Background())
	if status.Code(errors.Unwrap(err)) != codes.InvalidArgument {
		t.Fatalf("Run = %v, want the INVALID_ARGUMENT of Claim", err)
	}
}

func TestClientDeadlinesAndToken(t *testing.T) {
	f := newFakeQueue()
	c := serve(t, f, Config{Timeout: time.Second, Token: "s3cret", InsecureToken: true}) // bufconn: in process, no TLS
	ctx := context.Background()
	if _, err := c.GetAction(ctx, &actionqv1.GetActionRequest{Id: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Claim(ctx, &actionqv1.ClaimRequest{Worker: "w", Wait: durationpb.New(200 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	if d := f.deadlines["GetAction"]; d <= 500*time.Millisecond || d > time.Second {
		t.Errorf("GetAction deadline %v, want about the 1s default", d)
	}
	if d := f.deadlines["Claim"]; d <= time.Second || d > 1200*time.Millisecond {
		t.Errorf("Claim deadline %v, want the 1s default plus its 200ms wait", d)
	}
	for _, h := range f.authHeaders {
		if h != "Bearer s3cret" {
			t.Errorf("authorization %q, want Bearer s3cret", h)
		}
	}
	if len(f.authHeaders) != 2 {
		t.Errorf("%d calls carried a token, want 2", len(f.authHeaders))
	}
}

// newFakeQueueOf holds actions 1 to n.
func newFakeQueueOf(n int) *fakeQueue {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	return newFakeQueue(ids...)
}

// logBuffer collects what a Worker logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

func TestWorkerBatchesCompletions(t *testing.T) {
	f := newFakeQueueOf(200)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Concurrency: 50, Wait: 50 * time.Millisecond,
		CompleteBatchWindow: 20 * time.Millisecond,
		Handler: func(_ context.Context, a *Action) (Result, error) {
			return Result{Ref: fmt.Sprintf("done:%d", a.GetId())}, nil
		},
	}
	stop := runWorker(t, w)
	awaitReports(t, f, 200)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for id := int64(1); id <= 200; id++ {
		if got := f.completed[id]; got.GetResultRef() != fmt.Sprintf("done:%d", id) || got.GetLeaseToken() != fmt.Sprintf("token-%d", id) {
			t.Errorf("completion of %d = %v", id, got)
		}
	}
	if f.completeCalls != 0 {
		t.Errorf("%d single Complete calls, want none", f.completeCalls)
	}
	if len(f.batches) >= 100 {
		t.Errorf("200 completions took %d CompleteMany calls %v, want them batched", len(f.batches), f.batches)
	}
	for _, n := range f.batches {
		if n > 50 {
			t.Errorf("a batch of %d completions, more than the 50 reports allowed in flight", n)
		}
	}
}

func TestWorkerLogsRefusedCompletions(t *testing.T) {
	f := newFakeQueue(1, 2, 3)
	f.refuse[2] = &actionqv1.ItemFailure{Id: 2, Code: "FAILED_PRECONDITION", Reason: "STALE_LEASE", Message: "lease token does not match"}
	var logs logBuffer
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Concurrency: 3, Wait: 50 * time.Millisecond, Logger: logs.logger(),
		Handler: func(context.Context, *Action) (Result, error) { return Result{}, nil },
	}
	stop := runWorker(t, w)
	awaitReports(t, f, 3)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(f.completed) != 2 || f.completed[2] != nil {
		t.Errorf("completed %v, want 1 and 3", f.completed)
	}
	out := logs.String()
	if !strings.Contains(out, "action_id=2") || !strings.Contains(out, "FailedPrecondition STALE_LEASE: lease token does not match") {
		t.Errorf("the refusal of 2 was not logged with its code and message:\n%s", out)
	}
	if strings.Contains(out, "action_id=1 ") || strings.Contains(out, "action_id=3 ") {
		t.Errorf("completed actions logged as failures:\n%s", out)
	}
}

func TestWorkerGivesUpOnFailedCompleteMany(t *testing.T) {
	f := newFakeQueue(1, 2)
	f.completeManyErr = status.Error(codes.Internal, "database on fire")
	var logs logBuffer
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Concurrency: 2, Wait: 50 * time.Millisecond, Logger: logs.logger(),
		Handler: func(context.Context, *Action) (Result, error) { return Result{}, nil },
	}
	stop := runWorker(t, w)
	awaitReports(t, f, 2)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "action_id=1 ") || !strings.Contains(out, "action_id=2 ") || strings.Count(out, "database on fire") != 2 {
		t.Errorf("want the call's error logged once for each action:\n%s", out)
	}
}

func TestWorkerFreesSlotsBeforeReportsAreAcknowledged(t *testing.T) {
	f := newFakeQueueOf(10)
	f.completeGate = make(chan struct{})
	var mu sync.Mutex
	handled := 0
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Concurrency: 2, Wait: 50 * time.Millisecond,
		Handler: func(context.Context, *Action) (Result, error) {
			mu.Lock()
			handled++
			mu.Unlock()
			return Result{}, nil
		},
	}
	stop := runWorker(t, w)
	// While the server sits on CompleteMany, two reports are in flight and
	// two finished handlers wait for room to report: four handled, no more.
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	got := handled
	mu.Unlock()
	if got != 4 {
		t.Errorf("%d handlers ran while completions were unacknowledged, want 4 (2 slots + 2 reports)", got)
	}
	close(f.completeGate)
	awaitReports(t, f, 10)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestWorkerFlushesCompletionsBeforeRunReturns(t *testing.T) {
	f := newFakeQueue(1, 2, 3)
	var mu sync.Mutex
	handled := 0
	all := make(chan struct{})
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Concurrency: 3, Wait: 50 * time.Millisecond,
		CompleteBatchWindow: time.Second, // longer than the test waits
		Handler: func(context.Context, *Action) (Result, error) {
			mu.Lock()
			defer mu.Unlock()
			if handled++; handled == 3 {
				close(all)
			}
			return Result{}, nil
		},
	}
	stop := runWorker(t, w)
	<-all
	began := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := f.reports(); n != 3 {
		t.Errorf("%d completions sent when Run returned, want 3", n)
	}
	if d := time.Since(began); d > 500*time.Millisecond {
		t.Errorf("Run took %v to return; stopping should send the queue without waiting out the window", d)
	}
}

func TestOutboxWithoutWindowSendsWhatIsQueued(t *testing.T) {
	f := newFakeQueue()
	o := newOutbox(context.Background(), serve(t, f, Config{}), 0)
	var wg sync.WaitGroup
	for id := range int64(5) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := o.complete(context.Background(), &actionqv1.CompleteRequest{Id: id + 1}); err != nil {
				t.Errorf("complete %d: %v", id+1, err)
			}
		}()
	}
	wg.Wait()
	o.close()
	if n := f.reports(); n != 5 {
		t.Errorf("%d completions sent, want 5", n)
	}
}

func TestOutboxKeepsARepeatedIDForTheNextBatch(t *testing.T) {
	o := &outbox{}
	for _, id := range []int64{1, 2, 1, 3} {
		o.queue = append(o.queue, completion{req: &actionqv1.CompleteRequest{Id: id}})
	}
	var got []int64
	for _, c := range o.take() {
		got = append(got, c.req.GetId())
	}
	if fmt.Sprint(got) != "[1 2 3]" || len(o.queue) != 1 || o.queue[0].req.GetId() != 1 {
		t.Errorf("took %v, left %d; want [1 2 3] and the second 1 left", got, len(o.queue))
	}
}

func TestCodeNamed(t *testing.T) {
	for name, want := range map[string]codes.Code{
		"FAILED_PRECONDITION": codes.FailedPrecondition, "NOT_FOUND": codes.NotFound, "OK": codes.OK,
		"": codes.Unknown, "NOPE": codes.Unknown, "9": codes.Unknown,
	} {
		if got := codeNamed(name); got != want {
			t.Errorf("codeNamed(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestWorkerHandsThePayloadAndReportsTheResultAsJSON(t *testing.T) {
	f := newFakeQueue(1, 2, 3)
	f.pending[0].Action.PayloadJson = `{"user_id": 9007199254740993, "name": "é"}`
	f.pending[1].Action.PayloadJson = `{}`
	type payload struct {
		UserID int64  `json:"user_id"`
		Name   string `json:"name"`
	}
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Concurrency: 3, Wait: 50 * time.Millisecond,
		Handler: func(_ context.Context, a *Action) (Result, error) {
			switch a.GetId() {
			case 1:
				p, err := Decode[payload](a.Payload)
				if err != nil {
					return Result{}, err
				}
				return Result{Ref: "r1", Data: map[string]any{"seen": p.UserID, "name": p.Name}}, nil
			case 2:
				return Result{Data: map[string]any{"ch": make(chan int)}}, nil
			}
			if string(a.Payload) != "{}" {
				return Result{}, fmt.Errorf("an action without payload_json has payload %s, want {}", a.Payload)
			}
			return Result{Ref: "r3"}, nil
		},
	}
	stop := runWorker(t, w)
	awaitReports(t, f, 3)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := f.completed[1].GetResultJson(); got != `{"name":"é","seen":9007199254740993}` {
		t.Errorf("result_json of 1 = %s", got)
	}
	if got := f.failed[2].GetReason(); !strings.Contains(got, "not JSON") {
		t.Errorf("fail of 2 = %q, want the result's encoding error", got)
	}
	if got := f.completed[3]; got == nil || got.GetResultJson() != "" {
		t.Errorf("complete of 3 = %v, want no result_json", got)
	}
}

func TestWorkerCancelsTheHandlerWhenTheLeaseIsStale(t *testing.T) {
	f := newFakeQueue(7)
	f.heartbeatErr = staleLease()
	causes := make(chan error, 1)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Lease: 150 * time.Millisecond, Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, _ *Action) (Result, error) {
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return Result{}, nil
		},
	}
	stop := runWorker(t, w)
	select {
	case cause := <-causes:
		if !errors.Is(cause, ErrLeaseLost) || !errors.Is(cause, ErrStaleLease) {
			t.Errorf("handler context ended with %v, want ErrLeaseLost wrapping ErrStaleLease", cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler was never cancelled")
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := f.reports(); n != 0 {
		t.Errorf("an action whose lease was lost got %d outcome reports, want none", n)
	}
}
