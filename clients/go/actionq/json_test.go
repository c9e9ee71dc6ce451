package actionq

import (
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"

	actionqv1 "actionq.dev/go/actionq/v1"
)

// text is JSON whose numbers no float64 holds exactly, and unicode.
const text = `{"above_2_53": 9007199254740993, "min_int64": -9223372036854775808, "max_int64": 9223372036854775807,` +
	` "max_uint64": 18446744073709551615, "huge": 123456789012345678901234567890, "fraction": 0.1,` +
	` "unicode": "héllo 日本語 🎉 \"q\" \\ \u2028", "list": [1, -2, 3.5, true, false, null, "x"], "html": "<a&b>"}`

func TestDecodeIntoAnyKeepsEveryDigit(t *testing.T) {
	v, err := Decode[map[string]any](json.RawMessage(text))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"above_2_53": "9007199254740993", "min_int64": "-9223372036854775808", "max_int64": "9223372036854775807",
		"max_uint64": "18446744073709551615", "huge": "123456789012345678901234567890", "fraction": "0.1",
	} {
		if got, ok := v[key].(json.Number); !ok || string(got) != want {
			t.Errorf("%s = %#v, want json.Number %s", key, v[key], want)
		}
	}
	if v["unicode"] != "héllo 日本語 🎉 \"q\" \\ \u2028" {
		t.Errorf("unicode = %q", v["unicode"])
	}
	want := []any{json.Number("1"), json.Number("-2"), json.Number("3.5"), true, false, nil, "x"}
	if !reflect.DeepEqual(v["list"], want) {
		t.Errorf("list = %#v", v["list"])
	}
}

func TestDecodeIntoTypedTargets(t *testing.T) {
	var v struct {
		Above  int64    `json:"above_2_53"`
		Min    int64    `json:"min_int64"`
		Max    uint64   `json:"max_uint64"`
		Huge   *big.Int `json:"huge"`
		Frac   float64  `json:"fraction"`
		Absent string   `json:"absent"`
	}
	a := ActionOf(&actionqv1.Action{PayloadJson: text})
	if err := a.DecodePayload(&v); err != nil {
		t.Fatal(err)
	}
	if v.Above != 9007199254740993 || v.Min != -9223372036854775808 || v.Max != 18446744073709551615 ||
		v.Huge.String() != "123456789012345678901234567890" || v.Frac != 0.1 {
		t.Errorf("decoded %+v", v)
	}
}

func TestEncodeJSONRoundTripsWhatItDecoded(t *testing.T) {
	v, err := Decode[map[string]any](json.RawMessage(text))
	if err != nil {
		t.Fatal(err)
	}
	out, err := EncodeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode[map[string]any](json.RawMessage(out))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, back) {
		t.Errorf("round trip changed the value:\n%v\n%v", v, back)
	}
	if want := `"html":"<a&b>"`; !strings.Contains(out, want) {
		t.Errorf("EncodeJSON escaped HTML: %s", out)
	}
}

func TestEncodeJSON(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{nil, ""},
		{json.RawMessage(nil), ""},
		{json.RawMessage(`{ "a" : 1 }`), `{ "a" : 1 }`},
		{map[string]any{"n": json.Number("18446744073709551616"), "i": int64(-9223372036854775808)}, `{"i":-9223372036854775808,"n":18446744073709551616}`},
		{struct {
			Big *big.Int `json:"big"`
		}{new(big.Int).Lsh(big.NewInt(1), 70)}, `{"big":1180591620717411303424}`},
	} {
		got, err := EncodeJSON(c.in)
		if err != nil || got != c.want {
			t.Errorf("EncodeJSON(%#v) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []any{json.RawMessage(`{"a":`), map[string]any{"f": func() {}}, map[string]float64{"nan": math.NaN()}} {
		if got, err := EncodeJSON(bad); err == nil {
			t.Errorf("EncodeJSON(%#v) = %q, want an error", bad, got)
		}
	}
}

func TestDecodeJSONRefusesTrailingText(t *testing.T) {
	var v any
	if err := DecodeJSON([]byte(`{"a":1} {"b":2}`), &v); err == nil {
		t.Error("two values decoded as one")
	}
	if err := DecodeJSON([]byte(" {\"a\":1}\n"), &v); err != nil {
		t.Errorf("whitespace around a value: %v", err)
	}
}

func TestRecordsOfEmptyJSONFields(t *testing.T) {
	a := ActionOf(&actionqv1.Action{Id: 3})
	if string(a.Payload) != "{}" || a.Result != nil || a.GetId() != 3 {
		t.Errorf("ActionOf an action without JSON = %+v", a)
	}
	res := map[string]any{"keep": true}
	if err := a.DecodeResult(&res); err != nil || res != nil {
		t.Errorf("DecodeResult without a result = %v, %v; want nil map, no error", res, err)
	}
	a = ActionOf(&actionqv1.Action{ResultJson: `{"n": 18446744073709551615}`})
	var r struct{ N uint64 }
	if err := a.DecodeResult(&r); err != nil || r.N != 18446744073709551615 {
		t.Errorf("DecodeResult = %+v, %v", r, err)
	}
	e := EventOf(&actionqv1.Event{PayloadJson: `{"cycle": 9007199254740993}`, Cursor: "opaque"})
	var p map[string]any
	if err := e.DecodePayload(&p); err != nil || p["cycle"] != json.Number("9007199254740993") || e.Cursor != "opaque" {
		t.Errorf("event payload %v, %v", p, err)
	}
	if ActionOf(nil) != nil || EventOf(nil) != nil {
		t.Error("records of nil are not nil")
	}
}
