package actionq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// Defaults of a Worker's zero-valued fields.
const (
	DefaultLease               = 30 * time.Second
	DefaultWait                = 20 * time.Second
	DefaultCompleteBatchWindow = 2 * time.Millisecond
)

// The most actions one Claim may ask for, and the most completions one
// CompleteMany may carry.
const (
	maxClaimBatch    = 1000
	maxCompleteBatch = 1000
)

// The cause of a handler's cancelled context (see context.Cause).
var (
	// ErrActionCancelled: an operator cancelled the action while it ran.
	ErrActionCancelled = errors.New("actionq: action cancelled")
	// ErrLeaseLost: the server refused the lease; someone else may hold the action now.
	ErrLeaseLost = errors.New("actionq: lease lost")
	// ErrShutdown: the worker stopped and its ShutdownGrace ran out.
	ErrShutdown = errors.New("actionq: worker shut down")
)

// Result is what a successful handler reports: Complete's result_ref and result.
type Result struct {
	// Ref is the result_ref, a reference to the outcome.
	Ref string
	// Data becomes result_json: any value encoding/json accepts (a JSON
	// object: a map, a struct, a json.RawMessage), encoded by EncodeJSON;
	// nil means no result. A Data that does not encode fails the action.
	Data any
}

// Handler does the work of one action; a.Payload holds its JSON payload
// (a.DecodePayload or Decode decode it). A nil error completes the action with
// the Result; an error fails the attempt with the error's text as the reason
// (see Reject, NoRetry and RetryIn for the other endings), and
// a.ReportProgress records progress while it runs. The context ends when the
// action is cancelled, its lease is lost, or the worker's shutdown grace runs
// out; context.Cause tells which.
type Handler func(ctx context.Context, a *Action) (Result, error)

// Worker claims actions from one queue and runs Handler on each, up to
// Concurrency at a time, heartbeating every Lease/3 while the handler runs.
// Completions are sent in batches (CompleteMany); failures and rejections
// one by one. A handler's slot frees when it returns, while its report is
// still in flight; at most Concurrency reports are in flight at once.
type Worker struct {
	Client *Client
	// Name is recorded as claimed_by; required.
	Name string
	// Queue to claim from; empty means "default" (unless Queues is set).
	Queue string
	// Queues, when set, are all claimed from in one claim order (paused
	// ones are skipped); Queue must then be empty or one of them.
	Queues []string
	// ActionTypes and Project narrow what is claimed; empty means any.
	ActionTypes []string
	Project     string
	// Concurrency is how many handlers run at once; 0 means 1.
	Concurrency int
	// Lease is the lease asked for at claim and at each heartbeat; 0 means DefaultLease.
	Lease time.Duration
	// Wait is how long one Claim long-polls for work; 0 means DefaultWait.
	Wait time.Duration
	// ShutdownGrace is how long handlers may keep running once Run's context
	// ends before their contexts are cancelled; 0 means as long as they take.
	ShutdownGrace time.Duration
	// CompleteBatchWindow is how long a completion waits for others to share
	// its CompleteMany call; 0 means DefaultCompleteBatchWindow, and a
	// negative value means no wait: each call takes whatever is queued then.
	CompleteBatchWindow time.Duration
	Handler             Handler
	// Logger receives transient errors and dropped actions; nil means slog.Default().
	Logger *slog.Logger
}

