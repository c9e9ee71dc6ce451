package actionq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// statusError is the error the server sends: code, message and details.
func statusError(c codes.Code, msg string, details ...protoadapt.MessageV1) error {
	s, err := status.New(c, msg).WithDetails(details...)
	if err != nil {
		panic(err)
	}
	return s.Err()
}

func info(reason string, metadata map[string]string) *errdetails.ErrorInfo {
	return &errdetails.ErrorInfo{Domain: ErrorDomain, Reason: reason, Metadata: metadata}
}

func staleLease() error {
	return statusError(codes.FailedPrecondition, "lease token does not match", info("STALE_LEASE", map[string]string{"action_id": "7"}))
}

func TestAsErrorReadsTheStatusDetails(t *testing.T) {
	err := statusError(codes.InvalidArgument, "actions[0].action_type: must not be empty",
		info("INVALID_FIELD", map[string]string{"field": "actions[0].action_type"}),
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "actions[0].action_type", Description: "must not be empty"}}})
	e := AsError(err)
	if e.Code != codes.InvalidArgument || e.Reason != "INVALID_FIELD" || e.Field != "actions[0].action_type" || e.Message != "actions[0].action_type: must not be empty" {
		t.Errorf("AsError = %#v", e)
	}
	if !errors.Is(e, ErrInvalidField) || errors.Is(e, ErrMalformedRequest) {
		t.Errorf("errors.Is matched the wrong sentinels for %v", e)
	}
	if status.Code(e) != codes.InvalidArgument || len(status.Convert(e).Details()) != 2 {
		t.Errorf("status.Convert(%v) lost the status", e)
	}
	if want := "actionq: InvalidArgument INVALID_FIELD: actions[0].action_type: must not be empty"; e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}

func TestAsErrorFieldFromBadRequestAlone(t *testing.T) {
	err := statusError(codes.InvalidArgument, "bad",
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "lease"}}})
	if e := AsError(err); e.Field != "lease" || e.Reason != "" {
		t.Errorf("AsError = %#v, want field lease and no reason", e)
	}
}

func TestAsErrorReadsRetryInfo(t *testing.T) {
	err := statusError(codes.ResourceExhausted, "over the limit", info("RATE_LIMITED", nil),
		&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)})
	e := AsError(err)
	if !errors.Is(e, ErrRateLimited) || e.RetryDelay != 1500*time.Millisecond {
		t.Errorf("AsError = %#v, want RATE_LIMITED with a 1.5s retry delay", e)
	}
}

