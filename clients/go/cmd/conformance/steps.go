package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/durationpb"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

// runner carries what the scenario binds as it goes: the id of each ref and
// the lease token of each claimed ref.
type runner struct {
	client     *actionq.Client
	actionType string
	project    string
	createdBy  string
	ids        map[string]int64
	tokens     map[string]string
}

// run executes one step and says why it failed, or nil.
func (r *runner) run(ctx context.Context, s step) error {
	switch s.Op {
	case "enqueue":
		return r.enqueue(ctx, s)
	case "enqueue_retry":
		return r.enqueueRetry(ctx, s)
	case "claim":
		return r.claim(ctx, s)
	case "heartbeat":
		return r.heartbeat(ctx, s)
	case "complete", "fail", "reject", "cancel", "get":
		return r.transition(ctx, s)
	case "watch":
		return r.watch(ctx, s)
	case "retry":
		return r.retry(ctx, s)
	case "wait":
		return r.wait(ctx, s)
	case "save_checkpoint":
		return r.saveCheckpoint(ctx, s)
	case "get_checkpoints":
		return r.getCheckpoints(ctx, s)
	case "suspend":
		return r.suspend(ctx, s)
	case "signal":
		return r.signal(ctx, s)
	case "await_status":
		return r.awaitStatus(ctx, s)
	case "denied":
		return r.denied(ctx, s)
	}
	return fmt.Errorf("unknown op %q", s.Op)
}

func (r *runner) enqueue(ctx context.Context, s step) error {
	req, err := r.enqueueRequest(s)
	if err != nil {
		return err
	}
	resp, callErr := r.client.Enqueue(ctx, req)
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	return r.bind(s, resp)
}

// enqueueRetry sends one request twice with the same request_id, as a
// client does when the first reply was lost: the second call must replay
// the first one's actions, and nothing may be stored twice.
func (r *runner) enqueueRetry(ctx context.Context, s step) error {
	req, err := r.enqueueRequest(s)
	if err != nil {
		return err
	}
	req.RequestId = actionq.NewRequestID()
	first, callErr := r.client.Enqueue(ctx, req)
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	if first.GetReplayed() {
		return fmt.Errorf("the first call with request_id %s came back replayed", req.RequestId)
	}
	second, err := r.client.Enqueue(ctx, req)
	if err != nil {
		return fmt.Errorf("the repeated call: %w", err)
	}
	if !second.GetReplayed() {
		return fmt.Errorf("the repeated call with request_id %s was not replayed", req.RequestId)
	}
	if a, b := enqueuedIDs(first), enqueuedIDs(second); !slices.Equal(a, b) {
		return fmt.Errorf("the repeated call returned actions %v, the first %v", b, a)
	}
	if err := r.bind(s, second); err != nil {
		return err
	}
	return r.expectOnlyKnownActions(ctx)
}

// enqueueRequest is the request of an enqueue step's actions. The client
// encodes each payload; a payload_json is sent verbatim instead.
func (r *runner) enqueueRequest(s step) (*actionqv1.EnqueueRequest, error) {
	req := &actionqv1.EnqueueRequest{}
	for _, a := range s.Actions {
		actionType := r.actionType
		if a.ActionType != nil {
			actionType = *a.ActionType
		}
		payload, err := actionq.EncodeJSON(a.Payload)
		if err != nil {
			return nil, fmt.Errorf("payload of %s: %w", a.Ref, err)
		}
		if a.PayloadJSON != nil {
			payload = *a.PayloadJSON
		}
		policy, err := a.Backoff.proto()
		if err != nil {
			return nil, fmt.Errorf("backoff of %s: %w", a.Ref, err)
		}
		na := &actionqv1.NewAction{
			ActionType:  actionType,
			Project:     r.project,
			CreatedBy:   r.createdBy,
			Priority:    a.Priority,
			TargetRef:   a.TargetRef,
			SourceRefs:  a.SourceRefs,
			PayloadJson: payload,
			MaxAttempts: a.MaxAttempts,
			Backoff:     policy,
		}
		if a.DelayMS != nil {
			na.Delay = durationpb.New(millis(*a.DelayMS))
		}
		req.Actions = append(req.Actions, na)
	}
	return req, nil
}

