package main

import (
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"actionq.dev/go/actionq"
)

func TestJSONEqualComparesNumbersExactly(t *testing.T) {
	decode := func(text string) any {
		v, err := actionq.Decode[any](json.RawMessage(text))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{`{"n": 9007199254740993}`, `{"n": 9007199254740993}`, true},
		{`{"n": 9007199254740993}`, `{"n": 9007199254740992}`, false},
		{`{"n": -9223372036854775808}`, `{"n": -9223372036854775808.0}`, true},
		{`{"f": 3.5}`, `{"f": 3.50}`, true},
		{`{"f": 0.1}`, `{"f": 1e-1}`, true},
		{`{"f": 0.1}`, `{"f": 0.1000000000000000055511151231257827}`, false},
		{`{"a": [1, "x", null, true]}`, `{"a": [1, "x", null, true]}`, true},
		{`{"a": [1, 2]}`, `{"a": [2, 1]}`, false},
		{`{"a": 1}`, `{"a": 1, "b": 2}`, false},
		{`{"a": "1"}`, `{"a": 1}`, false},
		{`{"u": "日本語 🎉"}`, `{"u": "\u65e5\u672c\u8a9e \ud83c\udf89"}`, true},
	} {
		if got := jsonEqual(decode(c.a), decode(c.b)); got != c.want {
			t.Errorf("jsonEqual(%s, %s) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestTheScenarioReadsLosslessly(t *testing.T) {
	sc, err := load("../../../../tests/conformance/scenario.json", "p", "human:c")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sc.Steps {
		if s.Name != "a JSON payload is stored exactly" {
			continue
		}
		p := s.ExpectPayload.(map[string]any)
		if p["above_2_53"] != json.Number("9007199254740993") || p["min_int64"] != json.Number("-9223372036854775808") {
			t.Errorf("the scenario's numbers lost digits: %v", p)
		}
		text, err := actionq.EncodeJSON(s.Actions[0].Payload)
		if err != nil {
			t.Fatal(err)
		}
		if err := expectJSON("payload", json.RawMessage(text), s.ExpectPayload); err != nil {
			t.Errorf("the payload the runner sends is not the payload it expects: %v", err)
		}
		return
	}
	t.Error("the scenario has no JSON round-trip step")
}

func TestExpectErrorChecksTheReason(t *testing.T) {
	err := actionq.ErrStaleLease.GRPCStatus().Err() // no details: no reason
	if expectError(err, "FAILED_PRECONDITION", "") != nil {
		t.Error("the code alone did not match")
	}
	if expectError(err, "FAILED_PRECONDITION", "STALE_LEASE") == nil {
		t.Error("a status without ErrorInfo matched a reason")
	}
	if expectError(actionq.ErrStaleLease, "FAILED_PRECONDITION", "STALE_LEASE") != nil {
		t.Error("an *Error of STALE_LEASE did not match")
	}
	if expectError(nil, "", "") != nil || expectError(nil, "NOT_FOUND", "ACTION_NOT_FOUND") == nil {
		t.Error("OK was judged wrong")
	}
	if expectError(status.Error(codes.NotFound, "x"), "OK", "") == nil {
		t.Error("NOT_FOUND passed for OK")
	}
}

// The scenario's zero durations and attempts must reach the request as
// zeros, not as "unset" (which means a default).
func TestScenarioZerosAreSentAsZeros(t *testing.T) {
	sc, err := load("../../../../tests/conformance/scenario.json", "p", "human:c")
	if err != nil {
		t.Fatal(err)
	}
	var retryDelay, attemptZero, backoffs int
	for _, s := range sc.Steps {
		if s.RetryDelayMS != nil && *s.RetryDelayMS == 0 {
			retryDelay++
		}
		if s.ExpectAttempt != nil && *s.ExpectAttempt == 0 {
			attemptZero++
		}
		for _, a := range s.Actions {
			b, err := a.Backoff.proto()
			if err != nil {
				t.Fatalf("%s: %v", s.Name, err)
			}
			if b != nil {
				backoffs++
				if b.GetBase() == nil || b.GetBase().AsDuration() != 0 || b.GetStrategy().String() != "BACKOFF_STRATEGY_FIXED" {
					t.Errorf("%s: backoff %v, want fixed with a base of 0 s sent", s.Name, b)
				}
			}
		}
	}
	if retryDelay == 0 || attemptZero == 0 || backoffs == 0 {
		t.Errorf("found %d zero retry delays, %d zero attempts and %d backoffs in the scenario, want each", retryDelay, attemptZero, backoffs)
	}
	if _, err := (&backoff{Strategy: "linear"}).proto(); err == nil {
		t.Error("an unknown strategy was accepted")
	}
}

func TestTheScenarioNamesSignalsByProject(t *testing.T) {
	sc, err := load("../../../../tests/conformance/scenario.json", "conf-go-1", "human:c")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range sc.Steps {
		if s.Op == "signal" && s.Signal != "" {
			n++
			if !strings.HasPrefix(s.Signal, "conf-go-1:") {
				t.Errorf("step %q signals %q, not prefixed by the project", s.Name, s.Signal)
			}
		}
	}
	if n == 0 {
		t.Error("no signal step")
	}
}

func TestExpectFieldsComparesOnlyTheListedKeys(t *testing.T) {
	got := []byte(`{"signal":"s","payload":{"n":9007199254740993},"timed_out":false,"signal_id":3}`)
	if err := expectFields("w", got, map[string]any{"payload": map[string]any{"n": json.Number("9007199254740993")}, "timed_out": false}); err != nil {
		t.Fatal(err)
	}
	if err := expectFields("w", got, map[string]any{"payload": map[string]any{"n": json.Number("9007199254740992")}}); err == nil {
		t.Fatal("a payload that differs in the last digit passed")
	}
	if err := expectFields("w", got, map[string]any{"woke_at": "x"}); err == nil {
		t.Fatal("a missing key passed")
	}
}
