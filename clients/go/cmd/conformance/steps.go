package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

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
	case "claim":
		return r.claim(ctx, s)
	case "heartbeat":
		return r.heartbeat(ctx, s)
	case "complete", "fail", "reject", "cancel", "get":
		return r.transition(ctx, s)
	case "watch":
		return r.watch(ctx, s)
	}
	return fmt.Errorf("unknown op %q", s.Op)
}

func (r *runner) enqueue(ctx context.Context, s step) error {
	req := &actionqv1.EnqueueRequest{}
	for _, a := range s.Actions {
		payload, err := structpb.NewStruct(a.Payload)
		if err != nil {
			return fmt.Errorf("payload of %s: %w", a.Ref, err)
		}
		actionType := r.actionType
		if a.ActionType != nil {
			actionType = *a.ActionType
		}
		req.Actions = append(req.Actions, &actionqv1.NewAction{
			ActionType: actionType,
			Project:    r.project,
			CreatedBy:  r.createdBy,
			Priority:   a.Priority,
			TargetRef:  a.TargetRef,
			SourceRefs: a.SourceRefs,
			Payload:    payload,
		})
	}
	resp, callErr := r.client.Enqueue(ctx, req)
	if err := expectCode(callErr, s.ExpectCode); err != nil || callErr != nil {
		return err
	}
	if got, want := len(resp.GetActions()), len(s.Actions); got != want {
		return fmt.Errorf("enqueued %d actions, sent %d", got, want)
	}
	for i, e := range resp.GetActions() {
		r.ids[s.Actions[i].Ref] = e.GetAction().GetId()
		if err := expectStatus(e.GetAction(), s.ExpectStatus); err != nil {
			return fmt.Errorf("%s: %w", s.Actions[i].Ref, err)
		}
	}
	return nil
}

func (r *runner) claim(ctx context.Context, s step) error {
	resp, callErr := r.client.Claim(ctx, &actionqv1.ClaimRequest{
		Worker:      workerName,
		Project:     r.project,
		ActionTypes: []string{r.actionType},
		MaxActions:  s.MaxActions,
		Wait:        durationpb.New(millis(s.WaitMS)),
		Lease:       durationpb.New(millis(s.LeaseMS)),
	})
	if err := expectCode(callErr, s.ExpectCode); err != nil || callErr != nil {
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
	_, err = r.client.Heartbeat(ctx, &actionqv1.HeartbeatRequest{
		Id: id, LeaseToken: token, Lease: durationpb.New(millis(s.LeaseMS)),
	})
	return expectCode(err, s.ExpectCode)
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
		resp, callErr = r.client.Complete(ctx, &actionqv1.CompleteRequest{Id: id, LeaseToken: token, ResultRef: s.ResultRef})
	case "fail":
		resp, callErr = r.client.Fail(ctx, &actionqv1.FailRequest{Id: id, LeaseToken: token, Reason: s.Reason})
	case "reject":
		resp, callErr = r.client.Reject(ctx, &actionqv1.RejectRequest{Id: id, LeaseToken: token, Reason: s.Reason, Validator: s.Validator})
	case "cancel":
		resp, callErr = r.client.Cancel(ctx, &actionqv1.CancelRequest{Id: id, Reason: s.Reason})
	case "get":
		resp, callErr = r.client.GetAction(ctx, &actionqv1.GetActionRequest{Id: id})
	}
	if err := expectCode(callErr, s.ExpectCode); err != nil || callErr != nil {
		return err
	}
	return expectStatus(resp.GetAction(), s.ExpectStatus)
}

// watch replays the events of the step's refs and compares them, in order,
// with the expected (ref, event_type) pairs.
func (r *runner) watch(ctx context.Context, s step) error {
	ids := make([]int64, 0, len(s.Refs))
	for _, ref := range s.Refs {
		id, ok := r.ids[ref]
		if !ok {
			return fmt.Errorf("ref %s was never enqueued", ref)
		}
		ids = append(ids, id)
	}
	ctx, cancel := context.WithTimeout(ctx, millis(s.TimeoutMS))
	defer cancel()
	stream, err := r.client.WatchEvents(ctx, &actionqv1.WatchEventsRequest{AfterCursor: s.AfterCursor, ActionIds: ids})
	if err != nil {
		return err
	}
	var got [][2]string
	lastEvent, lastCursor := s.AfterCursor, s.AfterCursor
	for len(got) < len(s.ExpectEvents) {
		msg, err := stream.Recv()
		if err != nil {
			return fmt.Errorf("after %d of %d events: %w (got %v)", len(got), len(s.ExpectEvents), err, got)
		}
		if len(msg.GetEvents()) == 0 {
			continue
		}
		for _, e := range msg.GetEvents() {
			if e.GetId() <= lastEvent {
				return fmt.Errorf("event %d arrived after event %d", e.GetId(), lastEvent)
			}
			lastEvent = e.GetId()
			got = append(got, [2]string{r.refOf(e.GetActionId()), e.GetEventType()})
		}
		if msg.GetCursor() <= lastCursor || msg.GetCursor() < lastEvent {
			return fmt.Errorf("cursor %d after cursor %d and event %d", msg.GetCursor(), lastCursor, lastEvent)
		}
		lastCursor = msg.GetCursor()
	}
	if !slices.Equal(got, s.ExpectEvents) {
		return fmt.Errorf("events %v, want %v", got, s.ExpectEvents)
	}
	return nil
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
		return id, uuid4(), nil
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

// expectCode compares a call's status code with the scenario's code name
// ("OK" when empty).
func expectCode(err error, want string) error {
	if want == "" {
		want = "OK"
	}
	got := codeName(status.Code(err))
	if got == want {
		return nil
	}
	if err == nil {
		return fmt.Errorf("got OK, want %s", want)
	}
	return fmt.Errorf("got %s (%s), want %s", got, status.Convert(err).Message(), want)
}

func expectStatus(a *actionqv1.Action, want string) error {
	if want == "" {
		return nil
	}
	if got := statusName(a.GetStatus()); got != want {
		return fmt.Errorf("status %s, want %s", got, want)
	}
	return nil
}

// statusName is the scenario's spelling: ACTION_STATUS_COMPLETED is "completed".
func statusName(s actionqv1.ActionStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "ACTION_STATUS_"))
}

// codeNames are the canonical gRPC code names, as the scenario spells them.
var codeNames = [...]string{
	codes.OK: "OK", codes.Canceled: "CANCELLED", codes.Unknown: "UNKNOWN",
	codes.InvalidArgument: "INVALID_ARGUMENT", codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
	codes.NotFound: "NOT_FOUND", codes.AlreadyExists: "ALREADY_EXISTS",
	codes.PermissionDenied: "PERMISSION_DENIED", codes.ResourceExhausted: "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION", codes.Aborted: "ABORTED",
	codes.OutOfRange: "OUT_OF_RANGE", codes.Unimplemented: "UNIMPLEMENTED",
	codes.Internal: "INTERNAL", codes.Unavailable: "UNAVAILABLE", codes.DataLoss: "DATA_LOSS",
	codes.Unauthenticated: "UNAUTHENTICATED",
}

func codeName(c codes.Code) string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return c.String()
}

func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

// uuid4 is a random RFC 4122 version 4 UUID.
func uuid4() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails since Go 1.24
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
