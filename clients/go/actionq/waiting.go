package actionq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// ErrSuspended is what WaitForSignal and Sleep return when the action now
// waits on the server: the worker gave up its lease, so the handler must
// return at once (return the error as it is, or wrapped). The Worker
// reports nothing for it: the action is claimed again once it wakes, and
// the handler runs again from the top, its earlier steps returning their
// stored results and the wait its wake-up. The handler's context is
// cancelled with this cause too.
var ErrSuspended = errors.New("actionq: action suspended until it wakes")

// WakeUp is why a wait ended: a signal (Signal, Payload, SignalID) or its
// timeout (TimedOut, Payload "{}").
type WakeUp struct {
	Step     string
	Signal   string
	Payload  json.RawMessage
	TimedOut bool
	SignalID int64
	WokeAt   time.Time
}

// DecodePayload decodes the signal's payload into v (see DecodeJSON).
func (w *WakeUp) DecodePayload(v any) error { return DecodeJSON(w.Payload, v) }

// WakeUpOf converts the generated WakeUp; nil for nil.
func WakeUpOf(w *actionqv1.WakeUp) *WakeUp {
	if w == nil {
		return nil
	}
	out := &WakeUp{
		Step: w.GetStep(), Signal: w.GetSignal(), Payload: objectOrEmpty(w.GetPayloadJson()),
		TimedOut: w.GetTimedOut(), SignalID: w.GetSignalId(),
	}
	if w.GetWokeAt() != nil {
		out.WokeAt = w.GetWokeAt().AsTime()
	}
	return out
}

// wakeState is a wait's checkpoint state as the server stores it.
type wakeState struct {
	Signal   string          `json:"signal"`
	Payload  json.RawMessage `json:"payload"`
	TimedOut bool            `json:"timed_out"`
	SignalID json.Number     `json:"signal_id"`
	WokeAt   string          `json:"woke_at"`
}

// WakeUpFromCheckpoint reads the wake-up a wait stored as its step's checkpoint.
func WakeUpFromCheckpoint(cp *Checkpoint) (*WakeUp, error) {
	var s wakeState
	if err := cp.DecodeState(&s); err != nil {
		return nil, fmt.Errorf("actionq: checkpoint %q is not a wake-up: %w", cp.GetStep(), err)
	}
	w := &WakeUp{Step: cp.GetStep(), Signal: s.Signal, Payload: s.Payload, TimedOut: s.TimedOut}
	if len(w.Payload) == 0 || string(w.Payload) == "null" {
		w.Payload = json.RawMessage("{}")
	}
	if s.SignalID != "" {
		id, err := s.SignalID.Int64()
		if err != nil {
			return nil, fmt.Errorf("actionq: checkpoint %q: signal_id %s: %w", cp.GetStep(), s.SignalID, err)
		}
		w.SignalID = id
	}
	if s.WokeAt != "" {
		t, err := time.Parse(time.RFC3339Nano, s.WokeAt)
		if err != nil {
			return nil, fmt.Errorf("actionq: checkpoint %q: woke_at %q: %w", cp.GetStep(), s.WokeAt, err)
		}
		w.WokeAt = t
	}
	return w, nil
}

// SignalMode says how a signal wakes waiting actions.
type SignalMode int

const (
	// Broadcast (the default) wakes every action waiting for the name, and
	// every one that starts waiting while the signal is kept.
	Broadcast SignalMode = iota
	// One wakes exactly one action: the one waiting longest, or else the
	// first that starts waiting while the signal is kept.
	One
)

// SignalOptions refine SendSignal; the zero value broadcasts and keeps the
// signal for the server's default (24 h).
type SignalOptions struct {
	Mode SignalMode
	// Keep is how long later waiters can still receive the signal (up to
	// 30 days); 0 means the server's default of 24 h, a negative value not
	// kept at all.
	Keep time.Duration
	// Actor is recorded on the signal_sent event; empty means "operator".
	Actor string
}

// SendSignal sends the signal name with payload (any value EncodeJSON
// accepts that is a JSON object; nil is {}), waking the actions waiting for
// it. The response lists the woken ids and, when the signal is kept, until
// when (KeptUntil).
func (c *Client) SendSignal(ctx context.Context, name string, payload any, opts SignalOptions) (*actionqv1.SignalResponse, error) {
	text, err := EncodeJSON(payload)
	if err != nil {
		return nil, fmt.Errorf("actionq: signal payload: %w", err)
	}
	req := &actionqv1.SignalRequest{Name: name, PayloadJson: text, Actor: opts.Actor, Mode: actionqv1.SignalMode_SIGNAL_MODE_BROADCAST}
	if opts.Mode == One {
		req.Mode = actionqv1.SignalMode_SIGNAL_MODE_ONE
	}
	switch {
	case opts.Keep > 0:
		req.Keep = durationpb.New(opts.Keep)
	case opts.Keep < 0:
		req.Keep = durationpb.New(0)
	}
	return c.Signal(ctx, req)
}

