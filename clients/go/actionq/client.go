// Package actionq is the Go client of actionq: a connection to the
// ActionQueueService with sensible defaults, typed errors, retry-safe
// Enqueue, JSON payloads as json.RawMessage, and a Worker that claims
// actions, keeps their leases alive and reports how they ended.
//
// The generated stubs live in actionq.dev/go/actionq/v1 (package actionqv1);
// Client embeds the generated client, so every RPC is a method of Client.
package actionq

import (
	"context"
	"crypto/tls"
	"os"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// DefaultAddress is where the client connects when neither Config.Address
// nor ACTIONQ_SERVER says otherwise.
const DefaultAddress = "127.0.0.1:50051"

// DefaultTimeout is the deadline given to a unary call whose context has none.
const DefaultTimeout = 10 * time.Second

// DefaultEnqueueAttempts is how many calls one Enqueue makes at most while
// the server is unavailable.
const DefaultEnqueueAttempts = 4

// Config says how to reach the server. The zero value connects to
// ACTIONQ_SERVER (else DefaultAddress) with the security the environment
// gives: ACTIONQ_TOKEN, ACTIONQ_CA_FILE, ACTIONQ_CLIENT_CERT and
// ACTIONQ_CLIENT_KEY, ACTIONQ_TLS=true; with none of them, in plaintext
// without a token. A field that is set wins over its variable.
type Config struct {
	// Address is host:port; empty means ACTIONQ_SERVER, else DefaultAddress.
	Address string
	// TLS turns transport security on (with the system's roots unless CAFile
	// or TLSConfig says otherwise); so do CAFile, CertFile and TLSConfig.
	// Empty: ACTIONQ_TLS=true (or 1, yes, on).
	TLS bool
	// CAFile is a PEM file of the roots to trust instead of the system's.
	// Empty: ACTIONQ_CA_FILE.
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and its key, for
	// mutual TLS. Both empty: ACTIONQ_CLIENT_CERT and ACTIONQ_CLIENT_KEY.
	CertFile, KeyFile string
	// TLSConfig refines TLS (it is cloned; CAFile and CertFile add to it).
	TLSConfig *tls.Config
	// Token, when set, is sent as "authorization: Bearer <Token>" on every
	// call. Empty: ACTIONQ_TOKEN. Over plaintext it is sent only to a
	// loopback address: New refuses otherwise, unless InsecureToken.
	Token string
	// InsecureToken allows a token over plaintext to any address (a trusted
	// private network); it travels readable by anyone on the path.
	InsecureToken bool
	// NoEnv ignores the ACTIONQ_* variables: only the fields count
	// (ACTIONQ_SERVER included).
	NoEnv bool
	// Timeout is the deadline of a unary call whose context has none; 0 means
	// DefaultTimeout. Claim gets its long-poll wait on top of it. Streams get none.
	Timeout time.Duration
	// EnqueueAttempts is how many calls one Enqueue makes at most while the
	// server is unavailable; 0 means DefaultEnqueueAttempts, 1 no retry.
	EnqueueAttempts int
	// DialOptions are appended to the ones Config implies.
	DialOptions []grpc.DialOption
}

// Client is a connection to the ActionQueueService. Its methods are the RPCs
// of the generated ActionQueueServiceClient, with Enqueue made safe to retry;
// every failed call returns an *Error. It is safe for concurrent use.
type Client struct {
	actionqv1.ActionQueueServiceClient
	conn            *grpc.ClientConn
	enqueueAttempts int
}

// New connects lazily: the first call dials the server. It fails at once
// when the TLS files cannot be read or a token would go in plaintext to an
// address that is not loopback.
func New(cfg Config) (*Client, error) {
	opts, err := cfg.dialOptions()
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(cfg.address(), opts...)
	if err != nil {
		return nil, err
	}
	attempts := cfg.EnqueueAttempts
	if attempts <= 0 {
		attempts = DefaultEnqueueAttempts
	}
	return &Client{ActionQueueServiceClient: actionqv1.NewActionQueueServiceClient(conn), conn: conn, enqueueAttempts: attempts}, nil
}

// Enqueue stores req's actions, all or none, and is safe to retry: it sends
// req.RequestId, or a fresh UUID when that is empty, and when a call fails
// with UNAVAILABLE or runs out of its own deadline while ctx is still alive,
// it calls again with the same request id (Config.EnqueueAttempts calls at
// most, 100 ms to 1 s apart). The server answers a repeat with the first
// call's outcome (resp.Replayed) instead of storing the actions twice.
// When ctx carries a valid OpenTelemetry span, each action without a
// TraceContext of its own is sent with that span's (see the package's
// tracing notes in README.md), so the worker continues the trace.
// req itself is not modified.
func (c *Client) Enqueue(ctx context.Context, req *actionqv1.EnqueueRequest, opts ...grpc.CallOption) (*actionqv1.EnqueueResponse, error) {
	if req.GetRequestId() == "" {
		req = withRequestID(req, NewRequestID())
	}
	req = withTraceContext(ctx, req)
	backoff := newBackoff(100*time.Millisecond, time.Second)
	for attempt := 1; ; attempt++ {
		resp, err := c.ActionQueueServiceClient.Enqueue(ctx, req, opts...)
		if err == nil || attempt >= c.enqueueAttempts || !enqueueRetryable(ctx, err) || !sleep(ctx, backoff.next()) {
			return resp, err
		}
	}
}

// Wait returns the actions named by ids, in the order of ids, as soon as
// every one is in a terminal status (completed, failed, rejected,
// cancelled). It waits at most timeout (up to 1 h); past it the error is
// ErrWaitTimeout (DEADLINE_EXCEEDED, reason WAIT_TIMEOUT). Without a
// deadline on ctx the call's own deadline is timeout plus Config.Timeout,
// so the server's answer arrives first. A timeout of 0 waits up to the
// call's deadline: ctx's, else Config.Timeout. An unknown id is
// ErrActionNotFound.
func (c *Client) Wait(ctx context.Context, ids []int64, timeout time.Duration) ([]*Action, error) {
	req := &actionqv1.WaitActionRequest{Ids: ids}
	if timeout > 0 {
		req.Timeout = durationpb.New(timeout)
	}
	resp, err := c.WaitAction(ctx, req)
	if err != nil {
		return nil, err
	}
	actions := make([]*Action, len(resp.GetActions()))
	for i, a := range resp.GetActions() {
		actions[i] = ActionOf(a)
	}
	return actions, nil
}

// RetryActions puts the dead actions named by ids (failed, rejected or
// cancelled) back to pending with fresh attempts and returns their ids. If
// any one is not dead, none is retried: ErrIllegalTransition. To retry by
// filter (all failed actions of a type, a queue…) call Retry with a
// RetryRequest, again while its response says More.
func (c *Client) RetryActions(ctx context.Context, ids ...int64) ([]int64, error) {
	resp, err := c.Retry(ctx, &actionqv1.RetryRequest{Ids: ids})
	if err != nil {
		return nil, err
	}
	return resp.GetRetriedIds(), nil
}

// FixedBackoff is a retry policy for NewAction.Backoff (or UpdateQueue):
// every retry waits delay.
func FixedBackoff(delay time.Duration) *actionqv1.Backoff {
	return &actionqv1.Backoff{Strategy: actionqv1.BackoffStrategy_BACKOFF_STRATEGY_FIXED, Base: durationpb.New(delay)}
}

// ExponentialBackoff is a retry policy for NewAction.Backoff (or
// UpdateQueue): the retry after attempt n waits base * 2^(n-1), at most
// ceiling, less a random fraction of up to jitter (0 to 1) of it.
func ExponentialBackoff(base, ceiling time.Duration, jitter float64) *actionqv1.Backoff {
	return &actionqv1.Backoff{
		Strategy: actionqv1.BackoffStrategy_BACKOFF_STRATEGY_EXPONENTIAL,
		Base:     durationpb.New(base), Max: durationpb.New(ceiling), Jitter: jitter,
	}
}

// NewRequestID is a fresh Enqueue request id (a random UUID), for callers
// that keep their own to retry a call later.
func NewRequestID() string { return uuid.NewString() }

// enqueueRetryable says whether a failed Enqueue may have been lost on its
// way, so that repeating it with its request id is worth it.
func enqueueRetryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded:
		return true
	}
	return false
}

