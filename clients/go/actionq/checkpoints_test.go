package actionq

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// SaveCheckpoint of the fake keeps one checkpoint per step, replacing its
// state when saved again, under the lease token the fake handed out.
func (f *fakeQueue) SaveCheckpoint(_ context.Context, req *actionqv1.SaveCheckpointRequest) (*actionqv1.SaveCheckpointResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.checkpointErr != nil {
		return nil, f.checkpointErr
	}
	if f.checkpoints == nil {
		f.checkpoints = map[int64][]*actionqv1.Checkpoint{}
	}
	cp := &actionqv1.Checkpoint{ActionId: req.GetId(), Step: req.GetStep(), StateJson: req.GetStateJson(), Attempt: 1}
	saved := f.checkpoints[req.GetId()]
	for i, old := range saved {
		if old.GetStep() == req.GetStep() {
			saved[i] = cp
			return &actionqv1.SaveCheckpointResponse{Checkpoint: cp}, nil
		}
	}
	f.checkpoints[req.GetId()] = append(saved, cp)
	return &actionqv1.SaveCheckpointResponse{Checkpoint: cp}, nil
}

func (f *fakeQueue) GetCheckpoints(_ context.Context, req *actionqv1.GetCheckpointsRequest) (*actionqv1.GetCheckpointsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &actionqv1.GetCheckpointsResponse{Checkpoints: f.checkpoints[req.GetId()]}, nil
}

type download struct {
	Bytes json.Number `json:"bytes"`
	ETag  string      `json:"etag"`
}

func TestHandlerSavesAndReadsCheckpoints(t *testing.T) {
	f := newFakeQueue(1)
	f.checkpoints = map[int64][]*actionqv1.Checkpoint{1: {{ActionId: 1, Step: "download", StateJson: `{"bytes":9007199254740993,"etag":"x1"}`, Attempt: 1}}}
	type seen struct {
		steps      []string
		downloaded download
		ran        []string
		err        error
	}
	out := make(chan seen, 1)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, a *Action) (Result, error) {
			var s seen
			defer func() { out <- s }()
			var ran []string
			d, err := Step(ctx, a, "download", func(context.Context) (download, error) {
				ran = append(ran, "download")
				return download{}, nil
			})
			if err != nil {
				s.err = err
				return Result{}, err
			}
			if _, err := Step(ctx, a, "parse", func(context.Context) (map[string]int, error) {
				ran = append(ran, "parse")
				return map[string]int{"rows": 3}, nil
			}); err != nil {
				s.err = err
				return Result{}, err
			}
			cps, err := a.Checkpoints(ctx)
			if err != nil {
				s.err = err
				return Result{}, err
			}
			for _, cp := range cps {
				s.steps = append(s.steps, cp.GetStep())
			}
			s.downloaded, s.ran = d, ran
			return Result{Ref: "done"}, nil
		},
	}
	stop := runWorker(t, w)
	awaitReports(t, f, 1)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	s := <-out
	if s.err != nil {
		t.Fatalf("handler: %v", s.err)
	}
	if s.downloaded.Bytes != "9007199254740993" || s.downloaded.ETag != "x1" {
		t.Errorf("the stored download step came back as %+v", s.downloaded)
	}
	if len(s.ran) != 1 || s.ran[0] != "parse" {
		t.Errorf("steps run %v, want only parse (download was saved already)", s.ran)
	}
	if len(s.steps) != 2 || s.steps[0] != "download" || s.steps[1] != "parse" {
		t.Errorf("checkpoints %v, want download then parse", s.steps)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if got := f.checkpoints[1][1].GetStateJson(); got != `{"rows":3}` {
		t.Errorf("parse saved %s, want {\"rows\":3}", got)
	}
}

func TestCheckpointWithALostLeaseStopsTheHandler(t *testing.T) {
	f := newFakeQueue(7)
	f.checkpointErr = staleLease()
	causes := make(chan error, 2)
	w := &Worker{
		Client: serve(t, f, Config{}), Name: "w", Wait: 50 * time.Millisecond,
		Handler: func(ctx context.Context, a *Action) (Result, error) {
			_, err := a.SaveCheckpoint(ctx, "s", map[string]any{"x": 1})
			causes <- err
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return Result{}, nil
		},
	}
	stop := runWorker(t, w)
	if err := <-causes; !errors.Is(err, ErrStaleLease) {
		t.Errorf("SaveCheckpoint = %v, want the server's ErrStaleLease", err)
	}
	if cause := <-causes; !errors.Is(cause, ErrLeaseLost) {
		t.Errorf("the context ended with %v, want ErrLeaseLost", cause)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestCheckpointsNeedAnActionFromAWorker(t *testing.T) {
	a := ActionOf(&actionqv1.Action{Id: 1})
	if _, err := a.SaveCheckpoint(context.Background(), "s", nil); !errors.Is(err, ErrNotFromWorker) {
		t.Errorf("SaveCheckpoint on a plain record = %v, want ErrNotFromWorker", err)
	}
	if _, err := a.Checkpoints(context.Background()); !errors.Is(err, ErrNotFromWorker) {
		t.Errorf("Checkpoints on a plain record = %v, want ErrNotFromWorker", err)
	}
}

func TestCheckpointStateIsAnObjectWhenEmpty(t *testing.T) {
	cp := CheckpointOf(&actionqv1.Checkpoint{Step: "s"})
	var m map[string]any
	if err := cp.DecodeState(&m); err != nil || m == nil || len(m) != 0 {
		t.Errorf("empty state decoded to %v (%v), want {}", m, err)
	}
	if CheckpointOf(nil) != nil {
		t.Error("CheckpointOf(nil) is not nil")
	}
}
