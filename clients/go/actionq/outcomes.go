package actionq

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// How a Handler ends an action. A nil error completes it with the Result.
// Any other error fails the attempt with the error's text as the reason:
// the server retries it after the action's backoff while attempts remain,
// else it ends failed. These wrap an error to end it otherwise:
//
//	return actionq.Result{}, actionq.Reject("schema", "no width")   // rejected, never retried
//	return actionq.Result{}, actionq.NoRetry(err)                   // failed now, attempts or not
//	return actionq.Result{}, actionq.RetryIn(30*time.Second, err)   // retried in 30 s, not after the backoff
//
// They are found with errors.As, so they may be wrapped further
// (fmt.Errorf("resize: %w", actionq.NoRetry(err)) still ends without retry).

// RejectError makes the Worker reject the action (never retried) instead of failing it.
type RejectError struct {
	Validator string
	Reason    string
}

func (e *RejectError) Error() string { return "rejected by " + e.Validator + ": " + e.Reason }

// Reject returns the error a Handler gives back when validator refuses the work.
func Reject(validator, reason string) error {
	return &RejectError{Validator: validator, Reason: reason}
}

// NoRetry marks err as not worth retrying: the Worker fails the action with
// no_retry, so it ends failed whatever attempts remain. NoRetry(nil) is nil.
func NoRetry(err error) error {
	if err == nil {
		return nil
	}
	return noRetryError{err}
}

// Permanent is NoRetry.
//
// Deprecated: use NoRetry, the name every actionq client uses.
func Permanent(err error) error { return NoRetry(err) }

// RetryIn fails the attempt with err and asks for the next one after delay
// instead of the action's backoff (0 retries at once; at most 30 days; a
// negative delay counts as 0). With no attempts left the action ends failed
// as usual. RetryIn(d, nil) is nil.
func RetryIn(delay time.Duration, err error) error {
	if err == nil {
		return nil
	}
	return retryInError{error: err, delay: max(delay, 0)}
}

type noRetryError struct{ error }

func (e noRetryError) Unwrap() error { return e.error }

type retryInError struct {
	error
	delay time.Duration
}

func (e retryInError) Unwrap() error { return e.error }

// failRequest is the Fail a handler's error asks for: no_retry for NoRetry,
// retry_delay for RetryIn (NoRetry wins when both wrap it).
func failRequest(id int64, token string, err error) *actionqv1.FailRequest {
	req := &actionqv1.FailRequest{Id: id, LeaseToken: token, Reason: failureReason(err)}
	var noRetry noRetryError
	var retryIn retryInError
	switch {
	case errors.As(err, &noRetry):
		req.NoRetry = true
	case errors.As(err, &retryIn):
		req.RetryDelay = durationpb.New(retryIn.delay)
	}
	return req
}

// failureReason is the error's text; Fail requires a non-empty reason.
func failureReason(err error) string {
	if msg := err.Error(); msg != "" {
		return msg
	}
	return fmt.Sprintf("%T", err)
}

// ErrNotFromWorker is what Action.ReportProgress, SaveCheckpoint and
// Checkpoints return for an action that a Worker did not hand to its handler
// (it holds no lease to report under).
var ErrNotFromWorker = errors.New("actionq: progress and checkpoints need an action a Worker handed to its handler")

// lease is what a handler's Action needs to report progress under its claim.
type lease struct {
	client *Client
	id     int64
	token  string
	length time.Duration
	// stop cancels the handler's context with a cause.
	stop context.CancelCauseFunc
	// sleeps counts the Sleep calls of this run of the handler, naming
	// their default steps.
	sleeps atomic.Int64
}

// ReportProgress records how far the handler got: one Heartbeat that
// carries progress as progress_json (any value EncodeJSON accepts that is a
// JSON object, e.g. map[string]any{"done": 3, "of": 10}) and extends the
// lease as the Worker's heartbeats do. The server stores it on the action
// (Action.ProgressJson, read with DecodeProgress) and logs an action_progress
// event for watchers; a nil progress only extends the lease. It returns once
// the server answered:
//
//   - ErrNotFromWorker for an action a Worker did not hand out;
//   - ErrActionCancelled when an operator cancelled the action (the
//     handler's context is cancelled with that cause, as by a heartbeat);
//   - the *Error of a refused heartbeat; when the lease is gone (e.g.
//     ErrStaleLease) the context is cancelled with ErrLeaseLost too.
func (a *Action) ReportProgress(ctx context.Context, progress any) error {
	if a.lease == nil {
		return ErrNotFromWorker
	}
	text, err := EncodeJSON(progress)
	if err != nil {
		return fmt.Errorf("actionq: progress: %w", err)
	}
	l := a.lease
	resp, err := l.client.Heartbeat(ctx, &actionqv1.HeartbeatRequest{
		Id: l.id, LeaseToken: l.token, Lease: durationpb.New(l.length), ProgressJson: text,
	})
	switch {
	case err == nil && resp.GetCancelled():
		l.stop(ErrActionCancelled)
		return ErrActionCancelled
	case err == nil:
		return nil
	case leaseGone(err):
		l.stop(fmt.Errorf("%w: %w", ErrLeaseLost, err))
	}
	return err
}

// leaseGone says whether a refused heartbeat means the action is no longer
// this worker's (finished, requeued, claimed by another, deleted).
func leaseGone(err error) bool {
	switch status.Code(err) {
	case codes.FailedPrecondition, codes.NotFound:
		return true
	}
	return false
}