// withRequestID is a shallow copy of req with request_id set: the actions
// are shared, not copied, however many there are.
func withRequestID(req *actionqv1.EnqueueRequest, id string) *actionqv1.EnqueueRequest {
	out := shallowCopy(req)
	out.RequestId = id
	return out
}

// shallowCopy is a new message whose fields are m's: a message, list or map
// field is shared with m, not copied.
func shallowCopy[M proto.Message](m M) M {
	src := m.ProtoReflect()
	dst := src.New()
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
	return dst.Interface().(M)
}

// Conn is the underlying connection, e.g. for the health-checking client.
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Close closes the connection; calls in flight fail with Canceled.
func (c *Client) Close() error { return c.conn.Close() }

func (cfg Config) address() string {
	if cfg.Address != "" {
		return cfg.Address
	}
	if env := os.Getenv("ACTIONQ_SERVER"); env != "" && !cfg.NoEnv {
		return env
	}
	return DefaultAddress
}

func (cfg Config) dialOptions() ([]grpc.DialOption, error) {
	sec, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(sec.transport()),
		grpc.WithChainUnaryInterceptor(typedErrors, deadlineInterceptor(timeout), traceUnary),
		grpc.WithChainStreamInterceptor(typedStreamErrors, traceStream),
	}
	if sec.token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearerToken{sec.token, sec.plaintext}))
	}
	return append(opts, cfg.DialOptions...), nil
}

// deadlineInterceptor gives a unary call without a deadline the default one;
// a long-polling Claim gets its wait on top, and WaitAction its timeout, so
// the server's answer ("no work", WAIT_TIMEOUT) arrives before the client
// gives up.
func deadlineInterceptor(timeout time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if _, ok := ctx.Deadline(); !ok {
			d := timeout
			switch req := req.(type) {
			case *actionqv1.ClaimRequest:
				d += req.GetWait().AsDuration()
			case *actionqv1.WaitActionRequest:
				d += req.GetTimeout().AsDuration()
			}
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}
