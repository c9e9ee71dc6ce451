package actionq

import (
	"context"
	"encoding/json"
	"fmt"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// Checkpoint is state a worker saved under a step name while it held an
// action's lease, with the state as json.RawMessage. The generated record is
// embedded: c.GetStep(), c.GetAttempt() (the attempt that last saved it),
// c.GetCreatedAt() and c.GetUpdatedAt() are at hand.
type Checkpoint struct {
	*actionqv1.Checkpoint
	// State is the saved JSON object; "{}" when it is empty.
	State json.RawMessage
}

// CheckpointOf wraps a generated Checkpoint; nil for nil.
func CheckpointOf(c *actionqv1.Checkpoint) *Checkpoint {
	if c == nil {
		return nil
	}
	return &Checkpoint{Checkpoint: c, State: objectOrEmpty(c.GetStateJson())}
}

// DecodeState decodes the saved state into v (see DecodeJSON).
func (c *Checkpoint) DecodeState(v any) error { return DecodeJSON(c.State, v) }

// PutCheckpoint saves state (any value EncodeJSON accepts that is a JSON
// object; nil is {}) under step for the claimed action id, under its lease
// token; saving a step again replaces its state. A stale lease is
// ErrStaleLease, an action that is not claimed ErrIllegalTransition.
func (c *Client) PutCheckpoint(ctx context.Context, id int64, leaseToken, step string, state any) (*Checkpoint, error) {
	text, err := EncodeJSON(state)
	if err != nil {
		return nil, fmt.Errorf("actionq: checkpoint state: %w", err)
	}
	resp, err := c.SaveCheckpoint(ctx, &actionqv1.SaveCheckpointRequest{
		Id: id, LeaseToken: leaseToken, Step: step, StateJson: text,
	})
	if err != nil {
		return nil, err
	}
	return CheckpointOf(resp.GetCheckpoint()), nil
}

// Checkpoints lists the checkpoints of action id saved by every attempt,
// oldest step first.
func (c *Client) Checkpoints(ctx context.Context, id int64) ([]*Checkpoint, error) {
	resp, err := c.GetCheckpoints(ctx, &actionqv1.GetCheckpointsRequest{Id: id})
	if err != nil {
		return nil, err
	}
	out := make([]*Checkpoint, len(resp.GetCheckpoints()))
	for i, cp := range resp.GetCheckpoints() {
		out[i] = CheckpointOf(cp)
	}
	return out, nil
}

// SaveCheckpoint saves state under step for the action the Worker handed to
// the handler, under its lease (see Client.PutCheckpoint). A later attempt
// reads it with Checkpoints. ErrNotFromWorker for an action a Worker did not
// hand out; when the server says the lease is gone (e.g. ErrStaleLease) the
// handler's context is cancelled with ErrLeaseLost too, as by a heartbeat.
func (a *Action) SaveCheckpoint(ctx context.Context, step string, state any) (*Checkpoint, error) {
	if a.lease == nil {
		return nil, ErrNotFromWorker
	}
	l := a.lease
	cp, err := l.client.PutCheckpoint(ctx, l.id, l.token, step, state)
	if err != nil && leaseGone(err) {
		l.stop(fmt.Errorf("%w: %w", ErrLeaseLost, err))
	}
	return cp, err
}

// Checkpoints lists the action's checkpoints from every attempt, oldest
// step first (see Client.Checkpoints); it needs no lease, but the action
// must come from a Worker (else ErrNotFromWorker).
func (a *Action) Checkpoints(ctx context.Context) ([]*Checkpoint, error) {
	if a.lease == nil {
		return nil, ErrNotFromWorker
	}
	return a.lease.client.Checkpoints(ctx, a.lease.id)
}

// Step runs fn once per action: when an earlier attempt (or this one)
// already saved a checkpoint named step, it returns that state decoded as a
// T without running fn; else it runs fn and saves what fn returns under step
// before returning it. T must encode as a JSON object (a struct or a map).
//
//	rows, err := actionq.Step(ctx, a, "download", func(ctx context.Context) (Download, error) { … })
func Step[T any](ctx context.Context, a *Action, step string, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	saved, err := a.Checkpoints(ctx)
	if err != nil {
		return zero, err
	}
	for _, cp := range saved {
		if cp.GetStep() == step {
			v, err := Decode[T](cp.State)
			if err != nil {
				return zero, fmt.Errorf("actionq: checkpoint %q: %w", step, err)
			}
			return v, nil
		}
	}
	v, err := fn(ctx)
	if err != nil {
		return zero, err
	}
	if _, err := a.SaveCheckpoint(ctx, step, v); err != nil {
		return zero, err
	}
	return v, nil
}
