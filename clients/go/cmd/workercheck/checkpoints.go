package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

// checkpointStep is the step the first attempt saves; its state holds a
// number a float64 cannot.
const checkpointStep = "fetch"

var checkpointState = map[string]any{"n": json.Number("9007199254740993"), "etag": "x1"}

// checkCheckpoints runs a Worker over one action whose handler, on attempt
// 1, saves a checkpoint and fails with a retry delay of 0, and on attempt 2
// reads the checkpoint back and completes with a result made from it. It
// checks on the server that the action completed on attempt 2 with that
// result and that GetCheckpoints lists the step saved by attempt 1.
func checkCheckpoints(ctx context.Context, client *actionq.Client, project, createdBy string) (string, error) {
	actionType := "conformance.checkpoints." + randomHex(4)
	resp, err := client.Enqueue(ctx, &actionqv1.EnqueueRequest{Actions: []*actionqv1.NewAction{{
		ActionType: actionType, Project: project, CreatedBy: createdBy, TargetRef: "checkpointed", MaxAttempts: 3,
	}}})
	if err != nil {
		return "", fmt.Errorf("enqueue: %w", err)
	}
	id := resp.GetActions()[0].GetAction().GetId()
	problems := make(chan string, 4)
	w := &actionq.Worker{
		Client: client, Name: "conformance-go-checkpoints", ActionTypes: []string{actionType}, Project: project,
		Concurrency: 1, Wait: time.Second,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Handler: func(ctx context.Context, a *actionq.Action) (actionq.Result, error) {
			if a.GetAttempt() == 1 {
				if _, err := a.SaveCheckpoint(ctx, checkpointStep, checkpointState); err != nil {
					problems <- fmt.Sprintf("SaveCheckpoint on attempt 1: %v", err)
					return actionq.Result{}, actionq.NoRetry(err)
				}
				return actionq.Result{}, actionq.RetryIn(0, errors.New("workercheck: crash after the first step"))
			}
			cps, err := a.Checkpoints(ctx)
			if err != nil || len(cps) != 1 || cps[0].GetStep() != checkpointStep {
				problems <- fmt.Sprintf("attempt %d read checkpoints %v (%v), want the one step %s", a.GetAttempt(), cps, err, checkpointStep)
				return actionq.Result{}, actionq.NoRetry(errors.New("no checkpoint"))
			}
			var state map[string]any
			if err := cps[0].DecodeState(&state); err != nil {
				return actionq.Result{}, actionq.NoRetry(err)
			}
			return actionq.Result{Ref: "resumed", Data: map[string]any{"n": state["n"], "resumed_on": a.GetAttempt()}}, nil
		},
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	ended, waitErr := client.Wait(ctx, []int64{id}, 10*time.Second)
	stop()
	if err := <-done; err != nil {
		return "", fmt.Errorf("checkpoints worker: %w", err)
	}
	close(problems)
	for p := range problems {
		return "", errors.New(p)
	}
	if waitErr != nil {
		return "", fmt.Errorf("wait for the checkpointed action: %w", waitErr)
	}
	a := ended[0]
	var result map[string]any
	if err := a.DecodeResult(&result); err != nil {
		return "", fmt.Errorf("result %s: %w", a.Result, err)
	}
	if a.GetStatus() != actionqv1.ActionStatus_ACTION_STATUS_COMPLETED || a.GetAttempt() != 2 ||
		result["n"] != json.Number("9007199254740993") || result["resumed_on"] != json.Number("2") {
		return "", fmt.Errorf("the checkpointed action is %s on attempt %d with result %s, want completed on attempt 2 with n 9007199254740993",
			a.GetStatus(), a.GetAttempt(), a.Result)
	}
	cps, err := client.Checkpoints(ctx, id)
	if err != nil {
		return "", fmt.Errorf("GetCheckpoints: %w", err)
	}
	var state map[string]any
	if len(cps) != 1 || cps[0].GetStep() != checkpointStep || cps[0].GetAttempt() != 1 || cps[0].DecodeState(&state) != nil ||
		state["n"] != json.Number("9007199254740993") || state["etag"] != "x1" {
		return "", fmt.Errorf("GetCheckpoints lists %v, want step %s saved by attempt 1 with %v", cps, checkpointStep, checkpointState)
	}
	return fmt.Sprintf("attempt 1 saved %q, attempt 2 resumed from it and completed (%s)", checkpointStep, actionType), nil
}
