//! Conversions between `google.protobuf.Struct` (action payloads and results) and `serde_json`.

use prost_types::value::Kind;
use prost_types::{ListValue, Struct, Value};
use serde_json::{Map, Number};

/// Converts a JSON value to a `Struct`; `None` unless the value is an object.
pub fn to_struct(value: serde_json::Value) -> Option<Struct> {
    match value {
        serde_json::Value::Object(map) => Some(map_to_struct(map)),
        _ => None,
    }
}

/// Converts a JSON object to a `Struct`.
pub fn map_to_struct(map: Map<String, serde_json::Value>) -> Struct {
    Struct {
        fields: map.into_iter().map(|(k, v)| (k, to_value(v))).collect(),
    }
}

/// Converts a `Struct` to a JSON object.
pub fn from_struct(value: &Struct) -> serde_json::Value {
    serde_json::Value::Object(
        value
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), from_value(v)))
            .collect(),
    )
}

/// Converts a JSON value to a protobuf `Value`. Numbers become doubles, as in every protobuf runtime.
pub fn to_value(value: serde_json::Value) -> Value {
    let kind = match value {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(b) => Kind::BoolValue(b),
        serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Kind::StringValue(s),
        serde_json::Value::Array(items) => Kind::ListValue(ListValue {
            values: items.into_iter().map(to_value).collect(),
        }),
        serde_json::Value::Object(map) => Kind::StructValue(map_to_struct(map)),
    };
    Value { kind: Some(kind) }
}

/// Converts a protobuf `Value` to JSON. Integral doubles become JSON integers; NaN and infinities become null.
pub fn from_value(value: &Value) -> serde_json::Value {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::BoolValue(b)) => serde_json::Value::Bool(*b),
        Some(Kind::NumberValue(n)) => number(*n),
        Some(Kind::StringValue(s)) => serde_json::Value::String(s.clone()),
        Some(Kind::ListValue(list)) => {
            serde_json::Value::Array(list.values.iter().map(from_value).collect())
        }
        Some(Kind::StructValue(s)) => from_struct(s),
    }
}

fn number(n: f64) -> serde_json::Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: larger doubles are not exact integers
    if n.fract() == 0.0 && n.abs() <= EXACT {
        return serde_json::Value::Number(Number::from(n as i64));
    }
    Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_an_object() {
        let value = json!({"i": 1, "f": 1.5, "s": "x", "b": true, "n": null, "l": [1, "a"], "o": {"k": -2}});
        let converted = to_struct(value.clone()).expect("an object converts");
        assert_eq!(from_struct(&converted), value);
    }

    #[test]
    fn refuses_a_non_object() {
        assert!(to_struct(json!([1, 2])).is_none());
        assert!(to_struct(json!("x")).is_none());
    }
}