// Run claims and handles actions until ctx ends, then stops claiming, waits
// for the handlers in flight to finish, sends every outcome still queued,
// and returns nil once the server has answered them all. It returns early
// with an error only when the server refuses the claim itself (e.g.
// INVALID_ARGUMENT); unavailability is retried with backoff.
func (w *Worker) Run(ctx context.Context) error {
	if w.Client == nil || w.Handler == nil || w.Name == "" {
		return errors.New("actionq: Worker needs Client, Name and Handler")
	}
	// Handlers outlive ctx: they run under base, which ends ShutdownGrace
	// after ctx does (or never, with no grace), and in any case when Run returns.
	base, cancelBase := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelBase(ErrShutdown)
	if w.ShutdownGrace > 0 {
		go func() {
			select {
			case <-ctx.Done():
			case <-base.Done():
				return
			}
			t := time.NewTimer(w.ShutdownGrace)
			defer t.Stop()
			select {
			case <-t.C:
				cancelBase(ErrShutdown)
			case <-base.Done():
			}
		}()
	}

	// Deferred calls run in reverse: the handlers and their reports finish,
	// then the outbox sends what is left, then base ends.
	out := newOutbox(ctx, w.Client, w.completeBatchWindow())
	defer out.close()
	var inFlight sync.WaitGroup
	defer inFlight.Wait()
	slots := make(chan struct{}, max(w.Concurrency, 1))
	// reports bounds the outcomes sent but not yet acknowledged, so a slow
	// server holds the worker back instead of letting reports pile up.
	reports := make(chan struct{}, cap(slots))
	backoff := newBackoff(100*time.Millisecond, 10*time.Second)
	for {
		free, ok := takeSlots(ctx, slots)
		if !ok {
			return nil
		}
		resp, err := w.Client.Claim(ctx, w.claimRequest(free))
		if err != nil {
			releaseSlots(slots, free)
			if ctx.Err() != nil {
				return nil
			}
			if !retryable(err) {
				return fmt.Errorf("actionq: claim: %w", err)
			}
			w.logger().Warn("actionq: claim failed, retrying", "worker", w.Name, "err", err)
			if !sleep(ctx, backoff.next()) {
				return nil
			}
			continue
		}
		backoff.reset()
		claimed := resp.GetActions()
		releaseSlots(slots, free-len(claimed))
		for _, ca := range claimed {
			inFlight.Add(1)
			go func() {
				defer inFlight.Done()
				report := w.handle(base, ca, out)
				if report == nil {
					releaseSlots(slots, 1)
					return
				}
				// The handler's slot frees once its report has room,
				// not once the report is acknowledged.
				reports <- struct{}{}
				releaseSlots(slots, 1)
				report()
				<-reports
			}()
		}
	}
}

func (w *Worker) claimRequest(n int) *actionqv1.ClaimRequest {
	return &actionqv1.ClaimRequest{
		Worker:      w.Name,
		Queue:       w.Queue,
		Queues:      w.Queues,
		ActionTypes: w.ActionTypes,
		Project:     w.Project,
		MaxActions:  int32(min(n, maxClaimBatch)),
		Lease:       durationpb.New(w.lease()),
		Wait:        durationpb.New(orDefault(w.Wait, DefaultWait)),
	}
}

// handle runs the handler on one claimed action under heartbeats and returns
// the call that reports its outcome, or nil when there is none to report
// (the action was cancelled, its lease lost, or shutdown cut the handler
// short). Heartbeats have stopped when it returns.
//
// The handler runs in a CONSUMER span that continues the producer's trace
// (processSpan); the heartbeats and the report are made in it, and it ends
// once the report is answered.
func (w *Worker) handle(base context.Context, ca *actionqv1.ClaimedAction, out *outbox) (report func()) {
	a, token := ActionOf(ca.GetAction()), ca.GetLeaseToken()
	spanCtx, span := processSpan(base, a)
	defer func() {
		if report == nil {
			span.End()
		}
	}()
	ctx, cancel := context.WithCancelCause(spanCtx)
	defer cancel(nil)
	a.lease = &lease{client: w.Client, id: a.GetId(), token: token, length: w.lease(), stop: cancel}
	beats := make(chan struct{})
	go func() {
		defer close(beats)
		w.heartbeat(ctx, cancel, a.GetId(), token)
	}()
	res, err := runHandler(ctx, w.Handler, a)
	stopped := context.Cause(ctx)
	var resultJSON string
	if err == nil {
		if resultJSON, err = EncodeJSON(res.Data); err != nil {
			err = fmt.Errorf("the handler's result is not JSON: %w", err)
		}
	}
	cancel(nil)
	<-beats
	if err != nil {
		span.SetStatus(otelcodes.Error, err.Error())
	}

	log := w.logger().With("worker", w.Name, "action_id", a.GetId())
	switch {
	case errors.Is(stopped, ErrSuspended), errors.Is(err, ErrSuspended):
		// The action waits on the server; it is claimed again when it wakes.
		log.Debug("actionq: handler suspended the action until it wakes")
		span.AddEvent("suspended")
		return nil
	case errors.Is(stopped, ErrActionCancelled), errors.Is(stopped, ErrLeaseLost):
		log.Info("actionq: handler stopped, outcome not reported", "cause", stopped)
		span.AddEvent("stopped", trace.WithAttributes(attribute.String("cause", stopped.Error())))
		return nil
	case err != nil && errors.Is(stopped, ErrShutdown):
		// Failing would spend an attempt on our own shutdown: the lease
		// expires instead and the action is claimed again.
		log.Info("actionq: handler cut short by shutdown; its lease will expire", "err", err)
		span.AddEvent("stopped", trace.WithAttributes(attribute.String("cause", ErrShutdown.Error())))
		return nil
	}
	return func() {
		defer span.End()
		if err := w.report(context.WithoutCancel(ctx), out, a.GetId(), token, res.Ref, resultJSON, err); err != nil {
			log.Error("actionq: could not report the outcome; the lease will expire", "err", err)
			span.AddEvent("report failed", trace.WithAttributes(attribute.String("error", err.Error())))
		}
	}
}

