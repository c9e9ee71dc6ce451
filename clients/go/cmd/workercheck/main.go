// Command workercheck runs the Worker helper against a live server, as
// conformance.sh does once the scenario passed. First it enqueues 300 actions of a
// fresh action type, handles them with a Worker (concurrency 16, lease 30 s)
// whose handler fails one chosen action, stops the Worker once all were
// handled, and checks through the API that every action ran exactly once and
// ended as it should: completed (through batched CompleteMany calls) with a
// result built from its payload, whose int64 survives the round trip, or,
// for the chosen one, failed. The Worker's connection closes as soon as Run
// returns, as it would when a program exits, so an outcome Run did not see
// acknowledged is lost and shows. Then it checks the other outcomes a
// handler can ask for (outcomes.go): reject, fail without retry, retry after
// a chosen delay, and progress reported while it runs; then checkpoints
// (checkpoints.go): a retried attempt resumes from the step the first one
// saved; then waiting (waiting.go); then tracing (tracing.go): a job
// enqueued under a span runs in a span of the same trace. It prints one summary
// line per check and exits 0 iff all held.
//
//	ACTIONQ_SERVER=127.0.0.1:50051 ACTIONQ_CONFORMANCE_PROJECT=p \
//	ACTIONQ_CONFORMANCE_CREATED_BY=human:conformance workercheck
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

const (
	actions     = 300
	concurrency = 16
	lease       = 30 * time.Second
	// deadline bounds the whole check; it takes well under a second when
	// the worker behaves.
	deadline      = 30 * time.Second
	plannedReason = "workercheck: planned failure"
	// bigBase is beyond what a float64 holds exactly: payloads carry
	// bigBase-i, results must bring it back unchanged.
	bigBase = int64(9223372036854775807)
)

// item is the payload of each action, and its result.
type item struct {
	Item int   `json:"item"`
	Big  int64 `json:"big"`
}

func main() {
	began := time.Now()
	summary, err := check(began)
	if err != nil {
		fmt.Printf("worker check failed after %.2f s: %v\n", time.Since(began).Seconds(), err)
		os.Exit(1)
	}
	fmt.Printf("worker check passed in %.2f s: %s\n", time.Since(began).Seconds(), summary)

	began = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	summary, err = outcomesCheck(ctx)
	if err != nil {
		fmt.Printf("worker outcomes check failed after %.2f s: %v\n", time.Since(began).Seconds(), err)
		os.Exit(1)
	}
	fmt.Printf("worker outcomes check passed in %.2f s: %s\n", time.Since(began).Seconds(), summary)

	began = time.Now()
	summary, err = checkpointsCheck(ctx)
	if err != nil {
		fmt.Printf("worker checkpoints check failed after %.2f s: %v\n", time.Since(began).Seconds(), err)
		os.Exit(1)
	}
	fmt.Printf("worker checkpoints check passed in %.2f s: %s\n", time.Since(began).Seconds(), summary)

	began = time.Now()
	summary, err = waitingCheck(ctx)
	if err != nil {
		fmt.Printf("worker waiting check failed after %.2f s: %v\n", time.Since(began).Seconds(), err)
		os.Exit(1)
	}
	fmt.Printf("worker waiting check passed in %.2f s: %s\n", time.Since(began).Seconds(), summary)

	began = time.Now()
	summary, err = tracingCheck(ctx)
	if err != nil {
		fmt.Printf("worker tracing check failed after %.2f s: %v\n", time.Since(began).Seconds(), err)
		os.Exit(1)
	}
	fmt.Printf("worker tracing check passed in %.2f s: %s\n", time.Since(began).Seconds(), summary)
}

func tracingCheck(ctx context.Context) (string, error) {
	client, err := actionq.New(actionq.Config{})
	if err != nil {
		return "", err
	}
	defer client.Close()
	return checkTracing(ctx, client, envOr("ACTIONQ_CONFORMANCE_PROJECT", "conformance-go"), envOr("ACTIONQ_CONFORMANCE_CREATED_BY", "human:conformance"))
}

func waitingCheck(ctx context.Context) (string, error) {
	client, err := actionq.New(actionq.Config{})
	if err != nil {
		return "", err
	}
	defer client.Close()
	return checkWaiting(ctx, client, envOr("ACTIONQ_CONFORMANCE_PROJECT", "conformance-go"), envOr("ACTIONQ_CONFORMANCE_CREATED_BY", "human:conformance"))
}

