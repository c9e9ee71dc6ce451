package actionq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// waitingQueue adds Suspend and Signal to fakeQueue: a suspended action
// waits for its signal, and a signal stores the wake-up as the wait's
// checkpoint and hands the action out again under a new token. A sleep
// (no signal) wakes at once, timed out, without suspending.
type waitingQueue struct {
	*fakeQueue
	wmu       sync.Mutex
	waiting   map[string][]*actionqv1.SuspendRequest // by signal name
	suspends  []*actionqv1.SuspendRequest
	suspended chan int64
}

func newWaitingQueue(ids ...int64) *waitingQueue {
	return &waitingQueue{fakeQueue: newFakeQueue(ids...), waiting: map[string][]*actionqv1.SuspendRequest{}, suspended: make(chan int64, 10)}
}

func (q *waitingQueue) Suspend(_ context.Context, req *actionqv1.SuspendRequest) (*actionqv1.SuspendResponse, error) {
	q.wmu.Lock()
	defer q.wmu.Unlock()
	q.suspends = append(q.suspends, req)
	if req.GetSignal() == "" {
		wake := &actionqv1.WakeUp{Step: req.GetStep(), PayloadJson: "{}", TimedOut: true}
		q.store(req.GetId(), wake)
		return &actionqv1.SuspendResponse{Wake: wake}, nil
	}
	q.waiting[req.GetSignal()] = append(q.waiting[req.GetSignal()], req)
	q.suspended <- req.GetId()
	return &actionqv1.SuspendResponse{Suspended: true, Action: &actionqv1.Action{Id: req.GetId(), Status: actionqv1.ActionStatus_ACTION_STATUS_WAITING}}, nil
}

func (q *waitingQueue) Signal(_ context.Context, req *actionqv1.SignalRequest) (*actionqv1.SignalResponse, error) {
	q.wmu.Lock()
	defer q.wmu.Unlock()
	resp := &actionqv1.SignalResponse{SignalId: 7}
	for _, w := range q.waiting[req.GetName()] {
		q.store(w.GetId(), &actionqv1.WakeUp{Step: w.GetStep(), Signal: req.GetName(), PayloadJson: req.GetPayloadJson(), SignalId: 7})
		q.mu.Lock()
		q.pending = append(q.pending, &actionqv1.ClaimedAction{
			Action:     &actionqv1.Action{Id: w.GetId(), Status: actionqv1.ActionStatus_ACTION_STATUS_CLAIMED},
			LeaseToken: fmt.Sprintf("token-%d-woken", w.GetId()),
		})
		q.mu.Unlock()
		resp.Woken = append(resp.Woken, w.GetId())
	}
	delete(q.waiting, req.GetName())
	return resp, nil
}

// store saves a wake-up as its step's checkpoint, as the server does.
func (q *waitingQueue) store(id int64, w *actionqv1.WakeUp) {
	state := fmt.Sprintf(`{"signal":%q,"payload":%s,"timed_out":%t,"signal_id":%d,"woke_at":"2026-11-30T17:00:00.123456+00:00"}`,
		w.GetSignal(), w.GetPayloadJson(), w.GetTimedOut(), w.GetSignalId())
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.checkpoints == nil {
		q.checkpoints = map[int64][]*actionqv1.Checkpoint{}
	}
	q.checkpoints[id] = append(q.checkpoints[id], &actionqv1.Checkpoint{ActionId: id, Step: w.GetStep(), StateJson: state, Attempt: 1})
}

func TestWaitForSignalSuspendsAndTheRerunGetsTheWakeUp(t *testing.T) {
	q := newWaitingQueue(1)
	client := serve(t, q, Config{})
	var mu sync.Mutex
	var runs int
	var suspendErr error
	w := &Worker{
		Client: client, Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, a *Action) (Result, error) {
			mu.Lock()
			runs++
			mu.Unlock()
			wake, err := a.WaitForSignal(ctx, "approved", WithTimeout(time.Hour))
			if err != nil {
				mu.Lock()
				suspendErr = err
				mu.Unlock()
				return Result{}, fmt.Errorf("waiting: %w", err)
			}
			if ctx.Err() != nil {
				return Result{}, errors.New("the re-run's context is cancelled")
			}
			var p map[string]any
			if err := wake.DecodePayload(&p); err != nil {
				return Result{}, err
			}
			return Result{Ref: wake.Step, Data: map[string]any{"by": p["by"], "n": p["n"], "signal_id": wake.SignalID}}, nil
		},
	}
	stop := runWorker(t, w)
	select {
	case <-q.suspended:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler never suspended")
	}
	resp, err := client.SendSignal(context.Background(), "approved", map[string]any{"by": "alice", "n": json.Number("9007199254740993")}, SignalOptions{})
	if err != nil || len(resp.GetWoken()) != 1 {
		t.Fatalf("SendSignal: %v %v", resp, err)
	}
	awaitReports(t, q.fakeQueue, 1)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	q.mu.Lock()
	done := q.completed[1]
	nFailed := len(q.failed)
	q.mu.Unlock()
	if nFailed != 0 || done == nil {
		t.Fatalf("want action 1 completed and nothing failed, got %v / %d failures", done, nFailed)
	}
	if done.GetLeaseToken() != "token-1-woken" || done.GetResultRef() != "signal:approved" ||
		done.GetResultJson() != `{"by":"alice","n":9007199254740993,"signal_id":7}` {
		t.Fatalf("completed with %v", done)
	}
	mu.Lock()
	defer mu.Unlock()
	if runs != 2 || !errors.Is(suspendErr, ErrSuspended) {
		t.Fatalf("runs %d, first run's error %v; want 2 runs, ErrSuspended", runs, suspendErr)
	}
	q.wmu.Lock()
	defer q.wmu.Unlock()
	if len(q.suspends) != 1 || q.suspends[0].GetStep() != "signal:approved" || q.suspends[0].GetTimeout().AsDuration() != time.Hour ||
		q.suspends[0].GetLeaseToken() != "token-1" {
		t.Fatalf("Suspend calls %v, want one for step signal:approved with a 1 h timeout", q.suspends)
	}
}

