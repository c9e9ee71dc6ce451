package main

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

// expectError compares a call's status code with the scenario's code name
// ("OK" when empty) and, when the scenario names one, the reason of its
// google.rpc.ErrorInfo. Message text is never compared.
func expectError(err error, wantCode, wantReason string) error {
	if wantCode == "" {
		wantCode = "OK"
	}
	got := codeName(status.Code(err))
	if err == nil {
		if wantCode == "OK" {
			return nil
		}
		return fmt.Errorf("got OK, want %s", wantCode)
	}
	e := actionq.AsError(err)
	if got == wantCode && (wantReason == "" || e.Reason == wantReason) {
		return nil
	}
	return fmt.Errorf("got %s reason %q (%s), want %s reason %q", got, e.Reason, e.Message, wantCode, wantReason)
}

// expectAction checks an action's status, payload and result against the step.
func expectAction(a *actionq.Action, s step) error {
	if s.ExpectStatus != "" {
		if got := statusName(a.GetStatus()); got != s.ExpectStatus {
			return fmt.Errorf("status %s, want %s", got, s.ExpectStatus)
		}
	}
	if s.ExpectAttempt != nil && a.GetAttempt() != *s.ExpectAttempt {
		return fmt.Errorf("attempt %d, want %d", a.GetAttempt(), *s.ExpectAttempt)
	}
	if err := expectJSON("payload", a.Payload, s.ExpectPayload); err != nil {
		return err
	}
	if err := expectJSON("progress", a.Progress, s.ExpectProgress); err != nil {
		return err
	}
	return expectJSON("result", a.Result, s.ExpectResult)
}

// expectJSON compares JSON text, decoded by the client, with the value the
// scenario expects; a nil want checks nothing.
func expectJSON(what string, got json.RawMessage, want any) error {
	if want == nil {
		return nil
	}
	var v any
	if err := actionq.DecodeJSON(got, &v); err != nil {
		return fmt.Errorf("%s %s: %w", what, got, err)
	}
	if !jsonEqual(v, want) {
		return fmt.Errorf("%s %s, want %v", what, got, want)
	}
	return nil
}

// jsonEqual compares decoded JSON values, numbers (json.Number) by their
// exact decimal value: 9007199254740993 is not 9007199254740992, and 3.5
// is 3.50.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, jsonEqual)
	case json.Number:
		y, ok := b.(json.Number)
		return ok && numbersEqual(x, y)
	}
	return a == b
}

func numbersEqual(a, b json.Number) bool {
	x, okX := new(big.Rat).SetString(string(a))
	y, okY := new(big.Rat).SetString(string(b))
	return okX && okY && x.Cmp(y) == 0
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