func checkpointsCheck(ctx context.Context) (string, error) {
	client, err := actionq.New(actionq.Config{})
	if err != nil {
		return "", err
	}
	defer client.Close()
	return checkCheckpoints(ctx, client, envOr("ACTIONQ_CONFORMANCE_PROJECT", "conformance-go"), envOr("ACTIONQ_CONFORMANCE_CREATED_BY", "human:conformance"))
}

func outcomesCheck(ctx context.Context) (string, error) {
	client, err := actionq.New(actionq.Config{})
	if err != nil {
		return "", err
	}
	defer client.Close()
	return checkOutcomes(ctx, client, envOr("ACTIONQ_CONFORMANCE_PROJECT", "conformance-go"), envOr("ACTIONQ_CONFORMANCE_CREATED_BY", "human:conformance"))
}

func check(began time.Time) (string, error) {
	ctx, cancel := context.WithDeadline(context.Background(), began.Add(deadline))
	defer cancel()
	client, err := actionq.New(actionq.Config{})
	if err != nil {
		return "", err
	}
	defer client.Close()
	// The Worker's own connection, whose calls are counted.
	var calls rpcCounter
	workerClient, err := actionq.New(actionq.Config{DialOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(calls.intercept)}})
	if err != nil {
		return "", err
	}
	project := envOr("ACTIONQ_CONFORMANCE_PROJECT", "conformance-go")
	actionType := "conformance.worker." + randomHex(4)

	ids, err := enqueue(ctx, client, actionType, project, envOr("ACTIONQ_CONFORMANCE_CREATED_BY", "human:conformance"))
	if err != nil {
		return "", fmt.Errorf("enqueue: %w", err)
	}
	failing := ids[len(ids)/2]

	runs, err := work(ctx, workerClient, actionType, project, ids, failing)
	if err != nil {
		return "", err
	}
	var problems []string
	for _, id := range ids {
		if n := runs[id]; n != 1 {
			problems = append(problems, fmt.Sprintf("the handler ran %d times on action %d", n, id))
		}
		delete(runs, id)
	}
	for id, n := range runs {
		problems = append(problems, fmt.Sprintf("the handler ran %d times on action %d, which the check did not enqueue", n, id))
	}
	got, err := list(ctx, client, actionType, project)
	if err != nil {
		return "", fmt.Errorf("list actions: %w", err)
	}
	problems = append(problems, verify(ids, failing, got)...)
	complete, completeMany, fail := calls.get("Complete"), calls.get("CompleteMany"), calls.get("Fail")
	if complete != 0 {
		problems = append(problems, fmt.Sprintf("%d single Complete calls; completions should go through CompleteMany", complete))
	}
	if completeMany == 0 || completeMany >= actions-1 {
		// With 16 handlers at once, some completions must have shared a call.
		problems = append(problems, fmt.Sprintf("%d completions took %d CompleteMany calls; want them batched", actions-1, completeMany))
	}
	if fail != 1 {
		problems = append(problems, fmt.Sprintf("%d Fail calls, want 1", fail))
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
		}
		return "", errors.New(strings.Join(problems, "; "))
	}
	return fmt.Sprintf("%d actions of %s handled once each; %d completed in %d CompleteMany calls, action %d failed as planned",
		actions, actionType, actions-1, completeMany, failing), nil
}

// enqueue stores the actions of the check and returns their ids.
func enqueue(ctx context.Context, client *actionq.Client, actionType, project, createdBy string) ([]int64, error) {
	req := &actionqv1.EnqueueRequest{}
	for i := range actions {
		payload, err := actionq.EncodeJSON(item{Item: i, Big: bigBase - int64(i)})
		if err != nil {
			return nil, err
		}
		req.Actions = append(req.Actions, &actionqv1.NewAction{
			ActionType: actionType, Project: project, CreatedBy: createdBy, TargetRef: fmt.Sprintf("item-%d", i),
			PayloadJson: payload,
		})
	}
	resp, err := client.Enqueue(ctx, req)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, actions)
	for _, e := range resp.GetActions() {
		ids = append(ids, e.GetAction().GetId())
	}
	if len(ids) != actions {
		return nil, fmt.Errorf("enqueued %d actions, sent %d", len(ids), actions)
	}
	return ids, nil
}

