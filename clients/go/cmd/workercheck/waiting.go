package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

// checkWaiting runs a Worker over one action whose handler waits for a
// signal: the first run suspends it; once the action is seen waiting on the
// server the check sends the signal with a payload, and the handler, run
// again, gets the wake-up and completes with the payload. It checks that
// the signal woke the action, that it completed on attempt 1 (waiting used
// no attempt) with the payload, after exactly two runs.
func checkWaiting(ctx context.Context, client *actionq.Client, project, createdBy string) (string, error) {
	actionType := "conformance.waiting." + randomHex(4)
	signal := "workercheck:" + project + ":" + randomHex(4)
	resp, err := client.Enqueue(ctx, &actionqv1.EnqueueRequest{Actions: []*actionqv1.NewAction{{
		ActionType: actionType, Project: project, CreatedBy: createdBy, TargetRef: "waits",
	}}})
	if err != nil {
		return "", fmt.Errorf("enqueue: %w", err)
	}
	id := resp.GetActions()[0].GetAction().GetId()
	var runs atomic.Int32
	w := &actionq.Worker{
		Client: client, Name: "conformance-go-waiting", ActionTypes: []string{actionType}, Project: project,
		Concurrency: 1, Wait: time.Second,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Handler: func(ctx context.Context, a *actionq.Action) (actionq.Result, error) {
			runs.Add(1)
			wake, err := a.WaitForSignal(ctx, signal)
			if err != nil {
				return actionq.Result{}, err // ErrSuspended: the worker reports nothing
			}
			return actionq.Result{Ref: wake.Step, Data: map[string]any{"payload": wake.Payload, "timed_out": wake.TimedOut}}, nil
		},
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	stopWorker := func() error { stop(); return <-done }

	if err := awaitStatus(ctx, client, id, actionqv1.ActionStatus_ACTION_STATUS_WAITING); err != nil {
		_ = stopWorker()
		return "", err
	}
	sent, err := client.SendSignal(ctx, signal, map[string]any{"approved_by": "alice", "n": json.Number("9007199254740993")}, actionq.SignalOptions{})
	if err != nil {
		_ = stopWorker()
		return "", fmt.Errorf("signal: %w", err)
	}
	if !slices.Contains(sent.GetWoken(), id) {
		_ = stopWorker()
		return "", fmt.Errorf("the signal woke %v, not action %d", sent.GetWoken(), id)
	}
	ended, waitErr := client.Wait(ctx, []int64{id}, 10*time.Second)
	if err := stopWorker(); err != nil {
		return "", fmt.Errorf("waiting worker: %w", err)
	}
	if waitErr != nil {
		return "", fmt.Errorf("wait for the woken action: %w", waitErr)
	}
	a := ended[0]
	var result struct {
		Payload  map[string]any `json:"payload"`
		TimedOut bool           `json:"timed_out"`
	}
	if err := a.DecodeResult(&result); err != nil {
		return "", fmt.Errorf("result %s: %w", a.Result, err)
	}
	if a.GetStatus() != actionqv1.ActionStatus_ACTION_STATUS_COMPLETED || a.GetAttempt() != 1 || a.GetResultRef() != "signal:"+signal ||
		result.TimedOut || result.Payload["n"] != json.Number("9007199254740993") || result.Payload["approved_by"] != "alice" {
		return "", fmt.Errorf("the woken action is %s on attempt %d with result %s (%s), want completed on attempt 1 with the signal's payload",
			a.GetStatus(), a.GetAttempt(), a.Result, a.GetResultRef())
	}
	if n := runs.Load(); n != 2 {
		return "", fmt.Errorf("the handler ran %d times, want 2 (suspended, then woken)", n)
	}
	return fmt.Sprintf("the handler suspended on %q, the signal woke it and the re-run completed with its payload", signal), nil
}

// awaitStatus polls the action until it has status want, within ctx's deadline.
func awaitStatus(ctx context.Context, client *actionq.Client, id int64, want actionqv1.ActionStatus) error {
	for {
		resp, err := client.GetAction(ctx, &actionqv1.GetActionRequest{Id: id})
		if err != nil {
			return fmt.Errorf("get action %d: %w", id, err)
		}
		if resp.GetAction().GetStatus() == want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("action %d is %s, never became %s", id, resp.GetAction().GetStatus(), want)
		case <-time.After(20 * time.Millisecond): // poll interval
		}
	}
}
