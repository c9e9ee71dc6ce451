//! Durable waits: a handler parks its action on the server until a named signal arrives or a
//! time passes, giving up its lease meanwhile.
//!
//! ```no_run
//! # use std::time::Duration;
//! # use actionq::{Action, Completion, HandlerError, WaitOptions};
//! # async fn handler(action: Action) -> Result<Completion, HandlerError> {
//! let approval = action
//!     .wait_for_signal("approved:42", WaitOptions::new().timeout(Duration::from_secs(86_400)))
//!     .await?; // the first run ends here: the action waits, the handler runs again once woken
//! if approval.timed_out {
//!     return Err(HandlerError::reject("approval", "nobody approved within a day"));
//! }
//! Ok(Completion::new("approved").with_result(approval.payload))
//! # }
//! ```
//!
//! [`Action::wait_for_signal`] and [`Action::sleep`] return the [`WakeUp`] when the wait is
//! already over: its step woke before (this is the handler's run after the wake-up: the server
//! stored the wake-up as the step's checkpoint) or a kept signal matches now. Otherwise the action
//! starts waiting (`waiting`, its attempt not used) and they return a [`HandlerError`] for which
//! [`HandlerError::is_suspended`] is true: return it (`?` does). The worker reports nothing; once
//! the signal or the time wakes the action it is pending again, is claimed again, and the handler
//! runs from the top, earlier [`step`](Action::step)s returning their stored results.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use tonic::{Code, Status};

use crate::client::proto_duration;
use crate::outcome::HandlerError;
use crate::pb;
use crate::worker::Action;
use crate::{Client, Error};

/// Why a wait ended: a signal (`signal`, `payload`, `signal_id`) or its timeout (`timed_out`,
/// payload `{}`).
#[derive(Clone, Debug, PartialEq)]
pub struct WakeUp {
    /// The wait's step name.
    pub step: String,
    /// The signal waited for (empty for a sleep).
    pub signal: String,
    /// The signal's payload, decoded losslessly (`{}` on a timeout).
    pub payload: Value,
    /// True when the timeout (or the sleep) ended the wait.
    pub timed_out: bool,
    /// The signal's id (0 on a timeout).
    pub signal_id: i64,
    /// When it woke, when known.
    pub woke_at: Option<prost_types::Timestamp>,
}

impl WakeUp {
    /// The wake-up a Suspend response carries.
    pub fn from_proto(wake: &pb::WakeUp) -> Result<Self, serde_json::Error> {
        Ok(Self {
            step: wake.step.clone(),
            signal: wake.signal.clone(),
            payload: crate::json::decode(&wake.payload_json)?,
            timed_out: wake.timed_out,
            signal_id: wake.signal_id,
            woke_at: wake.woke_at,
        })
    }

    /// The wake-up a wait stored as its step's checkpoint (state `{"signal", "payload",
    /// "timed_out", "signal_id", "woke_at"}`).
    pub fn from_checkpoint(checkpoint: &pb::Checkpoint) -> Result<Self, serde_json::Error> {
        let state: Value = checkpoint.state()?;
        let payload = match state.get("payload") {
            Some(payload @ Value::Object(_)) => payload.clone(),
            _ => Value::Object(serde_json::Map::new()),
        };
        Ok(Self {
            step: checkpoint.step.clone(),
            signal: state
                .get("signal")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            payload,
            timed_out: state
                .get("timed_out")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            signal_id: state.get("signal_id").and_then(Value::as_i64).unwrap_or(0),
            woke_at: state
                .get("woke_at")
                .and_then(Value::as_str)
                .and_then(|text| text.parse::<prost_types::Timestamp>().ok()),
        })
    }

    /// The payload decoded as `T`.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.payload.clone())
    }
}

/// How [`Client::send_signal`] sends a signal; the default broadcasts and is kept for the
/// server's default of 24 h.
#[derive(Clone, Debug, Default)]
pub struct SignalOptions {
    /// `Broadcast` (also `Unspecified`): wakes every action waiting for the name, and every one
    /// that starts waiting while the signal is kept. `One`: wakes one waiter, or is kept until one
    /// waits.
    pub mode: pb::SignalMode,
    /// How long later waiters can still receive it (0 = not kept, at most 30 days); `None` means
    /// 24 h.
    pub keep: Option<Duration>,
    /// Recorded as the signal_sent event's actor; empty means "operator".
    pub actor: String,
}

/// The step and timeout of [`Action::wait_for_signal`].
#[derive(Clone, Debug, Default)]
pub struct WaitOptions {
    step: Option<String>,
    timeout: Option<Duration>,
}

impl WaitOptions {
    /// No step name of its own ("signal:NAME"), no timeout.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the wait's step (the wake-up is stored as this step's checkpoint).
    pub fn step(mut self, step: impl Into<String>) -> Self {
        self.step = Some(step.into());
        self
    }

    /// Wakes the action after `timeout` without the signal (`timed_out` true).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

impl Client {
    /// Sends the signal `name` with `payload` (a JSON object, any `Serialize`, encoded
    /// losslessly): wakes the actions waiting for it and keeps it for later waiters as `options`
    /// say. The response lists the woken ids and `kept_until` when it is kept.
    pub async fn send_signal<T: serde::Serialize + ?Sized>(
        &self,
        name: impl Into<String>,
        payload: &T,
        options: SignalOptions,
    ) -> Result<pb::SignalResponse, Error> {
        let payload_json = crate::json::encode(payload).map_err(|e| {
            Error::from(Status::invalid_argument(format!(
                "signal payload does not encode as JSON: {e}"
            )))
        })?;
        let mode = match options.mode {
            pb::SignalMode::Unspecified => pb::SignalMode::Broadcast,
            mode => mode,
        };
        self.signal(pb::SignalRequest {
            name: name.into(),
            payload_json,
            mode: mode.into(),
            keep: options.keep.map(proto_duration),
            actor: options.actor,
        })
        .await
    }