// work runs a Worker until its handler has seen every id, stops it, closes
// client once Run returned, and returns how often the handler ran on each action.
func work(ctx context.Context, client *actionq.Client, actionType, project string, ids []int64, failing int64) (map[int64]int, error) {
	var mu sync.Mutex
	runs := map[int64]int{}
	allHandled := make(chan struct{})
	var once sync.Once
	w := &actionq.Worker{
		Client: client, Name: "conformance-go-worker", ActionTypes: []string{actionType}, Project: project,
		Concurrency: concurrency, Lease: lease,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Handler: func(_ context.Context, a *actionq.Action) (actionq.Result, error) {
			p, err := actionq.Decode[item](a.Payload)
			if err != nil {
				return actionq.Result{}, err
			}
			mu.Lock()
			runs[a.GetId()]++
			if len(runs) >= len(ids) {
				once.Do(func() { close(allHandled) })
			}
			mu.Unlock()
			if a.GetId() == failing {
				return actionq.Result{}, errors.New(plannedReason)
			}
			return actionq.Result{Ref: resultRef(a.GetId()), Data: p}, nil
		},
	}
	defer client.Close()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()

	var err error
	select {
	case <-allHandled:
	case err = <-done:
		// Run returned before the work was done: it gave up or ctx expired.
		return nil, fmt.Errorf("the worker stopped before handling every action: %v", err)
	case <-ctx.Done():
	}
	stop()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		return nil, errors.New("the worker's Run did not return within 10 s of being stopped")
	}
	_ = client.Close() // calls still in flight fail: Run should have none
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(runs) < len(ids) {
		return nil, fmt.Errorf("the handler saw %d of %d actions in %v", len(runs), len(ids), deadline)
	}
	return runs, nil
}

// list reads every action of the check's type and project, by id.
func list(ctx context.Context, client *actionq.Client, actionType, project string) (map[int64]*actionqv1.Action, error) {
	got := map[int64]*actionqv1.Action{}
	req := &actionqv1.ListActionsRequest{ActionType: actionType, Project: project, PageSize: 1000}
	for {
		resp, err := client.ListActions(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, a := range resp.GetActions() {
			got[a.GetId()] = a
		}
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			return got, nil
		}
	}
}

// verify says what is wrong with the actions as the server has them.
func verify(ids []int64, failing int64, got map[int64]*actionqv1.Action) []string {
	var problems []string
	if len(got) != len(ids) {
		problems = append(problems, fmt.Sprintf("the server lists %d actions of the check, want %d", len(got), len(ids)))
	}
	for _, id := range ids {
		a := got[id]
		switch {
		case a == nil:
			problems = append(problems, fmt.Sprintf("action %d is not listed", id))
		case a.GetAttempt() != 1:
			problems = append(problems, fmt.Sprintf("action %d was claimed %d times, want once", id, a.GetAttempt()))
		case id == failing:
			if a.GetStatus() != actionqv1.ActionStatus_ACTION_STATUS_FAILED || !strings.Contains(a.GetFailureReason(), plannedReason) {
				problems = append(problems, fmt.Sprintf("action %d is %s (%q), want failed with the handler's error", id, a.GetStatus(), a.GetFailureReason()))
			}
		case a.GetStatus() != actionqv1.ActionStatus_ACTION_STATUS_COMPLETED || a.GetResultRef() != resultRef(id):
			problems = append(problems, fmt.Sprintf("action %d is %s with result_ref %q, want completed with %q", id, a.GetStatus(), a.GetResultRef(), resultRef(id)))
		default:
			if problem := resultProblem(actionq.ActionOf(a)); problem != "" {
				problems = append(problems, problem)
			}
		}
	}
	return problems
}

func resultRef(id int64) string { return fmt.Sprintf("done:%d", id) }

// resultProblem says what is wrong with a completed action's result, which
// must equal its payload.
func resultProblem(a *actionq.Action) string {
	payload, err := actionq.Decode[item](a.Payload)
	if err != nil {
		return fmt.Sprintf("action %d: payload %s: %v", a.GetId(), a.Payload, err)
	}
	result, err := actionq.Decode[item](a.Result)
	if err != nil || a.Result == nil || result != payload || payload.Big != bigBase-int64(payload.Item) {
		return fmt.Sprintf("action %d has payload %s and result %s (%v), want both %v", a.GetId(), a.Payload, a.Result, err, payload)
	}
	return ""
}

// rpcCounter counts the unary calls the client makes, by method name.
type rpcCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *rpcCounter) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[method[strings.LastIndexByte(method, '/')+1:]]++
	c.mu.Unlock()
	return invoker(ctx, method, req, reply, cc, opts...)
}

func (c *rpcCounter) get(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[method]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails since Go 1.24
	return hex.EncodeToString(b)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
