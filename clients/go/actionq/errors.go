package actionq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// ErrorDomain is the google.rpc.ErrorInfo domain of actionq's errors.
const ErrorDomain = "actionq.dev"

// Error is a failed call as actionq reports it: the gRPC status code, the
// stable reason of its google.rpc.ErrorInfo, and the details a program may
// branch on. Every call through a Client fails with an *Error, so
// errors.Is(err, ErrStaleLease) and errors.As(err, &e) work on it, and so
// do status.Code and status.Convert (it carries the original status).
type Error struct {
	// Code is the gRPC status code.
	Code codes.Code
	// Reason is the ErrorInfo reason, e.g. "STALE_LEASE"; empty when the
	// status carried none (a channel error, no server). A reason this
	// client does not know is kept as sent: branch on Code then.
	Reason string
	// Message is the status message, for people; never branch on it.
	Message string
	// Field is the request field at fault, when the server named one.
	Field string
	// Metadata is the ErrorInfo metadata (e.g. "field", "action_id").
	Metadata map[string]string
	// RetryDelay is google.rpc.RetryInfo's delay (RESOURCE_EXHAUSTED); 0 when absent.
	RetryDelay time.Duration

	status *status.Status
}

func (e *Error) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("actionq: %s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("actionq: %s %s: %s", e.Code, e.Reason, e.Message)
}

// Is makes errors.Is(err, ErrStaleLease) and its kin true for every *Error
// with that reason: two errors are the same kind when their reasons are.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason != "" && t.Reason == e.Reason
}

// GRPCStatus is the status the error came from (or one made of Code and
// Message), so status.Code(err) and status.Convert(err) keep working.
func (e *Error) GRPCStatus() *status.Status {
	if e.status != nil {
		return e.status
	}
	return status.New(e.Code, e.Message)
}

// Sentinel errors, one per ErrorReason of errors.proto, for errors.Is.
var (
	ErrInvalidField        = sentinel(actionqv1.ErrorReason_ERROR_REASON_INVALID_FIELD, codes.InvalidArgument)
	ErrMalformedRequest    = sentinel(actionqv1.ErrorReason_ERROR_REASON_MALFORMED_REQUEST, codes.InvalidArgument)
	ErrActionNotFound      = sentinel(actionqv1.ErrorReason_ERROR_REASON_ACTION_NOT_FOUND, codes.NotFound)
	ErrParentNotFound      = sentinel(actionqv1.ErrorReason_ERROR_REASON_PARENT_NOT_FOUND, codes.NotFound)
	ErrIllegalTransition   = sentinel(actionqv1.ErrorReason_ERROR_REASON_ILLEGAL_TRANSITION, codes.FailedPrecondition)
	ErrStaleLease          = sentinel(actionqv1.ErrorReason_ERROR_REASON_STALE_LEASE, codes.FailedPrecondition)
	ErrChainTooDeep        = sentinel(actionqv1.ErrorReason_ERROR_REASON_CHAIN_TOO_DEEP, codes.FailedPrecondition)
	ErrRateLimited         = sentinel(actionqv1.ErrorReason_ERROR_REASON_RATE_LIMITED, codes.ResourceExhausted)
	ErrConcurrentChange    = sentinel(actionqv1.ErrorReason_ERROR_REASON_CONCURRENT_CHANGE, codes.Aborted)
	ErrRequestIDReused     = sentinel(actionqv1.ErrorReason_ERROR_REASON_REQUEST_ID_REUSED, codes.AlreadyExists)
	ErrDatabaseUnavailable = sentinel(actionqv1.ErrorReason_ERROR_REASON_DATABASE_UNAVAILABLE, codes.Unavailable)
	ErrShuttingDown        = sentinel(actionqv1.ErrorReason_ERROR_REASON_SHUTTING_DOWN, codes.Unavailable)
	ErrInternal            = sentinel(actionqv1.ErrorReason_ERROR_REASON_INTERNAL, codes.Internal)
	// ErrIdempotencyKeyConflict: the key names a stored action that differs
	// from this one (Metadata["action_id"] names it).
	ErrIdempotencyKeyConflict = sentinel(actionqv1.ErrorReason_ERROR_REASON_IDEMPOTENCY_KEY_CONFLICT, codes.AlreadyExists)
	ErrQueueNotFound          = sentinel(actionqv1.ErrorReason_ERROR_REASON_QUEUE_NOT_FOUND, codes.FailedPrecondition)
	// ErrCursorExpired: the cursor points into the part of the event log
	// that retention dropped; Metadata["oldest_cursor"] is where to resume.
	ErrCursorExpired = sentinel(actionqv1.ErrorReason_ERROR_REASON_CURSOR_EXPIRED, codes.OutOfRange)
	// ErrWaitTimeout: WaitAction's timeout passed before every action finished.
	ErrWaitTimeout = sentinel(actionqv1.ErrorReason_ERROR_REASON_WAIT_TIMEOUT, codes.DeadlineExceeded)
	// ErrScheduleNotFound: no schedule has that name.
	ErrScheduleNotFound = sentinel(actionqv1.ErrorReason_ERROR_REASON_SCHEDULE_NOT_FOUND, codes.NotFound)
	// ErrScheduleExists: CreateSchedule without replace names an existing schedule.
	ErrScheduleExists = sentinel(actionqv1.ErrorReason_ERROR_REASON_SCHEDULE_EXISTS, codes.AlreadyExists)
	// ErrDependencyCycle: a workflow's depends_on form a cycle.
	ErrDependencyCycle = sentinel(actionqv1.ErrorReason_ERROR_REASON_DEPENDENCY_CYCLE, codes.InvalidArgument)
	// ErrDependencyNotFound: a dependency does not exist or is not in the
	// action's workflow (INVALID_ARGUMENT or FAILED_PRECONDITION).
	ErrDependencyNotFound = sentinel(actionqv1.ErrorReason_ERROR_REASON_DEPENDENCY_NOT_FOUND, codes.InvalidArgument)
	// ErrDependencyFailed: a dependency already ended failed, rejected or cancelled.
	ErrDependencyFailed = sentinel(actionqv1.ErrorReason_ERROR_REASON_DEPENDENCY_FAILED, codes.FailedPrecondition)
	// ErrWorkflowNotFound: no action has this workflow id.
	ErrWorkflowNotFound = sentinel(actionqv1.ErrorReason_ERROR_REASON_WORKFLOW_NOT_FOUND, codes.NotFound)
	// ErrUnauthenticated: no bearer token, or one that is unknown, malformed,
	// expired or revoked.
	ErrUnauthenticated = sentinel(actionqv1.ErrorReason_ERROR_REASON_UNAUTHENTICATED, codes.Unauthenticated)
	// ErrPermissionDenied: the token's role may not call this RPC, or the call
	// names an identity the token may not assert, or finishes another
	// worker's lease.
	ErrPermissionDenied = sentinel(actionqv1.ErrorReason_ERROR_REASON_PERMISSION_DENIED, codes.PermissionDenied)
	// ErrTokenNotFound: no token has this id.
	ErrTokenNotFound = sentinel(actionqv1.ErrorReason_ERROR_REASON_TOKEN_NOT_FOUND, codes.NotFound)
	// ErrLimitExceeded: a server limit on concurrent streams or long polls
	// (per connection or per principal) was reached; Metadata["limit"] names
	// the setting and Metadata["value"] its value.
	ErrLimitExceeded = sentinel(actionqv1.ErrorReason_ERROR_REASON_LIMIT_EXCEEDED, codes.ResourceExhausted)
	// ErrWatcherTooSlow: a WatchEvents stream whose reader fell too far behind
	// was closed; Metadata["cursor"] is the last event delivered, to resume
	// after. FollowEvents resumes by itself.
	ErrWatcherTooSlow = sentinel(actionqv1.ErrorReason_ERROR_REASON_WATCHER_TOO_SLOW, codes.ResourceExhausted)
)

