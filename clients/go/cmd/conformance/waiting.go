package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

// suspend parks the ref under the lease it names, waiting for the step's
// signal and/or timeout, and checks whether it was suspended, the action's
// status and the wake-up.
func (r *runner) suspend(ctx context.Context, s step) error {
	id, token, err := r.target(s)
	if err != nil {
		return err
	}
	w := actionq.Wait{Signal: s.Signal}
	if s.TimeoutMS > 0 {
		w.Timeout = millis(s.TimeoutMS)
	}
	resp, callErr := r.client.SuspendAction(ctx, id, token, s.Step, w)
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	if s.ExpectSuspended != nil && resp.GetSuspended() != *s.ExpectSuspended {
		return fmt.Errorf("suspended %t, want %t", resp.GetSuspended(), *s.ExpectSuspended)
	}
	if err := expectAction(actionq.ActionOf(resp.GetAction()), s); err != nil {
		return err
	}
	if s.ExpectWake == nil {
		return nil
	}
	wake := actionq.WakeUpOf(resp.GetWake())
	if wake == nil {
		return fmt.Errorf("no wake-up, want %v", s.ExpectWake)
	}
	if wake.Step != s.Step {
		return fmt.Errorf("wake-up of step %q, want %q", wake.Step, s.Step)
	}
	got, err := json.Marshal(map[string]any{"signal": wake.Signal, "payload": wake.Payload, "timed_out": wake.TimedOut})
	if err != nil {
		return err
	}
	return expectFields("wake-up", got, s.ExpectWake)
}

// signal sends the step's signal and checks which refs it woke and whether
// it is kept.
func (r *runner) signal(ctx context.Context, s step) error {
	opts := actionq.SignalOptions{}
	switch s.Mode {
	case "", "broadcast":
	case "one":
		opts.Mode = actionq.One
	default:
		return fmt.Errorf("unknown mode %q", s.Mode)
	}
	if s.KeepMS != nil {
		opts.Keep = millis(*s.KeepMS)
		if *s.KeepMS == 0 {
			opts.Keep = -1 // not kept
		}
	}
	resp, callErr := r.client.SendSignal(ctx, s.Signal, s.Payload, opts)
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	if s.ExpectWoken != nil {
		got := []string{}
		for _, id := range resp.GetWoken() {
			got = append(got, r.refOf(id))
		}
		want := slices.Clone(s.ExpectWoken)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			return fmt.Errorf("woke %v, want %v", got, want)
		}
	}
	if s.ExpectKept != nil && (resp.GetKeptUntil() != nil) != *s.ExpectKept {
		return fmt.Errorf("kept_until %v, want kept %t", resp.GetKeptUntil(), *s.ExpectKept)
	}
	return nil
}

// awaitStatus polls the ref until its status is the expected one or the
// step's timeout passes.
func (r *runner) awaitStatus(ctx context.Context, s step) error {
	id, _, err := r.target(s)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(millis(s.TimeoutMS))
	for {
		resp, err := r.client.GetAction(ctx, &actionqv1.GetActionRequest{Id: id})
		if err != nil {
			return err
		}
		got := statusName(resp.GetAction().GetStatus())
		if got == s.ExpectStatus {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still %s after %d ms, want %s", got, s.TimeoutMS, s.ExpectStatus)
		}
		time.Sleep(50 * time.Millisecond) // a poll interval, not a synchronisation
	}
}

// expectFields checks that each key of want equals the key of the JSON
// object got (other keys of got are not compared).
func expectFields(what string, got []byte, want map[string]any) error {
	var fields map[string]json.RawMessage
	if err := actionq.DecodeJSON(got, &fields); err != nil {
		return fmt.Errorf("%s %s: %w", what, got, err)
	}
	for k, v := range want {
		raw, ok := fields[k]
		if !ok {
			return fmt.Errorf("%s %s has no %q", what, got, k)
		}
		if v == nil {
			if string(raw) != "null" {
				return fmt.Errorf("%s: %s is %s, want null", what, k, raw)
			}
			continue
		}
		if err := expectJSON(what+": "+k, raw, v); err != nil {
			return err
		}
	}
	return nil
}