// proto is the policy as the API spells it; nil for none.
func (b *backoff) proto() (*actionqv1.Backoff, error) {
	if b == nil {
		return nil, nil
	}
	out := &actionqv1.Backoff{Jitter: b.Jitter}
	switch b.Strategy {
	case "fixed":
		out.Strategy = actionqv1.BackoffStrategy_BACKOFF_STRATEGY_FIXED
	case "exponential":
		out.Strategy = actionqv1.BackoffStrategy_BACKOFF_STRATEGY_EXPONENTIAL
	case "":
	default:
		return nil, fmt.Errorf("unknown strategy %q", b.Strategy)
	}
	if b.BaseMS != nil {
		out.Base = durationpb.New(millis(*b.BaseMS))
	}
	if b.MaxMS != nil {
		out.Max = durationpb.New(millis(*b.MaxMS))
	}
	return out, nil
}

// bind records the id of each enqueued ref and checks what came back.
func (r *runner) bind(s step, resp *actionqv1.EnqueueResponse) error {
	if got, want := len(resp.GetActions()), len(s.Actions); got != want {
		return fmt.Errorf("enqueued %d actions, sent %d", got, want)
	}
	for i, e := range resp.GetActions() {
		a := actionq.ActionOf(e.GetAction())
		r.ids[s.Actions[i].Ref] = a.GetId()
		if err := expectAction(a, s); err != nil {
			return fmt.Errorf("%s: %w", s.Actions[i].Ref, err)
		}
	}
	return nil
}

// expectOnlyKnownActions checks that every action of the scenario's project
// and type is one a step bound to a ref: a duplicate would not be.
func (r *runner) expectOnlyKnownActions(ctx context.Context) error {
	known := map[int64]bool{}
	for _, id := range r.ids {
		known[id] = true
	}
	req := &actionqv1.ListActionsRequest{ActionType: r.actionType, Project: r.project, PageSize: 1000}
	for {
		resp, err := r.client.ListActions(ctx, req)
		if err != nil {
			return fmt.Errorf("list actions: %w", err)
		}
		for _, a := range resp.GetActions() {
			if !known[a.GetId()] {
				return fmt.Errorf("action %d exists, which no step enqueued (a duplicate?)", a.GetId())
			}
		}
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			return nil
		}
	}
}

func enqueuedIDs(resp *actionqv1.EnqueueResponse) []int64 {
	ids := make([]int64, 0, len(resp.GetActions()))
	for _, e := range resp.GetActions() {
		ids = append(ids, e.GetAction().GetId())
	}
	return ids
}

func (r *runner) claim(ctx context.Context, s step) error {
	resp, callErr := r.client.Claim(ctx, &actionqv1.ClaimRequest{
		Worker:      workerName,
		Project:     r.project,
		ActionTypes: []string{cmp.Or(s.ActionType, r.actionType)},
		MaxActions:  s.MaxActions,
		Wait:        durationpb.New(millis(s.WaitMS)),
		Lease:       durationpb.New(millis(s.LeaseMS)),
	})
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	got := []string{}
	for _, ca := range resp.GetActions() {
		ref := r.refOf(ca.GetAction().GetId())
		r.tokens[ref] = ca.GetLeaseToken()
		got = append(got, ref)
		if st := ca.GetAction().GetStatus(); st != actionqv1.ActionStatus_ACTION_STATUS_CLAIMED {
			return fmt.Errorf("%s came back %s, want claimed", ref, statusName(st))
		}
	}
	if !slices.Equal(got, s.ExpectRefs) {
		return fmt.Errorf("claimed %v, want %v", got, s.ExpectRefs)
	}
	return nil
}

func (r *runner) heartbeat(ctx context.Context, s step) error {
	id, token, err := r.target(s)
	if err != nil {
		return err
	}
	progress, err := actionq.EncodeJSON(s.Progress)
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	_, err = r.client.Heartbeat(ctx, &actionqv1.HeartbeatRequest{
		Id: id, LeaseToken: token, Lease: durationpb.New(millis(s.LeaseMS)), ProgressJson: progress,
	})
	return expectError(err, s.ExpectCode, s.ExpectReason)
}