// sentinel is the *Error that stands for every error of reason r.
func sentinel(r actionqv1.ErrorReason, c codes.Code) *Error {
	name := ReasonName(r)
	return &Error{Code: c, Reason: name, Message: strings.ToLower(strings.ReplaceAll(name, "_", " "))}
}

// ReasonName is the ErrorInfo reason of an ErrorReason value: its name
// without the "ERROR_REASON_" prefix, e.g. "STALE_LEASE".
func ReasonName(r actionqv1.ErrorReason) string {
	return strings.TrimPrefix(r.String(), "ERROR_REASON_")
}

// AsError is err as an *Error: itself when it is one, else parsed from its
// gRPC status (a non-status error becomes codes.Unknown with its text).
// It is nil for nil. Errors of the generated client used directly, without
// a Client, can be read this way.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	s, _ := status.FromError(err)
	return fromStatus(s)
}

func fromStatus(s *status.Status) *Error {
	e := &Error{Code: s.Code(), Message: s.Message(), status: s}
	for _, d := range s.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			if d.GetDomain() == ErrorDomain && e.Reason == "" {
				e.Reason, e.Metadata = d.GetReason(), d.GetMetadata()
				if f := e.Metadata["field"]; f != "" {
					e.Field = f
				}
			}
		case *errdetails.BadRequest:
			if v := d.GetFieldViolations(); len(v) > 0 && e.Field == "" {
				e.Field = v[0].GetField()
			}
		case *errdetails.RetryInfo:
			e.RetryDelay = d.GetRetryDelay().AsDuration()
		}
	}
	return e
}

// itemError is the *Error of one refused item of CompleteMany.
func itemError(f *actionqv1.ItemFailure) *Error {
	return &Error{
		Code: codeNamed(f.GetCode()), Reason: f.GetReason(), Message: f.GetMessage(),
		Metadata: map[string]string{"action_id": fmt.Sprint(f.GetId())},
	}
}

// codeNamed is the gRPC code of an ItemFailure's code name, such as
// "FAILED_PRECONDITION"; codes.Unknown when the name is not one.
func codeNamed(name string) codes.Code {
	var c codes.Code
	if c.UnmarshalJSON([]byte(strconv.Quote(name))) != nil {
		return codes.Unknown
	}
	return c
}

// typedErrors makes every failed unary call return an *Error.
func typedErrors(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if err := invoker(ctx, method, req, reply, cc, opts...); err != nil {
		return AsError(err)
	}
	return nil
}

// typedStreamErrors makes every stream's failures *Errors (io.EOF, the
// clean end of a stream, stays as it is).
func typedStreamErrors(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		return nil, AsError(err)
	}
	return typedStream{s}, nil
}

type typedStream struct{ grpc.ClientStream }

func (s typedStream) RecvMsg(m any) error { return streamError(s.ClientStream.RecvMsg(m)) }
func (s typedStream) SendMsg(m any) error { return streamError(s.ClientStream.SendMsg(m)) }

func streamError(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return AsError(err)
}
