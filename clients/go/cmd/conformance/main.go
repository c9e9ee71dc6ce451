// Command conformance runs the shared actionq conformance scenario
// (tests/conformance/scenario.json) against a live server through the Go
// client and prints one line per step: "ok <name>" or "FAIL <name>: <why>".
// It exits 0 iff every step passed. The scenario is read as the client reads
// payloads, numbers as exact decimal text, and JSON is compared as values
// (numbers by exact decimal value).
//
//	ACTIONQ_SERVER=127.0.0.1:50051 ACTIONQ_CONFORMANCE_PROJECT=p \
//	ACTIONQ_CONFORMANCE_CREATED_BY=human:conformance conformance scenario.json
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"actionq.dev/go/actionq"
)

// workerName is recorded as claimed_by on every claim of the scenario.
const workerName = "conformance-go"

// scenario is the shape of scenario.json.
type scenario struct {
	ActionType string `json:"action_type"`
	Steps      []step `json:"steps"`
}

// step is any step of the scenario; each op reads the fields it needs.
type step struct {
	Op           string      `json:"op"`
	Name         string      `json:"name"`
	Ref          string      `json:"ref"`
	ID           int64       `json:"id"`
	Lease        string      `json:"lease"`
	Actions      []newAction `json:"actions"`
	MaxActions   int32       `json:"max_actions"`
	WaitMS       int64       `json:"wait_ms"`
	LeaseMS      int64       `json:"lease_ms"`
	ExpectRefs   []string    `json:"expect_refs"`
	ExpectCode   string      `json:"expect_code"`
	ExpectReason string      `json:"expect_reason"`
	ExpectStatus string      `json:"expect_status"`
	ResultRef    string      `json:"result_ref"`
	Reason       string      `json:"reason"`
	Validator    string      `json:"validator"`
	AfterCursor  string      `json:"after_cursor"`
	Refs         []string    `json:"refs"`
	TimeoutMS    int64       `json:"timeout_ms"`
	ExpectEvents [][2]string `json:"expect_events"`
	// Result is sent as Complete's result_json; nil sends none.
	Result any `json:"result"`
	// ExpectResult and ExpectPayload, when present, must equal the action's
	// result and payload as JSON values.
	ExpectResult  any `json:"expect_result"`
	ExpectPayload any `json:"expect_payload"`
	// ExpectProgress, when present, must equal the action's progress;
	// ExpectAttempt, when present, its attempt.
	ExpectProgress any    `json:"expect_progress"`
	ExpectAttempt  *int32 `json:"expect_attempt"`
	// ExpectStatuses are the statuses a wait step's actions end in, in order.
	ExpectStatuses []string `json:"expect_statuses"`
	// RetryDelayMS, when present (0 too), is Fail's retry_delay; NoRetry its no_retry.
	RetryDelayMS *int64 `json:"retry_delay_ms"`
	NoRetry      bool   `json:"no_retry"`
	// Progress is sent as a heartbeat's progress_json; nil sends none.
	Progress any `json:"progress"`
	// Step and State are a save_checkpoint step's; ExpectSteps,
	// ExpectStates and ExpectAttempts what get_checkpoints must list.
	Step           string   `json:"step"`
	State          any      `json:"state"`
	ExpectSteps    []string `json:"expect_steps"`
	ExpectStates   []any    `json:"expect_states"`
	ExpectAttempts []int32  `json:"expect_attempts"`
	// ExpectStateFields: per checkpoint, the keys whose values must match.
	ExpectStateFields []map[string]any `json:"expect_state_fields"`
	// Waiting steps: a claim's ActionType; a suspend's Signal (and Step,
	// TimeoutMS); a signal's Signal, Payload, Mode and KeepMS, and what
	// they must answer.
	ActionType      string         `json:"action_type"`
	Signal          string         `json:"signal"`
	Payload         any            `json:"payload"`
	Mode            string         `json:"mode"`
	KeepMS          *int64         `json:"keep_ms"`
	ExpectSuspended *bool          `json:"expect_suspended"`
	ExpectWake      map[string]any `json:"expect_wake"`
	ExpectWoken     []string       `json:"expect_woken"`
	ExpectKept      *bool          `json:"expect_kept"`
	// A denied step: the variable holding the token of the second client
	// ("" for none) and the call it makes.
	TokenEnv string `json:"token_env"`
	Call     string `json:"call"`
}

// newAction is one action of an enqueue step; a nil ActionType means the
// scenario's own, while "" is sent as it is. Payload is encoded by the
// client; PayloadJSON, when set, is sent verbatim instead.
type newAction struct {
	Ref         string   `json:"ref"`
	ActionType  *string  `json:"action_type"`
	Priority    int32    `json:"priority"`
	TargetRef   string   `json:"target_ref"`
	SourceRefs  []string `json:"source_refs"`
	Payload     any      `json:"payload"`
	PayloadJSON *string  `json:"payload_json"`
	MaxAttempts int32    `json:"max_attempts"`
	Backoff     *backoff `json:"backoff"`
	// DelayMS, when present, is sent as NewAction.delay.
	DelayMS *int64 `json:"delay_ms"`
}

// backoff is an action's retry policy as the scenario spells it; a
// duration that is present is sent, 0 too (unset would mean the default).
type backoff struct {
	Strategy string  `json:"strategy"`
	BaseMS   *int64  `json:"base_ms"`
	MaxMS    *int64  `json:"max_ms"`
	Jitter   float64 `json:"jitter"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: conformance SCENARIO_PATH")
		os.Exit(2)
	}
	project := envOr("ACTIONQ_CONFORMANCE_PROJECT", "conformance-go")
	createdBy := envOr("ACTIONQ_CONFORMANCE_CREATED_BY", "human:conformance")
	sc, err := load(os.Args[1], project, createdBy)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
	client, err := actionq.New(actionq.Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
	defer client.Close()

	r := &runner{
		client:     client,
		actionType: sc.ActionType,
		project:    project,
		createdBy:  createdBy,
		ids:        map[string]int64{},
		tokens:     map[string]string{},
	}
	failed := 0
	for _, s := range sc.Steps {
		if err := r.run(context.Background(), s); err != nil {
			failed++
			fmt.Printf("FAIL %s: %v\n", s.Name, err)
		} else {
			fmt.Printf("ok %s\n", s.Name)
		}
	}
	if failed > 0 {
		os.Exit(1)
	}
}

// load reads the scenario with $PROJECT and $CREATED_BY replaced in every
// string (both are plain text that needs no JSON escaping).
func load(path, project, createdBy string) (*scenario, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data := []byte(strings.NewReplacer("$PROJECT", project, "$CREATED_BY", createdBy).Replace(string(raw)))
	var sc scenario
	if err := actionq.DecodeJSON(data, &sc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &sc, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