// saveCheckpoint saves the step's state under the lease it names.
func (r *runner) saveCheckpoint(ctx context.Context, s step) error {
	id, token, err := r.target(s)
	if err != nil {
		return err
	}
	cp, callErr := r.client.PutCheckpoint(ctx, id, token, s.Step, s.State)
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	if cp.GetStep() != s.Step || cp.GetActionId() != id {
		return fmt.Errorf("saved checkpoint %s of action %d, want %s of %d", cp.GetStep(), cp.GetActionId(), s.Step, id)
	}
	return expectJSON("state", cp.State, s.State)
}

// getCheckpoints reads the ref's checkpoints and checks their steps, states
// and attempts, in order.
func (r *runner) getCheckpoints(ctx context.Context, s step) error {
	id, _, err := r.target(s)
	if err != nil {
		return err
	}
	cps, callErr := r.client.Checkpoints(ctx, id)
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	var steps []string
	var attempts []int32
	for _, cp := range cps {
		steps, attempts = append(steps, cp.GetStep()), append(attempts, cp.GetAttempt())
	}
	if s.ExpectSteps != nil && !slices.Equal(steps, s.ExpectSteps) {
		return fmt.Errorf("checkpoint steps %v, want %v", steps, s.ExpectSteps)
	}
	if s.ExpectAttempts != nil && !slices.Equal(attempts, s.ExpectAttempts) {
		return fmt.Errorf("checkpoint attempts %v, want %v", attempts, s.ExpectAttempts)
	}
	if s.ExpectStateFields != nil {
		if len(cps) != len(s.ExpectStateFields) {
			return fmt.Errorf("%d checkpoints, want %d", len(cps), len(s.ExpectStateFields))
		}
		for i, cp := range cps {
			if err := expectFields("state of "+cp.GetStep(), cp.State, s.ExpectStateFields[i]); err != nil {
				return err
			}
		}
	}
	if s.ExpectStates != nil {
		if len(cps) != len(s.ExpectStates) {
			return fmt.Errorf("%d checkpoints, want %d states", len(cps), len(s.ExpectStates))
		}
		for i, cp := range cps {
			if err := expectJSON("state of "+cp.GetStep(), cp.State, s.ExpectStates[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// transition runs the steps whose answer is one action to check.
func (r *runner) transition(ctx context.Context, s step) error {
	id, token, err := r.target(s)
	if err != nil {
		return err
	}
	var resp interface{ GetAction() *actionqv1.Action }
	var callErr error
	switch s.Op {
	case "complete":
		result, err := actionq.EncodeJSON(s.Result)
		if err != nil {
			return fmt.Errorf("result: %w", err)
		}
		resp, callErr = r.client.Complete(ctx, &actionqv1.CompleteRequest{Id: id, LeaseToken: token, ResultRef: s.ResultRef, ResultJson: result})
	case "fail":
		req := &actionqv1.FailRequest{Id: id, LeaseToken: token, Reason: s.Reason, NoRetry: s.NoRetry}
		if s.RetryDelayMS != nil {
			req.RetryDelay = durationpb.New(millis(*s.RetryDelayMS))
		}
		resp, callErr = r.client.Fail(ctx, req)
	case "reject":
		resp, callErr = r.client.Reject(ctx, &actionqv1.RejectRequest{Id: id, LeaseToken: token, Reason: s.Reason, Validator: s.Validator})
	case "cancel":
		resp, callErr = r.client.Cancel(ctx, &actionqv1.CancelRequest{Id: id, Reason: s.Reason})
	case "get":
		resp, callErr = r.client.GetAction(ctx, &actionqv1.GetActionRequest{Id: id})
	}
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	return expectAction(actionq.ActionOf(resp.GetAction()), s)
}

// watch replays the events of the step's refs and compares them, in order,
// with the expected (ref, event_type) pairs. Cursors are opaque: each event
// and each message of events must carry one, and no event may come twice.
func (r *runner) watch(ctx context.Context, s step) error {
	ids, err := r.idsOf(s.Refs)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, millis(s.TimeoutMS))
	defer cancel()
	stream, err := r.client.WatchEvents(ctx, &actionqv1.WatchEventsRequest{AfterCursor: s.AfterCursor, ActionIds: ids})
	if err != nil {
		return err
	}
	var got [][2]string
	seen := map[string]bool{}
	for len(got) < len(s.ExpectEvents) {
		msg, err := stream.Recv()
		if err != nil {
			return fmt.Errorf("after %d of %d events: %w (got %v)", len(got), len(s.ExpectEvents), err, got)
		}
		if len(msg.GetEvents()) > 0 && msg.GetCursor() == "" {
			return fmt.Errorf("a message of %d events has no cursor", len(msg.GetEvents()))
		}
		for _, pb := range msg.GetEvents() {
			e := actionq.EventOf(pb)
			if e.Cursor == "" || seen[e.Cursor] {
				return fmt.Errorf("event %d has cursor %q: empty or seen before", e.Id, e.Cursor)
			}
			seen[e.Cursor] = true
			var payload map[string]any
			if err := e.DecodePayload(&payload); err != nil {
				return fmt.Errorf("event %d: payload %s: %w", e.Id, e.Payload, err)
			}
			got = append(got, [2]string{r.refOf(e.ActionId), e.EventType})
		}
	}
	if !slices.Equal(got, s.ExpectEvents) {
		return fmt.Errorf("events %v, want %v", got, s.ExpectEvents)
	}
	return nil
}

// retry puts the step's refs back to pending and checks each one's status
// afterwards against expect_status.
func (r *runner) retry(ctx context.Context, s step) error {
	ids, err := r.idsOf(s.Refs)
	if err != nil {
		return err
	}
	retried, callErr := r.client.RetryActions(ctx, ids...)
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	if !slices.Equal(retried, ids) {
		return fmt.Errorf("retried %v, want %v", retried, ids)
	}
	for _, id := range ids {
		resp, err := r.client.GetAction(ctx, &actionqv1.GetActionRequest{Id: id})
		if err != nil {
			return fmt.Errorf("get %s: %w", r.refOf(id), err)
		}
		if err := expectAction(actionq.ActionOf(resp.GetAction()), s); err != nil {
			return fmt.Errorf("%s: %w", r.refOf(id), err)
		}
	}
	return nil
}

// wait waits for the step's refs and checks the statuses they ended in, in
// order, or the error.
func (r *runner) wait(ctx context.Context, s step) error {
	ids, err := r.idsOf(s.Refs)
	if err != nil {
		return err
	}
	actions, callErr := r.client.Wait(ctx, ids, millis(s.TimeoutMS))
	if err := expectError(callErr, s.ExpectCode, s.ExpectReason); err != nil || callErr != nil {
		return err
	}
	got := make([]string, 0, len(actions))
	for i, a := range actions {
		if i < len(ids) && a.GetId() != ids[i] {
			return fmt.Errorf("action %d came back where %d was asked for", a.GetId(), ids[i])
		}
		got = append(got, statusName(a.GetStatus()))
	}
	if !slices.Equal(got, s.ExpectStatuses) {
		return fmt.Errorf("statuses %v, want %v", got, s.ExpectStatuses)
	}
	return nil
}

func (r *runner) idsOf(refs []string) ([]int64, error) {
	ids := make([]int64, 0, len(refs))
	for _, ref := range refs {
		id, ok := r.ids[ref]
		if !ok {
			return nil, fmt.Errorf("ref %s was never enqueued", ref)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// target is the id and lease token a step acts on: its ref's (or its literal
// id) and the token its lease field names.
func (r *runner) target(s step) (int64, string, error) {
	id := s.ID
	if s.Ref != "" {
		var ok bool
		if id, ok = r.ids[s.Ref]; !ok {
			return 0, "", fmt.Errorf("ref %s was never enqueued", s.Ref)
		}
	}
	switch s.Lease {
	case "":
		return id, "", nil
	case "held":
		token, ok := r.tokens[s.Ref]
		if !ok {
			return 0, "", fmt.Errorf("ref %s was never claimed", s.Ref)
		}
		return id, token, nil
	case "random":
		return id, uuid.NewString(), nil
	}
	return 0, "", fmt.Errorf("unknown lease %q", s.Lease)
}

func (r *runner) refOf(id int64) string {
	for ref, known := range r.ids {
		if known == id {
			return ref
		}
	}
	return fmt.Sprintf("#%d", id)
}

func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
