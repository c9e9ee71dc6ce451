package actionq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// enqueueService answers Enqueue with answer(call number, ctx) and records
// the request id of every call.
type enqueueService struct {
	actionqv1.UnimplementedActionQueueServiceServer
	answer func(ctx context.Context, call int) error

	mu    sync.Mutex
	ids   []string
	sizes []int
}

func (f *enqueueService) Enqueue(ctx context.Context, req *actionqv1.EnqueueRequest) (*actionqv1.EnqueueResponse, error) {
	f.mu.Lock()
	f.ids = append(f.ids, req.GetRequestId())
	f.sizes = append(f.sizes, len(req.GetActions()))
	call := len(f.ids)
	f.mu.Unlock()
	if f.answer != nil {
		if err := f.answer(ctx, call); err != nil {
			return nil, err
		}
	}
	return &actionqv1.EnqueueResponse{Replayed: call > 1}, nil
}

func (f *enqueueService) requestIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ids...)
}

func unavailableFor(calls int) func(context.Context, int) error {
	return func(_ context.Context, call int) error {
		if call <= calls {
			return status.Error(codes.Unavailable, "database restarting")
		}
		return nil
	}
}

func oneAction() *actionqv1.EnqueueRequest {
	return &actionqv1.EnqueueRequest{Actions: []*actionqv1.NewAction{{ActionType: "t", Project: "p", PayloadJson: `{"n":1}`}}}
}

func TestEnqueueRetriesUnavailableWithOneRequestID(t *testing.T) {
	f := &enqueueService{answer: unavailableFor(2)}
	c := serve(t, f, Config{})
	req := oneAction()
	resp, err := c.Enqueue(context.Background(), req)
	if err != nil || !resp.GetReplayed() {
		t.Fatalf("Enqueue = %v, %v; want the third call's answer", resp, err)
	}
	ids := f.requestIDs()
	if len(ids) != 3 || ids[0] != ids[1] || ids[1] != ids[2] {
		t.Fatalf("request ids %v, want one id sent three times", ids)
	}
	if _, err := uuid.Parse(ids[0]); err != nil {
		t.Errorf("request id %q is not a UUID: %v", ids[0], err)
	}
	if req.GetRequestId() != "" {
		t.Errorf("Enqueue wrote %q into the caller's request", req.GetRequestId())
	}
	if f.sizes[0] != 1 {
		t.Errorf("the call carried %d actions, want 1", f.sizes[0])
	}
}

func TestEnqueueSendsAFreshRequestIDPerCallOrTheCallersOwn(t *testing.T) {
	f := &enqueueService{}
	c := serve(t, f, Config{})
	ctx := context.Background()
	for range 2 {
		if _, err := c.Enqueue(ctx, oneAction()); err != nil {
			t.Fatal(err)
		}
	}
	mine := oneAction()
	mine.RequestId = "order-1234"
	if _, err := c.Enqueue(ctx, mine); err != nil {
		t.Fatal(err)
	}
	ids := f.requestIDs()
	if len(ids) != 3 || ids[0] == ids[1] || ids[0] == "" || ids[2] != "order-1234" {
		t.Errorf("request ids %v, want two fresh ones, then order-1234", ids)
	}
}

func TestEnqueueGivesUpAfterItsAttempts(t *testing.T) {
	for _, c := range []struct{ attempts, calls int }{{0, DefaultEnqueueAttempts}, {1, 1}, {2, 2}} {
		f := &enqueueService{answer: unavailableFor(100)}
		client := serve(t, f, Config{EnqueueAttempts: c.attempts})
		_, err := client.Enqueue(context.Background(), oneAction())
		if status.Code(err) != codes.Unavailable {
			t.Errorf("EnqueueAttempts %d: Enqueue = %v, want UNAVAILABLE", c.attempts, err)
		}
		if n := len(f.requestIDs()); n != c.calls {
			t.Errorf("EnqueueAttempts %d: %d calls, want %d", c.attempts, n, c.calls)
		}
	}
}