// heartbeat extends the lease every Lease/3 until ctx ends, and cancels ctx
// when the server says the action was cancelled or the lease is gone.
func (w *Worker) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, id int64, token string) {
	lease := w.lease()
	tick := time.NewTicker(lease / 3)
	defer tick.Stop()
	req := &actionqv1.HeartbeatRequest{Id: id, LeaseToken: token, Lease: durationpb.New(lease)}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		resp, err := w.Client.Heartbeat(ctx, req)
		switch {
		case err == nil && resp.GetCancelled():
			cancel(ErrActionCancelled)
			return
		case err == nil, ctx.Err() != nil:
		case leaseGone(err):
			cancel(fmt.Errorf("%w: %w", ErrLeaseLost, err))
			return
		default:
			w.logger().Warn("actionq: heartbeat failed, retrying", "worker", w.Name, "action_id", id, "err", err)
		}
	}
}

// report queues a completion in the outbox, or sends Fail or Reject, and
// returns once the server answered.
func (w *Worker) report(ctx context.Context, out *outbox, id int64, token, resultRef, resultJSON string, handlerErr error) error {
	var rejected *RejectError
	switch {
	case handlerErr == nil:
		return out.complete(ctx, &actionqv1.CompleteRequest{Id: id, LeaseToken: token, ResultRef: resultRef, ResultJson: resultJSON})
	case errors.As(handlerErr, &rejected):
		return retryUnavailable(func() error {
			_, err := w.Client.Reject(ctx, &actionqv1.RejectRequest{Id: id, LeaseToken: token, Reason: rejected.Reason, Validator: rejected.Validator})
			return err
		})
	default:
		return retryUnavailable(func() error {
			_, err := w.Client.Fail(ctx, failRequest(id, token, handlerErr))
			return err
		})
	}
}

// retryUnavailable makes up to four calls while the server is unavailable;
// past that the lease expires and the server requeues the action.
func retryUnavailable(call func() error) error {
	backoff := newBackoff(200*time.Millisecond, 2*time.Second)
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil || attempt == 4 || status.Code(err) != codes.Unavailable {
			return err
		}
		time.Sleep(backoff.next())
	}
}

func (w *Worker) lease() time.Duration { return orDefault(w.Lease, DefaultLease) }

func (w *Worker) completeBatchWindow() time.Duration {
	if w.CompleteBatchWindow < 0 {
		return 0
	}
	return orDefault(w.CompleteBatchWindow, DefaultCompleteBatchWindow)
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

// runHandler turns a panic into an error, so one bad action fails alone.
func runHandler(ctx context.Context, h Handler, a *Action) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, a)
}

// retryable reports whether a failed Claim is worth repeating.
func retryable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Aborted, codes.Internal, codes.Unknown:
		return true
	}
	return false
}

// takeSlots blocks for one free handler slot, then takes every other free
// one without waiting. It reports false when ctx ends first.
func takeSlots(ctx context.Context, slots chan struct{}) (int, bool) {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return 0, false
	}
	n := 1
	for n < cap(slots) {
		select {
		case slots <- struct{}{}:
			n++
		default:
			return n, true
		}
	}
	return n, true
}

