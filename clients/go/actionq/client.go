// Package actionq is the Go client of actionq: a connection to the
// ActionQueueService with sensible defaults, and a Worker that claims actions,
// keeps their leases alive and reports how they ended.
//
// The generated stubs live in actionq.dev/go/actionq/v1 (package actionqv1);
// Client embeds the generated client, so every RPC is a method of Client.
package actionq

import (
	"context"
	"crypto/tls"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// DefaultAddress is where the client connects when neither Config.Address
// nor ACTIONQ_SERVER says otherwise.
const DefaultAddress = "127.0.0.1:50051"

// DefaultTimeout is the deadline given to a unary call whose context has none.
const DefaultTimeout = 10 * time.Second

// Config says how to reach the server. The zero value connects in plaintext
// to ACTIONQ_SERVER, or DefaultAddress when that is unset.
type Config struct {
	// Address is host:port; empty means ACTIONQ_SERVER, else DefaultAddress.
	Address string
	// TLS turns transport security on; TLSConfig refines it (nil: system roots).
	TLS       bool
	TLSConfig *tls.Config
	// Token, when set, is sent as "authorization: Bearer <Token>" on every call.
	Token string
	// Timeout is the deadline of a unary call whose context has none; 0 means
	// DefaultTimeout. Claim gets its long-poll wait on top of it. Streams get none.
	Timeout time.Duration
	// DialOptions are appended to the ones Config implies.
	DialOptions []grpc.DialOption
}

// Client is a connection to the ActionQueueService. Its methods are the RPCs
// of the generated ActionQueueServiceClient; it is safe for concurrent use.
type Client struct {
	actionqv1.ActionQueueServiceClient
	conn *grpc.ClientConn
}

// New connects lazily: the first call dials the server.
func New(cfg Config) (*Client, error) {
	conn, err := grpc.NewClient(cfg.address(), cfg.dialOptions()...)
	if err != nil {
		return nil, err
	}
	return &Client{ActionQueueServiceClient: actionqv1.NewActionQueueServiceClient(conn), conn: conn}, nil
}

// Conn is the underlying connection, e.g. for the health-checking client.
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Close closes the connection; calls in flight fail with Canceled.
func (c *Client) Close() error { return c.conn.Close() }

func (cfg Config) address() string {
	if cfg.Address != "" {
		return cfg.Address
	}
	if env := os.Getenv("ACTIONQ_SERVER"); env != "" {
		return env
	}
	return DefaultAddress
}

func (cfg Config) dialOptions() []grpc.DialOption {
	transport := insecure.NewCredentials()
	if cfg.TLS || cfg.TLSConfig != nil {
		transport = credentials.NewTLS(cfg.TLSConfig)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(transport),
		grpc.WithUnaryInterceptor(deadlineInterceptor(timeout)),
	}
	if cfg.Token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearerToken(cfg.Token)))
	}
	return append(opts, cfg.DialOptions...)
}

// deadlineInterceptor gives a unary call without a deadline the default one;
// a long-polling Claim gets its wait on top, so the server's answer of "no
// work" arrives before the client gives up.
func deadlineInterceptor(timeout time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if _, ok := ctx.Deadline(); !ok {
			d := timeout
			if claim, ok := req.(*actionqv1.ClaimRequest); ok {
				d += claim.GetWait().AsDuration()
			}
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// bearerToken sends "authorization: Bearer <token>". It does not insist on
// TLS, so a token also reaches a plaintext server on a trusted network.
type bearerToken string

func (t bearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

func (bearerToken) RequireTransportSecurity() bool { return false }