func TestAsErrorWithoutErrorInfo(t *testing.T) {
	e := AsError(status.Error(codes.Unavailable, "connection refused"))
	if e.Code != codes.Unavailable || e.Reason != "" || errors.Is(e, ErrDatabaseUnavailable) || errors.Is(e, ErrShuttingDown) {
		t.Errorf("AsError = %#v, want UNAVAILABLE with no reason and no sentinel", e)
	}
	if e.Error() != "actionq: Unavailable: connection refused" {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestAsErrorKeepsAnUnknownReasonAndIgnoresOtherDomains(t *testing.T) {
	other := &errdetails.ErrorInfo{Domain: "example.com", Reason: "STALE_LEASE"}
	e := AsError(statusError(codes.FailedPrecondition, "queue paused", other, info("QUEUE_PAUSED", nil)))
	if e.Code != codes.FailedPrecondition || e.Reason != "QUEUE_PAUSED" {
		t.Errorf("AsError = %#v, want the actionq.dev reason QUEUE_PAUSED", e)
	}
	for _, s := range sentinels() {
		if errors.Is(e, s) {
			t.Errorf("an unknown reason matched %v", s)
		}
	}
}

func TestAsErrorOfOtherErrors(t *testing.T) {
	if AsError(nil) != nil {
		t.Error("AsError(nil) is not nil")
	}
	if e := AsError(errors.New("boom")); e.Code != codes.Unknown || e.Message != "boom" {
		t.Errorf("AsError(boom) = %#v", e)
	}
	e := AsError(staleLease())
	if AsError(fmt.Errorf("wrapped: %w", e)) != e {
		t.Error("AsError of a wrapped *Error is not that *Error")
	}
	if !errors.Is(fmt.Errorf("complete 7: %w", e), ErrStaleLease) {
		t.Error("errors.Is does not see ErrStaleLease through a wrap")
	}
}

func sentinels() []*Error {
	return []*Error{
		ErrInvalidField, ErrMalformedRequest, ErrActionNotFound, ErrParentNotFound, ErrIllegalTransition,
		ErrStaleLease, ErrChainTooDeep, ErrRateLimited, ErrConcurrentChange, ErrRequestIDReused,
		ErrDatabaseUnavailable, ErrShuttingDown, ErrInternal, ErrIdempotencyKeyConflict, ErrQueueNotFound,
		ErrCursorExpired, ErrWaitTimeout, ErrScheduleNotFound, ErrScheduleExists,
		ErrDependencyCycle, ErrDependencyNotFound, ErrDependencyFailed, ErrWorkflowNotFound,
		ErrUnauthenticated, ErrPermissionDenied, ErrTokenNotFound, ErrLimitExceeded, ErrWatcherTooSlow,
	}
}

func TestOneSentinelPerErrorReason(t *testing.T) {
	byReason := map[string]*Error{}
	for _, s := range sentinels() {
		byReason[s.Reason] = s
	}
	for value := range actionqv1.ErrorReason_name {
		r := actionqv1.ErrorReason(value)
		if r == actionqv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
			continue
		}
		s := byReason[ReasonName(r)]
		if s == nil {
			t.Errorf("no sentinel for %s", r)
			continue
		}
		if !errors.Is(&Error{Code: s.Code, Reason: ReasonName(r)}, s) {
			t.Errorf("an error of reason %s is not %v", ReasonName(r), s)
		}
	}
	if len(byReason) != len(actionqv1.ErrorReason_name)-1 {
		t.Errorf("%d sentinels for %d reasons", len(byReason), len(actionqv1.ErrorReason_name)-1)
	}
}

func TestItemErrorOfCompleteMany(t *testing.T) {
	e := itemError(&actionqv1.ItemFailure{Id: 4, Code: "FAILED_PRECONDITION", Reason: "STALE_LEASE", Message: "lease token does not match"})
	if !errors.Is(e, ErrStaleLease) || status.Code(e) != codes.FailedPrecondition || e.Metadata["action_id"] != "4" {
		t.Errorf("itemError = %#v", e)
	}
}

// failingService answers every call with err.
type failingService struct {
	actionqv1.UnimplementedActionQueueServiceServer
	err error
}

func (f *failingService) GetAction(context.Context, *actionqv1.GetActionRequest) (*actionqv1.GetActionResponse, error) {
	return nil, f.err
}

func (f *failingService) WatchEvents(_ *actionqv1.WatchEventsRequest, stream actionqv1.ActionQueueService_WatchEventsServer) error {
	if err := stream.Send(&actionqv1.WatchEventsResponse{Cursor: "c1"}); err != nil {
		return err
	}
	return f.err
}

func TestClientCallsFailWithTypedErrors(t *testing.T) {
	notFound := statusError(codes.NotFound, "action 9 not found", info("ACTION_NOT_FOUND", map[string]string{"action_id": "9"}))
	c := serve(t, &failingService{err: notFound}, Config{})
	ctx := context.Background()

	_, err := c.GetAction(ctx, &actionqv1.GetActionRequest{Id: 9})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrActionNotFound) || e.Metadata["action_id"] != "9" || status.Code(err) != codes.NotFound {
		t.Errorf("GetAction failed with %#v, want an *Error of ACTION_NOT_FOUND", err)
	}

	stream, err := c.WatchEvents(ctx, &actionqv1.WatchEventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); !errors.Is(err, ErrActionNotFound) {
		t.Errorf("the stream ended with %#v, want an *Error of ACTION_NOT_FOUND", err)
	}

	c = serve(t, &failingService{}, Config{})
	stream, err = c.WatchEvents(ctx, &actionqv1.WatchEventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = stream.Recv()
	if _, err := stream.Recv(); err != io.EOF {
		t.Errorf("a stream's clean end is %v, want io.EOF", err)
	}
}
