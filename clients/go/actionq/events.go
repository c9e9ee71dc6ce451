package actionq

import (
	"context"
	"errors"
	"io"
	"time"

	"google.golang.org/protobuf/proto"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// FollowEvents streams the event log to handle and resumes after every
// disconnect: it calls WatchEvents with req and, whenever the stream breaks
// or ends (the server unavailable or draining, or closing a stream that fell
// too far behind: ErrWatcherTooSlow), calls it again after the last cursor
// the server gave, so handle sees each event once, in order.
// Cursors are opaque: it never compares them, it only passes the latest on.
// It returns nil once ctx ends, handle's error as soon as handle fails, and
// the *Error of a watch the server refuses (e.g. INVALID_ARGUMENT). req is
// not modified.
func (c *Client) FollowEvents(ctx context.Context, req *actionqv1.WatchEventsRequest, handle func(*Event) error) error {
	req = proto.Clone(req).(*actionqv1.WatchEventsRequest)
	backoff := newBackoff(100*time.Millisecond, 5*time.Second)
	for {
		err := c.followOnce(ctx, req, handle, backoff)
		var stop handlerError
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &stop):
			return stop.err
		case err != io.EOF && !retryable(err):
			return err
		}
		if !sleep(ctx, backoff.next()) {
			return nil
		}
	}
}

// followOnce reads one WatchEvents stream until it fails, moving
// req.AfterCursor past each message handled.
func (c *Client) followOnce(ctx context.Context, req *actionqv1.WatchEventsRequest, handle func(*Event) error, backoff *backoff) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.WatchEvents(ctx, req)
	if err != nil {
		return err
	}
	for {
		msg, err := stream.Recv()
		if err != nil {
			return err
		}
		backoff.reset()
		for _, e := range msg.GetEvents() {
			if err := handle(EventOf(e)); err != nil {
				return handlerError{err}
			}
		}
		if cursor := msg.GetCursor(); cursor != "" {
			// From here on, resume after the cursor, not from the end.
			req.AfterCursor, req.FromEnd = cursor, false
		}
	}
}

// handlerError carries the error of FollowEvents' handle out of the stream loop.
type handlerError struct{ err error }

func (e handlerError) Error() string { return e.err.Error() }
