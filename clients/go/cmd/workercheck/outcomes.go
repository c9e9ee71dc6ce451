package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

// The outcomes check: one action per way a handler can end besides
// completing plainly, each with attempts to spare (max_attempts 3), so that
// only the outcome asked for can explain where it ends.
const (
	outcomeReject   = "reject"
	outcomeNoRetry  = "no-retry"
	outcomeRetryIn  = "retry-in"
	outcomeProgress = "progress"

	rejectValidator = "workercheck"
	rejectReason    = "workercheck: refused on purpose"
	noRetryReason   = "workercheck: permanent"
	retryInReason   = "workercheck: try later"
	retryDelay      = time.Hour
	// maxClockGap bounds run_after - (updated_at + retryDelay): both are the
	// database's clock in one transaction, so only rounding separates them.
	maxClockGap = 2 * time.Second
)

var outcomes = []string{outcomeReject, outcomeNoRetry, outcomeRetryIn, outcomeProgress}

// progressReport is what the progress action's handler reports; big does
// not fit a float64.
var progressReport = map[string]any{"done": 2, "of": 3, "big": json.Number("9007199254740993")}

// checkOutcomes runs a Worker over one action per outcome and checks through
// the API that each ended as its handler asked: rejected; failed at once
// (no retry); pending again at now + 1 h on its first attempt (retry delay),
// with an action_retry_scheduled event; completed with its progress stored
// (seen while the handler still ran) and an action_progress event.
func checkOutcomes(ctx context.Context, client *actionq.Client, project, createdBy string) (string, error) {
	actionType := "conformance.outcomes." + randomHex(4)
	req := &actionqv1.EnqueueRequest{}
	for _, o := range outcomes {
		req.Actions = append(req.Actions, &actionqv1.NewAction{
			ActionType: actionType, Project: project, CreatedBy: createdBy, TargetRef: o, MaxAttempts: 3,
		})
	}
	resp, err := client.Enqueue(ctx, req)
	if err != nil {
		return "", fmt.Errorf("enqueue: %w", err)
	}
	ids := map[string]int64{}
	for i, e := range resp.GetActions() {
		ids[outcomes[i]] = e.GetAction().GetId()
	}
	runs, problems, err := runOutcomes(ctx, client, actionType, project, ids)
	if err != nil {
		return "", err
	}
	for _, o := range outcomes {
		if n := runs[ids[o]]; n != 1 {
			problems = append(problems, fmt.Sprintf("the handler ran %d times on the %s action", n, o))
		}
	}

	// Wait returns the three that ended; the retried one is pending for an hour.
	done := []int64{ids[outcomeReject], ids[outcomeNoRetry], ids[outcomeProgress]}
	ended, err := client.Wait(ctx, done, 10*time.Second)
	if err != nil {
		return "", fmt.Errorf("wait for %v: %w", done, err)
	}
	got := map[string]*actionq.Action{}
	for i, a := range ended {
		got[[]string{outcomeReject, outcomeNoRetry, outcomeProgress}[i]] = a
	}
	retried, err := client.GetAction(ctx, &actionqv1.GetActionRequest{Id: ids[outcomeRetryIn]})
	if err != nil {
		return "", fmt.Errorf("get the retried action: %w", err)
	}
	got[outcomeRetryIn] = actionq.ActionOf(retried.GetAction())
	problems = append(problems, verifyOutcomes(got)...)
	for _, e := range []struct {
		outcome, eventType string
	}{{outcomeRetryIn, "action_retry_scheduled"}, {outcomeProgress, "action_progress"}} {
		if n, err := countEvents(ctx, client, ids[e.outcome], e.eventType); err != nil {
			return "", err
		} else if n != 1 {
			problems = append(problems, fmt.Sprintf("the %s action has %d %s events, want 1", e.outcome, n, e.eventType))
		}
	}
	// The retry is an hour away: cancel it rather than leave it behind.
	if _, err := client.Cancel(ctx, &actionqv1.CancelRequest{Id: ids[outcomeRetryIn], Reason: "workercheck: done with it"}); err != nil {
		return "", fmt.Errorf("cancel the retried action: %w", err)
	}
	if len(problems) > 0 {
		return "", errors.New(strings.Join(problems, "; "))
	}
	return fmt.Sprintf("rejected, failed without retry, retried in %v and progress seen on %s", retryDelay, actionType), nil
}