func releaseSlots(slots chan struct{}, n int) {
	for range n {
		<-slots
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// backoff doubles from first up to ceiling.
type backoff struct{ first, ceiling, cur time.Duration }

func newBackoff(first, ceiling time.Duration) *backoff {
	return &backoff{first: first, ceiling: ceiling}
}

func (b *backoff) next() time.Duration {
	b.cur = min(max(b.cur*2, b.first), b.ceiling)
	return b.cur
}

func (b *backoff) reset() { b.cur = 0 }

// outbox gathers completions and sends them with CompleteMany from one
// goroutine: a completion waits up to window for others to join it, and
// while a call is in flight the next batch gathers behind it.
type outbox struct {
	ctx      context.Context // of the calls: Run's, without its cancellation
	stopping <-chan struct{} // Run's ctx ended: stop waiting out the window
	client   *Client
	window   time.Duration

	mu    sync.Mutex
	queue []completion

	wake chan struct{} // holds a token while something may be queued
	quit chan struct{} // closed by close: send what is queued, then stop
	done chan struct{} // closed when the sending goroutine has returned
}

// completion is one queued item; answer receives the server's verdict on it.
// span is the span context of the job it completes.
type completion struct {
	req    *actionqv1.CompleteRequest
	span   trace.SpanContext
	answer chan error
}

func newOutbox(ctx context.Context, client *Client, window time.Duration) *outbox {
	o := &outbox{
		ctx: context.WithoutCancel(ctx), stopping: ctx.Done(), client: client, window: window,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
	}
	go o.run()
	return o
}

// complete queues req and returns once the server answered: nil when the
// action is completed, else the error of its item or of the whole call.
// It must not be called once close has begun. A call that carries one
// completion only is made in ctx's span; a batch is made in none, as it
// belongs to several.
func (o *outbox) complete(ctx context.Context, req *actionqv1.CompleteRequest) error {
	c := completion{req: req, span: trace.SpanContextFromContext(ctx), answer: make(chan error, 1)}
	o.mu.Lock()
	o.queue = append(o.queue, c)
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return <-c.answer
}

// close sends every completion still queued and stops the outbox.
func (o *outbox) close() {
	close(o.quit)
	<-o.done
}

func (o *outbox) run() {
	defer close(o.done)
	for {
		select {
		case <-o.wake:
		case <-o.quit:
			o.flush()
			return
		}
		if o.window > 0 && o.queued() < maxCompleteBatch {
			t := time.NewTimer(o.window)
			select {
			case <-t.C:
			case <-o.stopping:
			case <-o.quit:
			}
			t.Stop()
		}
		o.flush()
	}
}

func (o *outbox) queued() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue)
}

// flush sends batches until the queue is empty.
func (o *outbox) flush() {
	for {
		batch := o.take()
		if len(batch) == 0 {
			return
		}
		o.send(batch)
	}
}

// take removes up to maxCompleteBatch completions from the queue. The server
// refuses a whole batch in which an id appears twice (possible when this
// worker claimed an action again after losing its lease), so a repeated id
// waits for the next batch.
func (o *outbox) take() []completion {
	o.mu.Lock()
	defer o.mu.Unlock()
	var batch, rest []completion
	seen := make(map[int64]bool, len(o.queue))
	for _, c := range o.queue {
		if len(batch) == maxCompleteBatch || seen[c.req.GetId()] {
			rest = append(rest, c)
			continue
		}
		seen[c.req.GetId()] = true
		batch = append(batch, c)
	}
	o.queue = rest
	return batch
}

// send makes one CompleteMany call and answers each completion of batch.
func (o *outbox) send(batch []completion) {
	req := &actionqv1.CompleteManyRequest{Completions: make([]*actionqv1.CompleteRequest, len(batch))}
	for i, c := range batch {
		req.Completions[i] = c.req
	}
	ctx := o.ctx
	if len(batch) == 1 && batch[0].span.IsValid() {
		ctx = trace.ContextWithSpanContext(ctx, batch[0].span)
	}
	var resp *actionqv1.CompleteManyResponse
	err := retryUnavailable(func() (err error) {
		resp, err = o.client.CompleteMany(ctx, req)
		return err
	})
	refused := make(map[int64]error, len(resp.GetFailures()))
	for _, f := range resp.GetFailures() {
		refused[f.GetId()] = itemError(f)
	}
	for _, c := range batch {
		if err != nil {
			c.answer <- err
		} else {
			c.answer <- refused[c.req.GetId()]
		}
	}
}
