//! JSON payloads and results, which travel as UTF-8 JSON text (`payload_json`, `result_json`).
//!
//! Decoding goes through `serde_json` with its `arbitrary_precision` feature: a
//! [`serde_json::Number`] keeps the digits it was written with, so integers of any size
//! (2^53+1, -2^63, 2^64-1 and beyond) read back and re-encode exactly, and fractions become the
//! nearest `f64` when asked for one. Typed decoding (`action.payload::<T>()`) goes from the text
//! straight into `T` through serde.
//!
//! The helpers below are inherent methods of the generated messages, so they need no import:
//! [`pb::Action::payload`] / [`pb::Action::result`] and [`pb::Event::payload`] decode;
//! [`pb::NewAction::with_payload`], [`pb::CompleteRequest::with_result`] and
//! [`pb::EmitEventRequest::with_payload`] encode any `Serialize` (a [`serde_json::Value`] as is).

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::pb;

/// Decodes a JSON object field; empty text means `{}` (how the server stores "no payload").
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(if text.is_empty() { "{}" } else { text })
}

/// Decodes a field where empty text means "none" (`result_json`).
pub fn decode_optional<T: DeserializeOwned>(text: &str) -> Result<Option<T>, serde_json::Error> {
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(text).map(Some)
}

/// Encodes `value` as JSON text, losslessly. The server refuses anything but an object
/// (INVALID_ARGUMENT, reason INVALID_FIELD), so that is left to it.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(value)
}

impl pb::Action {
    /// The payload decoded as `T`: a [`serde_json::Value`], or any `Deserialize` type.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        decode(&self.payload_json)
    }

    /// The structured result decoded as `T`; `None` when the action has none.
    pub fn result<T: DeserializeOwned>(&self) -> Result<Option<T>, serde_json::Error> {
        decode_optional(&self.result_json)
    }

    /// The latest progress a worker reported, decoded as `T`; `None` when none was reported.
    pub fn progress<T: DeserializeOwned>(&self) -> Result<Option<T>, serde_json::Error> {
        decode_optional(&self.progress_json)
    }
}

impl pb::Event {
    /// The event's details decoded as `T`: a [`serde_json::Value`], or any `Deserialize` type.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        decode(&self.payload_json)
    }
}

impl pb::Checkpoint {
    /// The saved state decoded as `T`: a [`serde_json::Value`], or any `Deserialize` type; empty
    /// text is `{}`.
    pub fn state<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        decode(&self.state_json)
    }
}

impl pb::NewAction {
    /// Sets the payload to `payload` encoded as JSON text (a JSON object).
    pub fn with_payload<T: Serialize + ?Sized>(
        mut self,
        payload: &T,
    ) -> Result<Self, serde_json::Error> {
        self.payload_json = encode(payload)?;
        Ok(self)
    }
}

impl pb::CompleteRequest {
    /// Sets the structured result to `result` encoded as JSON text (a JSON object).
    pub fn with_result<T: Serialize + ?Sized>(
        mut self,
        result: &T,
    ) -> Result<Self, serde_json::Error> {
        self.result_json = encode(result)?;
        Ok(self)
    }
}

impl pb::HeartbeatRequest {
    /// Sets the progress to record to `progress` encoded as JSON text (a JSON object).
    pub fn with_progress<T: Serialize + ?Sized>(
        mut self,
        progress: &T,
    ) -> Result<Self, serde_json::Error> {
        self.progress_json = encode(progress)?;
        Ok(self)
    }
}