func TestEnqueueDoesNotRetryARefusal(t *testing.T) {
	f := &enqueueService{answer: func(context.Context, int) error {
		return statusError(codes.AlreadyExists, "request_id reused", info("REQUEST_ID_REUSED", nil))
	}}
	_, err := serve(t, f, Config{}).Enqueue(context.Background(), oneAction())
	if !errors.Is(err, ErrRequestIDReused) {
		t.Errorf("Enqueue = %v, want REQUEST_ID_REUSED", err)
	}
	if n := len(f.requestIDs()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestEnqueueRetriesACallThatRanOutOfItsDeadline(t *testing.T) {
	// The first call gets no answer within the client's default deadline.
	f := &enqueueService{answer: func(ctx context.Context, call int) error {
		if call == 1 {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}}
	c := serve(t, f, Config{Timeout: 100 * time.Millisecond})
	if _, err := c.Enqueue(context.Background(), oneAction()); err != nil {
		t.Fatalf("Enqueue = %v, want the second call's answer", err)
	}
	if ids := f.requestIDs(); len(ids) != 2 || ids[0] != ids[1] {
		t.Errorf("request ids %v, want one id sent twice", ids)
	}
}

func TestEnqueueStopsRetryingWhenItsContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &enqueueService{answer: func(context.Context, int) error {
		cancel() // the caller gives up while the call fails
		return status.Error(codes.Unavailable, "down")
	}}
	began := time.Now()
	_, err := serve(t, f, Config{}).Enqueue(ctx, oneAction())
	if err == nil || len(f.requestIDs()) != 1 {
		t.Errorf("Enqueue = %v after %d calls, want an error after 1", err, len(f.requestIDs()))
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("Enqueue took %v after its context ended", d)
	}

	// A deadline of the caller's own that passes is not retried either.
	f = &enqueueService{answer: func(ctx context.Context, _ int) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := serve(t, f, Config{}).Enqueue(ctx, oneAction()); status.Code(err) != codes.DeadlineExceeded || len(f.requestIDs()) != 1 {
		t.Errorf("Enqueue = %v after %d calls, want DEADLINE_EXCEEDED after 1", err, len(f.requestIDs()))
	}
}

func TestWithRequestIDSharesTheActions(t *testing.T) {
	req := oneAction()
	out := withRequestID(req, "id-1")
	if out.GetRequestId() != "id-1" || req.GetRequestId() != "" || &out.GetActions()[0] != &req.GetActions()[0] {
		t.Errorf("withRequestID(%v) = %v, want the same actions and the new id", req, out)
	}
}

// watchService serves WatchEvents from a script: the nth call (from 1)
// sends script[n-1]'s messages, then ends with its error (io.EOF: ends the
// stream cleanly; nil: waits for the client to go away).
type watchService struct {
	actionqv1.UnimplementedActionQueueServiceServer
	script []watchCall

	mu      sync.Mutex
	cursors []string // after_cursor of each call
}

type watchCall struct {
	msgs []*actionqv1.WatchEventsResponse
	end  error
}

func (f *watchService) WatchEvents(req *actionqv1.WatchEventsRequest, stream actionqv1.ActionQueueService_WatchEventsServer) error {
	f.mu.Lock()
	f.cursors = append(f.cursors, req.GetAfterCursor())
	n := len(f.cursors)
	f.mu.Unlock()
	if n > len(f.script) {
		<-stream.Context().Done()
		return nil
	}
	for _, m := range f.script[n-1].msgs {
		if err := stream.Send(m); err != nil {
			return err
		}
	}
	switch end := f.script[n-1].end; end {
	case nil:
		<-stream.Context().Done()
		return nil
	case io.EOF:
		return nil
	default:
		return end
	}
}

func events(cursor string, ids ...int64) *actionqv1.WatchEventsResponse {
	m := &actionqv1.WatchEventsResponse{Cursor: cursor}
	for _, id := range ids {
		m.Events = append(m.Events, &actionqv1.Event{Id: id, Cursor: fmt.Sprintf("e%d", id), PayloadJson: fmt.Sprintf(`{"id":%d}`, id)})
	}
	return m
}

func TestFollowEventsResumesFromTheLastCursor(t *testing.T) {
	f := &watchService{script: []watchCall{
		{msgs: []*actionqv1.WatchEventsResponse{events("c2", 1, 2)}, end: status.Error(codes.Unavailable, "server restarting")},
		{msgs: []*actionqv1.WatchEventsResponse{events("c3", 3), events("c9")}, end: io.EOF}, // a drain
		{msgs: []*actionqv1.WatchEventsResponse{events("c10", 10)}},
	}}
	c := serve(t, f, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []int64
	err := c.FollowEvents(ctx, &actionqv1.WatchEventsRequest{FromEnd: true}, func(e *Event) error {
		p, err := Decode[struct{ ID int64 }](e.Payload)
		if err != nil || p.ID != e.GetId() {
			return fmt.Errorf("event %d has payload %s", e.GetId(), e.Payload)
		}
		if got = append(got, e.GetId()); len(got) == 4 {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("FollowEvents = %v, want nil once its context ended", err)
	}
	if fmt.Sprint(got) != "[1 2 3 10]" {
		t.Errorf("events %v, want [1 2 3 10]", got)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if fmt.Sprint(f.cursors) != "[ c2 c9]" {
		t.Errorf("after_cursor of each watch %q, want \"\", c2, c9", f.cursors)
	}
}

func TestFollowEventsResumesAWatcherClosedForBeingTooSlow(t *testing.T) {
	tooSlow := statusError(codes.ResourceExhausted, "watcher too slow", info("WATCHER_TOO_SLOW", map[string]string{"cursor": "c2"}))
	f := &watchService{script: []watchCall{
		{msgs: []*actionqv1.WatchEventsResponse{events("c1", 1), events("c2", 2)}, end: tooSlow},
		{msgs: []*actionqv1.WatchEventsResponse{events("c3", 3)}},
	}}
	c := serve(t, f, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []int64
	err := c.FollowEvents(ctx, &actionqv1.WatchEventsRequest{}, func(e *Event) error {
		if got = append(got, e.GetId()); len(got) == 3 {
			cancel()
		}
		return nil
	})
	if err != nil || fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("FollowEvents = %v with events %v, want nil and [1 2 3]", err, got)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if fmt.Sprint(f.cursors) != "[ c2]" {
		t.Errorf("after_cursor of each watch %q, want \"\", c2", f.cursors)
	}
}

func TestFollowEventsReturnsTheHandlersErrorAndRefusals(t *testing.T) {
	f := &watchService{script: []watchCall{{msgs: []*actionqv1.WatchEventsResponse{events("c2", 1, 2)}}}}
	stop := errors.New("enough")
	err := serve(t, f, Config{}).FollowEvents(context.Background(), &actionqv1.WatchEventsRequest{}, func(*Event) error { return stop })
	if err != stop {
		t.Errorf("FollowEvents = %v, want the handler's error", err)
	}

	f = &watchService{script: []watchCall{{end: statusError(codes.InvalidArgument, "after_cursor: not a cursor", info("INVALID_FIELD", map[string]string{"field": "after_cursor"}))}}}
	err = serve(t, f, Config{}).FollowEvents(context.Background(), &actionqv1.WatchEventsRequest{AfterCursor: "junk"}, func(*Event) error { return nil })
	if e := AsError(err); !errors.Is(err, ErrInvalidField) || e.Field != "after_cursor" {
		t.Errorf("FollowEvents = %v, want INVALID_FIELD naming after_cursor", err)
	}
}
