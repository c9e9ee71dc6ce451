package actionq

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// Payloads, results and event payloads travel as JSON object text (the
// *_json fields of the API). This client hands them out as json.RawMessage,
// untouched, and decodes them losslessly: into an `any` (or map[string]any)
// every number becomes a json.Number holding its exact decimal text, so
// 2^53+1, -2^63 and 2^64-1 keep every digit; typed targets (int64, uint64,
// *big.Int, float64, structs) decode as encoding/json decodes them.

// Action is an action with its JSON fields as json.RawMessage. The generated
// record is embedded, so a.Id, a.GetStatus() and the rest are at hand.
type Action struct {
	*actionqv1.Action
	// Payload is the action's JSON object; "{}" when it has none.
	Payload json.RawMessage
	// Result is the JSON object the worker completed it with; nil when none.
	Result json.RawMessage
	// Progress is the latest progress a worker reported (a JSON object);
	// nil when none was.
	Progress json.RawMessage

	lease *lease // set when a Worker hands the action to its handler
}

// ActionOf wraps a generated Action; nil for nil.
func ActionOf(a *actionqv1.Action) *Action {
	if a == nil {
		return nil
	}
	return &Action{
		Action: a, Payload: objectOrEmpty(a.GetPayloadJson()),
		Result: rawOrNil(a.GetResultJson()), Progress: rawOrNil(a.GetProgressJson()),
	}
}

// DecodePayload decodes the payload into v (see DecodeJSON).
func (a *Action) DecodePayload(v any) error { return DecodeJSON(a.Payload, v) }

// DecodeResult decodes the result into v (see DecodeJSON). With no result
// (a.Result == nil) it decodes JSON null: v's pointer, map or interface is
// set to nil and anything else is left as it was.
func (a *Action) DecodeResult(v any) error { return DecodeJSON(a.Result, v) }

// DecodeProgress decodes the latest reported progress into v (see
// DecodeJSON); with none it decodes JSON null, as DecodeResult does.
func (a *Action) DecodeProgress(v any) error { return DecodeJSON(a.Progress, v) }

// Event is an entry of the event log with its payload as json.RawMessage.
// The generated record is embedded: e.Cursor is where to resume after it.
type Event struct {
	*actionqv1.Event
	// Payload is the event's JSON object; "{}" when it has none.
	Payload json.RawMessage
}

// EventOf wraps a generated Event; nil for nil.
func EventOf(e *actionqv1.Event) *Event {
	if e == nil {
		return nil
	}
	return &Event{Event: e, Payload: objectOrEmpty(e.GetPayloadJson())}
}

// DecodePayload decodes the event's payload into v (see DecodeJSON).
func (e *Event) DecodePayload(v any) error { return DecodeJSON(e.Payload, v) }

// Decode returns the JSON text raw decoded as a T (see DecodeJSON), e.g.
// actionq.Decode[Thumbnail](a.Payload).
func Decode[T any](raw json.RawMessage) (T, error) {
	var v T
	err := DecodeJSON(raw, &v)
	return v, err
}

// DecodeJSON decodes one JSON value from raw into v without losing digits:
// numbers meant for an `any` become json.Number (their exact text). Empty
// raw is JSON null. Text after the value is an error.
func DecodeJSON(raw []byte, v any) error {
	if len(raw) == 0 {
		raw = []byte("null")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("actionq: JSON text continues after its value")
	}
	return nil
}

// EncodeJSON is v as the JSON text of a payload_json, result_json or an
// event's payload_json field. Any value encoding/json accepts will do
// (json.Number and *big.Int keep every digit); a json.RawMessage is sent as
// it is, once checked to be valid JSON. nil is "", which the API reads as
// "{}" for a payload and "no result" for a result. The server accepts only
// JSON objects.
func EncodeJSON(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case json.RawMessage:
		if v == nil {
			return "", nil
		}
		if !json.Valid(v) {
			return "", errors.New("actionq: json.RawMessage is not valid JSON")
		}
		return string(v), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("actionq: encode JSON: %w", err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

func objectOrEmpty(text string) json.RawMessage {
	if text == "" {
		return json.RawMessage("{}")
	}
	return json.RawMessage(text)
}

func rawOrNil(text string) json.RawMessage {
	if text == "" {
		return nil
	}
	return json.RawMessage(text)
}