impl pb::EmitEventRequest {
    /// Sets the event's details to `payload` encoded as JSON text (a JSON object).
    pub fn with_payload<T: Serialize + ?Sized>(
        mut self,
        payload: &T,
    ) -> Result<Self, serde_json::Error> {
        self.payload_json = encode(payload)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::{json, Value};

    const BIG: &str = r#"{"above_2_53":9007199254740993,"min_int64":-9223372036854775808,"max_uint64":18446744073709551615,"beyond":123456789012345678901234567890,"fraction":0.1,"unicode":"héllo 日本語 🎉 \"q\" \\"}"#;

    #[test]
    fn big_integers_survive_a_round_trip_through_value() {
        let value: Value = decode(BIG).unwrap();
        assert_eq!(value["above_2_53"].to_string(), "9007199254740993");
        assert_eq!(value["min_int64"].as_i64(), Some(i64::MIN));
        assert_eq!(value["max_uint64"].as_u64(), Some(u64::MAX));
        assert_eq!(
            value["beyond"].to_string(),
            "123456789012345678901234567890"
        );
        assert_eq!(value["fraction"].as_f64(), Some(0.1));
        assert_eq!(value["unicode"], "héllo 日本語 🎉 \"q\" \\");
        let text = encode(&value).unwrap();
        for digits in [
            "9007199254740993",
            "-9223372036854775808",
            "18446744073709551615",
        ] {
            assert!(text.contains(digits), "{digits} is missing from {text}");
        }
        assert_eq!(decode::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn typed_decoding_keeps_every_digit() {
        #[derive(Deserialize)]
        struct Payload {
            above_2_53: u64,
            min_int64: i64,
            max_uint64: u64,
            beyond: u128,
            fraction: f64,
            unicode: String,
        }
        let action = pb::Action {
            payload_json: BIG.to_owned(),
            ..Default::default()
        };
        let payload: Payload = action.payload().unwrap();
        assert_eq!(payload.above_2_53, (1 << 53) + 1);
        assert_eq!(payload.min_int64, i64::MIN);
        assert_eq!(payload.max_uint64, u64::MAX);
        assert_eq!(payload.beyond, 123_456_789_012_345_678_901_234_567_890);
        assert_eq!(payload.fraction, 0.1);
        assert_eq!(payload.unicode, "héllo 日本語 🎉 \"q\" \\");
    }

    #[test]
    fn encoding_native_values_is_lossless() {
        let request = pb::NewAction::default()
            .with_payload(&json!({"a": u64::MAX, "b": i64::MIN, "c": (1u64 << 53) + 1, "d": 0.1}))
            .unwrap();
        assert_eq!(
            request.payload_json,
            r#"{"a":18446744073709551615,"b":-9223372036854775808,"c":9007199254740993,"d":0.1}"#
        );
        let back: Value = decode(&request.payload_json).unwrap();
        assert_eq!(back["a"].as_u64(), Some(u64::MAX));
        // A double that needs all 17 digits decodes to the same bits.
        let tricky = 2.225_073_858_507_201e-308_f64;
        let text = encode(&json!({ "x": tricky })).unwrap();
        let back: std::collections::HashMap<String, f64> = decode(&text).unwrap();
        assert_eq!(back["x"].to_bits(), tricky.to_bits());
    }

    #[test]
    fn empty_text_means_an_empty_payload_and_no_result() {
        let action = pb::Action::default();
        assert_eq!(action.payload::<Value>().unwrap(), json!({}));
        assert_eq!(action.result::<Value>().unwrap(), None);
        let done = pb::CompleteRequest::default()
            .with_result(&json!({"n": 1}))
            .unwrap();
        let action = pb::Action {
            result_json: done.result_json,
            ..Default::default()
        };
        assert_eq!(action.result::<Value>().unwrap(), Some(json!({"n": 1})));
    }

    #[test]
    fn progress_round_trips_without_losing_digits() {
        assert_eq!(pb::Action::default().progress::<Value>().unwrap(), None);
        let beat = pb::HeartbeatRequest::default()
            .with_progress(&json!({"done": 1, "big": (1u64 << 53) + 1}))
            .unwrap();
        assert_eq!(beat.progress_json, r#"{"big":9007199254740993,"done":1}"#);
        let action = pb::Action {
            progress_json: beat.progress_json,
            ..Default::default()
        };
        let progress: Value = action.progress().unwrap().unwrap();
        assert_eq!(progress["big"].as_u64(), Some((1 << 53) + 1));
    }

    #[test]
    fn checkpoint_state_keeps_every_digit_and_empty_is_an_object() {
        let checkpoint = pb::Checkpoint {
            state_json: r#"{"bytes":9007199254740993}"#.to_owned(),
            ..Default::default()
        };
        let state: Value = checkpoint.state().unwrap();
        assert_eq!(state["bytes"].as_u64(), Some((1 << 53) + 1));
        let empty: Value = pb::Checkpoint::default().state().unwrap();
        assert_eq!(empty, json!({}));
    }
}