func TestSleepNamesItsStepsByCountAndReturnsTheWakeUp(t *testing.T) {
	q := newWaitingQueue(1)
	type seen struct {
		wakes []*WakeUp
		err   error
	}
	out := make(chan seen, 1)
	w := &Worker{
		Client: serve(t, q, Config{}), Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, a *Action) (Result, error) {
			var s seen
			defer func() { out <- s }()
			for _, opts := range [][]WaitOption{nil, {WithStep("nap")}, nil} {
				wake, err := a.Sleep(ctx, 0, opts...)
				if err != nil {
					s.err = err
					return Result{}, err
				}
				s.wakes = append(s.wakes, wake)
			}
			return Result{}, nil
		},
	}
	stop := runWorker(t, w)
	s := <-out
	awaitReports(t, q.fakeQueue, 1)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if s.err != nil || len(s.wakes) != 3 {
		t.Fatalf("sleeps: %v %v", s.wakes, s.err)
	}
	for i, want := range []string{"sleep:0", "nap", "sleep:1"} {
		if s.wakes[i].Step != want || !s.wakes[i].TimedOut || string(s.wakes[i].Payload) != "{}" {
			t.Fatalf("wake %d is %+v, want step %s timed out", i, s.wakes[i], want)
		}
		if q.suspends[i].GetTimeout() == nil || q.suspends[i].GetTimeout().AsDuration() != 0 || q.suspends[i].GetSignal() != "" {
			t.Fatalf("Suspend %d sent %v, want a sleep with timeout 0", i, q.suspends[i])
		}
	}
}

func TestAWaitThatWokeBeforeIsReadFromItsCheckpoint(t *testing.T) {
	q := newWaitingQueue(1)
	q.store(1, &actionqv1.WakeUp{Step: "signal:go", Signal: "go", PayloadJson: `{"k":9007199254740993}`, SignalId: 42})
	out := make(chan *WakeUp, 1)
	w := &Worker{
		Client: serve(t, q, Config{}), Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, a *Action) (Result, error) {
			wake, err := a.WaitForSignal(ctx, "go")
			out <- wake
			return Result{}, err
		},
	}
	stop := runWorker(t, w)
	wake := <-out
	awaitReports(t, q.fakeQueue, 1)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 30, 17, 0, 0, 123456000, time.UTC)
	if wake == nil || wake.Signal != "go" || string(wake.Payload) != `{"k":9007199254740993}` || wake.SignalID != 42 ||
		wake.TimedOut || !wake.WokeAt.Equal(want) {
		t.Fatalf("wake %+v", wake)
	}
	if len(q.suspends) != 0 {
		t.Fatalf("Suspend was called %d times for a wait that woke before", len(q.suspends))
	}
}

func TestWaitingNeedsAnActionFromAWorker(t *testing.T) {
	a := &Action{Action: &actionqv1.Action{Id: 1}}
	if _, err := a.WaitForSignal(context.Background(), "x"); !errors.Is(err, ErrNotFromWorker) {
		t.Fatalf("WaitForSignal: %v", err)
	}
	if _, err := a.Sleep(context.Background(), time.Second); !errors.Is(err, ErrNotFromWorker) {
		t.Fatalf("Sleep: %v", err)
	}
}

func TestSendSignalModeAndKeep(t *testing.T) {
	q := &recordSignals{}
	client := serve(t, q, Config{})
	ctx := context.Background()
	for _, opts := range []SignalOptions{{}, {Mode: One, Keep: time.Minute}, {Keep: -1}} {
		if _, err := client.SendSignal(ctx, "n", nil, opts); err != nil {
			t.Fatal(err)
		}
	}
	r := q.reqs
	if r[0].GetMode() != actionqv1.SignalMode_SIGNAL_MODE_BROADCAST || r[0].GetKeep() != nil || r[0].GetPayloadJson() != "" ||
		r[1].GetMode() != actionqv1.SignalMode_SIGNAL_MODE_ONE || r[1].GetKeep().AsDuration() != time.Minute ||
		r[2].GetKeep() == nil || r[2].GetKeep().AsDuration() != 0 {
		t.Fatalf("requests %v", r)
	}
}

type recordSignals struct {
	actionqv1.UnimplementedActionQueueServiceServer
	reqs []*actionqv1.SignalRequest
}

func (r *recordSignals) Signal(_ context.Context, req *actionqv1.SignalRequest) (*actionqv1.SignalResponse, error) {
	r.reqs = append(r.reqs, req)
	return &actionqv1.SignalResponse{}, nil
}