// Wait is what SuspendAction waits for: a signal (Signal set), a time
// (Until or Timeout), or a signal with a timeout. For a signal, a zero
// Timeout and Until mean no timeout; with no signal either, a Timeout of 0
// is sent (a sleep that ends at once).
type Wait struct {
	Signal  string
	Timeout time.Duration
	Until   time.Time
}

// SuspendAction asks the server to park the claimed action id until w
// ends, under its lease token; step names the wait, and the wake-up is
// stored as that step's checkpoint. The answer is either suspended (the
// lease is given up) or not, with the wake-up at hand (the step had woken
// before, or a kept signal matched); WakeUpOf(resp.GetWake()) reads it.
func (c *Client) SuspendAction(ctx context.Context, id int64, leaseToken, step string, w Wait) (*actionqv1.SuspendResponse, error) {
	req := &actionqv1.SuspendRequest{Id: id, LeaseToken: leaseToken, Step: step, Signal: w.Signal}
	if !w.Until.IsZero() {
		req.Until = timestamppb.New(w.Until)
	}
	if w.Timeout > 0 || (w.Signal == "" && w.Until.IsZero()) {
		// A sleep of 0 is a timeout of 0, not none.
		req.Timeout = durationpb.New(max(w.Timeout, 0))
	}
	return c.Suspend(ctx, req)
}

// WaitOption refines WaitForSignal and Sleep.
type WaitOption func(*waitOptions)

type waitOptions struct {
	step    string
	timeout time.Duration
}

// WithStep names the wait's step, instead of "signal:<name>" for a signal
// or "sleep:<n>" (n counts the unnamed Sleep calls of this run of the
// handler from 0, so a handler must reach its sleeps in the same order on every
// run, or name them).
func WithStep(step string) WaitOption { return func(o *waitOptions) { o.step = step } }

// WithTimeout ends a signal wait after d without the signal: the WakeUp
// then has TimedOut set.
func WithTimeout(d time.Duration) WaitOption { return func(o *waitOptions) { o.timeout = d } }

// WaitForSignal waits for the signal name. When the wait's step already
// woke (on an earlier run of the handler) or a kept signal matches, it
// returns the WakeUp at once. Otherwise the action starts waiting on the
// server and WaitForSignal returns ErrSuspended, which the handler must
// return: the Worker claims the action again once the signal (or the
// timeout) wakes it, and the handler, run again from the top, gets the
// WakeUp here.
//
//	wake, err := a.WaitForSignal(ctx, "approved:"+orderID, actionq.WithTimeout(24*time.Hour))
//	if err != nil {
//		return actionq.Result{}, err // ErrSuspended included
//	}
func (a *Action) WaitForSignal(ctx context.Context, name string, opts ...WaitOption) (*WakeUp, error) {
	o := waitOptions{step: "signal:" + name}
	for _, opt := range opts {
		opt(&o)
	}
	return a.wait(ctx, o.step, Wait{Signal: name, Timeout: o.timeout})
}

// Sleep waits d durably: the action gives up its lease and waits on the
// server (Sleep returns ErrSuspended, which the handler must return), and
// the handler runs again once d has passed, this Sleep then returning the
// timed-out WakeUp at once. WithStep names the step (default "sleep:<n>");
// WithTimeout does not apply.
func (a *Action) Sleep(ctx context.Context, d time.Duration, opts ...WaitOption) (*WakeUp, error) {
	if a.lease == nil {
		return nil, ErrNotFromWorker
	}
	var o waitOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.step == "" {
		o.step = "sleep:" + strconv.FormatInt(a.lease.sleeps.Add(1)-1, 10)
	}
	return a.wait(ctx, o.step, Wait{Timeout: max(d, 0)})
}

// wait returns the step's stored wake-up, or suspends the action.
func (a *Action) wait(ctx context.Context, step string, w Wait) (*WakeUp, error) {
	if a.lease == nil {
		return nil, ErrNotFromWorker
	}
	saved, err := a.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	for _, cp := range saved {
		if cp.GetStep() == step {
			return WakeUpFromCheckpoint(cp)
		}
	}
	l := a.lease
	resp, err := l.client.SuspendAction(ctx, l.id, l.token, step, w)
	if err != nil {
		if leaseGone(err) {
			l.stop(fmt.Errorf("%w: %w", ErrLeaseLost, err))
		}
		return nil, err
	}
	if resp.GetSuspended() {
		l.stop(ErrSuspended)
		return nil, ErrSuspended
	}
	return WakeUpOf(resp.GetWake()), nil
}