// runOutcomes runs a Worker until its handler has seen every action once
// and stops it; it returns how often the handler ran on each action and
// what the progress handler found wrong.
func runOutcomes(ctx context.Context, client *actionq.Client, actionType, project string, ids map[string]int64) (map[int64]int, []string, error) {
	var mu sync.Mutex
	runs := map[int64]int{}
	var problems []string
	allHandled := make(chan struct{})
	var once sync.Once
	w := &actionq.Worker{
		Client: client, Name: "conformance-go-outcomes", ActionTypes: []string{actionType}, Project: project,
		Concurrency: len(outcomes), Wait: time.Second,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Handler: func(ctx context.Context, a *actionq.Action) (actionq.Result, error) {
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				runs[a.GetId()]++
				if len(runs) >= len(outcomes) {
					once.Do(func() { close(allHandled) })
				}
			}()
			switch a.GetTargetRef() {
			case outcomeReject:
				return actionq.Result{}, actionq.Reject(rejectValidator, rejectReason)
			case outcomeNoRetry:
				return actionq.Result{}, actionq.NoRetry(errors.New(noRetryReason))
			case outcomeRetryIn:
				return actionq.Result{}, actionq.RetryIn(retryDelay, errors.New(retryInReason))
			case outcomeProgress:
				if problem := reportProgress(ctx, client, a); problem != "" {
					mu.Lock()
					problems = append(problems, problem)
					mu.Unlock()
				}
				return actionq.Result{Ref: "done:progress"}, nil
			}
			return actionq.Result{}, actionq.NoRetry(fmt.Errorf("unexpected action %q", a.GetTargetRef()))
		},
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	select {
	case <-allHandled:
	case err := <-done:
		return nil, nil, fmt.Errorf("the outcomes worker stopped before handling every action: %v", err)
	case <-ctx.Done():
		return nil, nil, errors.New("the outcomes worker did not handle every action in time")
	}
	stop()
	if err := <-done; err != nil {
		return nil, nil, fmt.Errorf("outcomes worker: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return runs, problems, nil
}

// reportProgress reports progress from the handler and reads the action
// back while it is still claimed: the progress must be on it already.
func reportProgress(ctx context.Context, client *actionq.Client, a *actionq.Action) string {
	if err := a.ReportProgress(ctx, progressReport); err != nil {
		return fmt.Sprintf("ReportProgress: %v", err)
	}
	resp, err := client.GetAction(ctx, &actionqv1.GetActionRequest{Id: a.GetId()})
	if err != nil {
		return fmt.Sprintf("get the action in progress: %v", err)
	}
	now := actionq.ActionOf(resp.GetAction())
	if now.GetStatus() != actionqv1.ActionStatus_ACTION_STATUS_CLAIMED || !sameProgress(now) {
		return fmt.Sprintf("while its handler ran the action was %s with progress %s, want claimed with %v", now.GetStatus(), now.Progress, progressReport)
	}
	return ""
}

func sameProgress(a *actionq.Action) bool {
	var p map[string]any
	return a.DecodeProgress(&p) == nil && len(p) == 3 &&
		p["done"] == json.Number("2") && p["of"] == json.Number("3") && p["big"] == json.Number("9007199254740993")
}

// verifyOutcomes says what is wrong with the actions as they ended.
func verifyOutcomes(got map[string]*actionq.Action) []string {
	var problems []string
	bad := func(o string, a *actionq.Action, want string) {
		problems = append(problems, fmt.Sprintf("the %s action is %s (attempt %d, reason %q, run_after %v), want %s",
			o, a.GetStatus(), a.GetAttempt(), a.GetFailureReason(), a.GetRunAfter().AsTime(), want))
	}
	if a := got[outcomeReject]; a.GetStatus() != actionqv1.ActionStatus_ACTION_STATUS_REJECTED ||
		a.GetRejectedBy() != rejectValidator || a.GetFailureReason() != rejectReason || a.GetAttempt() != 1 {
		bad(outcomeReject, a, "rejected by "+rejectValidator+" on attempt 1")
	}
	if a := got[outcomeNoRetry]; a.GetStatus() != actionqv1.ActionStatus_ACTION_STATUS_FAILED ||
		a.GetFailureReason() != noRetryReason || a.GetAttempt() != 1 {
		bad(outcomeNoRetry, a, "failed on attempt 1 of 3")
	}
	a := got[outcomeRetryIn]
	gap := a.GetRunAfter().AsTime().Sub(a.GetUpdatedAt().AsTime().Add(retryDelay)).Abs()
	if a.GetStatus() != actionqv1.ActionStatus_ACTION_STATUS_PENDING || a.GetAttempt() != 1 ||
		a.GetFailureReason() != retryInReason || gap > maxClockGap {
		bad(outcomeRetryIn, a, fmt.Sprintf("pending after attempt 1 with run_after %v after its update (off by %v)", retryDelay, gap))
	}
	if a := got[outcomeProgress]; a.GetStatus() != actionqv1.ActionStatus_ACTION_STATUS_COMPLETED || !sameProgress(a) {
		bad(outcomeProgress, a, fmt.Sprintf("completed with progress %v (has %s)", progressReport, a.Progress))
	}
	return problems
}

// countEvents counts the events of one type of an action.
func countEvents(ctx context.Context, client *actionq.Client, id int64, eventType string) (int, error) {
	req := &actionqv1.ListEventsRequest{ActionIds: []int64{id}, EventTypes: []string{eventType}, PageSize: 1000}
	n := 0
	for {
		resp, err := client.ListEvents(ctx, req)
		if err != nil {
			return 0, fmt.Errorf("list events of %d: %w", id, err)
		}
		n += len(resp.GetEvents())
		if len(resp.GetEvents()) == 0 || resp.GetNextCursor() == "" {
			return n, nil
		}
		req.AfterCursor = resp.GetNextCursor()
	}
}