    /// Parks the claimed action `id` (under `lease_token`) until `signal` (empty for a sleep)
    /// arrives or `timeout` passes, the wait named `step`. `suspended` true: it now waits and the
    /// lease is given up; false: `wake` is the outcome at once. Handlers use
    /// [`Action::wait_for_signal`] and [`Action::sleep`] instead.
    pub async fn suspend_action(
        &self,
        id: i64,
        lease_token: impl Into<String>,
        step: impl Into<String>,
        signal: impl Into<String>,
        timeout: Option<Duration>,
    ) -> Result<pb::SuspendResponse, Error> {
        self.suspend(pb::SuspendRequest {
            id,
            lease_token: lease_token.into(),
            step: step.into(),
            signal: signal.into(),
            until: None,
            timeout: timeout.map(proto_duration),
        })
        .await
    }
}

impl Action {
    /// Waits durably for the signal `name` (see the [module](crate::waiting) documentation): the
    /// [`WakeUp`] when the wait is over, else a suspended [`HandlerError`] to return. The step is
    /// `options`' or "signal:NAME". Errors as for [`save_checkpoint`](Action::save_checkpoint).
    pub async fn wait_for_signal(
        &self,
        name: &str,
        options: WaitOptions,
    ) -> Result<WakeUp, HandlerError> {
        let step = options.step.unwrap_or_else(|| format!("signal:{name}"));
        self.wait(step, name, options.timeout).await
    }

    /// Sleeps durably for `duration`: the action waits on the server without a lease (a
    /// suspended [`HandlerError`] to return) and the handler runs again once the time has
    /// passed, this sleep then returning its timed-out [`WakeUp`]. The step is `step` or
    /// "sleep:N", N counting the unnamed sleeps of this run of the handler from 0 (so a handler
    /// must reach its sleeps in the same order on every run, or name them).
    pub async fn sleep(
        &self,
        duration: Duration,
        step: Option<&str>,
    ) -> Result<WakeUp, HandlerError> {
        let step = match step {
            Some(step) => step.to_owned(),
            None => {
                let lease = self.held_lease()?;
                format!("sleep:{}", lease.sleeps.fetch_add(1, Ordering::Relaxed))
            }
        };
        self.wait(step, "", Some(duration)).await
    }

    /// The step's stored wake-up, or one Suspend.
    async fn wait(
        &self,
        step: String,
        signal: &str,
        timeout: Option<Duration>,
    ) -> Result<WakeUp, HandlerError> {
        let lease = self.held_lease()?;
        if let Some(saved) = self.checkpoints().await?.iter().find(|c| c.step == step) {
            return Ok(WakeUp::from_checkpoint(saved)?);
        }
        let response = match lease
            .client
            .suspend_action(self.id, lease.token.clone(), step.clone(), signal, timeout)
            .await
        {
            Ok(response) => response,
            Err(err) => {
                if matches!(err.code(), Code::FailedPrecondition | Code::NotFound) {
                    lease.stop.cancel();
                }
                return Err(err.into());
            }
        };
        if response.suspended {
            // The lease is given up: nothing is reported for this run.
            lease.stop.cancel();
            return Err(HandlerError::suspended(step));
        }
        match &response.wake {
            Some(wake) => Ok(WakeUp::from_proto(wake)?),
            None => Err(HandlerError::fail(format!(
                "Suspend at step {step} answered neither suspended nor a wake-up"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_wake_up_decodes_losslessly() {
        let checkpoint = pb::Checkpoint {
            step: "w".into(),
            state_json: r#"{"signal":"s","payload":{"n":9007199254740993},"timed_out":false,"signal_id":12,"woke_at":"2026-11-30T17:00:00.250+00:00"}"#.into(),
            ..pb::Checkpoint::default()
        };
        let wake = WakeUp::from_checkpoint(&checkpoint).unwrap();
        assert_eq!(wake.step, "w");
        assert_eq!(wake.signal, "s");
        assert_eq!(
            serde_json::to_string(&wake.payload).unwrap(),
            r#"{"n":9007199254740993}"#
        );
        assert!(!wake.timed_out);
        assert_eq!(wake.signal_id, 12);
        assert_eq!(
            wake.woke_at,
            Some(prost_types::Timestamp {
                seconds: 1_796_058_000,
                nanos: 250_000_000
            })
        );
        let slept = WakeUp::from_checkpoint(&pb::Checkpoint {
            step: "sleep:0".into(),
            state_json: r#"{"signal":"","payload":{},"timed_out":true,"signal_id":0}"#.into(),
            ..pb::Checkpoint::default()
        })
        .unwrap();
        assert!(slept.timed_out);
        assert_eq!(slept.payload, serde_json::json!({}));
        assert_eq!(slept.woke_at, None);
    }

    #[tokio::test]
    async fn waiting_needs_an_action_from_a_worker() {
        let action = Action::from_record(pb::Action::default()).unwrap();
        let err = action
            .wait_for_signal("s", WaitOptions::new())
            .await
            .unwrap_err();
        assert!(!err.is_suspended());
        assert!(action.sleep(Duration::from_secs(1), None).await.is_err());
    }
}
