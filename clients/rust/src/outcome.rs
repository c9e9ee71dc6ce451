//! How a handler ends an action other than by completing it, and how it reports progress.
//!
//! A handler returns `Ok(Completion)` to complete the action or `Err(HandlerError)`:
//!
//! ```no_run
//! # use std::time::Duration;
//! # use actionq::HandlerError;
//! # fn outcomes() -> Vec<HandlerError> { vec![
//! HandlerError::fail("flaky upstream"),                       // retried after the action's backoff
//! HandlerError::retry_in(Duration::from_secs(30), "busy"),    // retried in 30 s instead
//! HandlerError::no_retry("the file is gone"),                 // failed now, attempts or not
//! HandlerError::reject("schema", "no width in the payload"),  // rejected, never retried
//! # ] }
//! ```
//!
//! A `String`, a `&str`, an [`Error`] of a client call and a `serde_json::Error` convert into
//! [`HandlerError::fail`], so `Err("text".into())` and `?` work in a handler.

use std::fmt;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tonic::{Code, Status};

use crate::client::proto_duration;
use crate::error::Error;
use crate::pb::{FailRequest, HeartbeatRequest, RejectRequest};
use crate::worker::Action;
use crate::Client;

/// Why a handler did not complete its action, and what should happen to it: one Fail (with the
/// backoff, a chosen delay or no retry) or one Reject.
#[derive(Clone, Debug, PartialEq)]
pub struct HandlerError {
    reason: String,
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// Fail; retried after the action's backoff while attempts remain.
    Fail,
    /// Fail with `retry_delay`.
    RetryIn(Duration),
    /// Fail with `no_retry`.
    NoRetry,
    /// Reject by this validator.
    Reject(String),
    /// Not an ending: the action waits on the server (see [`crate::waiting`]); nothing is reported.
    Suspended,
}

impl HandlerError {
    /// Fails the attempt: while attempts remain the server retries the action after its backoff,
    /// otherwise it ends failed.
    pub fn fail(reason: impl Into<String>) -> Self {
        Self::with(Kind::Fail, reason)
    }

    /// Fails the attempt and asks for the next one after `delay` (0 to 30 days) instead of the
    /// backoff; with no attempts left the action ends failed as usual.
    pub fn retry_in(delay: Duration, reason: impl Into<String>) -> Self {
        Self::with(Kind::RetryIn(delay), reason)
    }

    /// Fails the action for good (`no_retry`): it ends failed whatever attempts remain.
    pub fn no_retry(reason: impl Into<String>) -> Self {
        Self::with(Kind::NoRetry, reason)
    }

    /// Rejects the action: `validator` refused the work; it is never retried.
    pub fn reject(validator: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::with(Kind::Reject(validator.into()), reason)
    }

    fn with(kind: Kind, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        let reason = if reason.trim().is_empty() {
            "handler failed without a reason".to_owned()
        } else {
            reason
        };
        Self { reason, kind }
    }

    /// The reason sent to the server (Fail's or Reject's `reason`).
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The validator of a rejection; `None` for a failure.
    pub fn validator(&self) -> Option<&str> {
        match &self.kind {
            Kind::Reject(validator) => Some(validator),
            _ => None,
        }
    }

    /// The delay asked for by [`retry_in`](HandlerError::retry_in).
    pub fn retry_delay(&self) -> Option<Duration> {
        match self.kind {
            Kind::RetryIn(delay) => Some(delay),
            _ => None,
        }
    }

    /// The error [`Action::wait_for_signal`] and [`Action::sleep`] return when the action now
    /// waits on the server: the worker reports nothing for it.
    pub(crate) fn suspended(step: String) -> Self {
        Self::with(Kind::Suspended, format!("the action waits (step {step})"))
    }

    /// True when the action now waits on the server (returned by
    /// [`Action::wait_for_signal`] and [`Action::sleep`]): the handler should return it, and the
    /// worker reports nothing.
    pub fn is_suspended(&self) -> bool {
        self.kind == Kind::Suspended
    }

    /// True for [`no_retry`](HandlerError::no_retry).
    pub fn is_no_retry(&self) -> bool {
        self.kind == Kind::NoRetry
    }

    /// The call that reports this outcome: a Fail, or a Reject for a rejection.
    pub(crate) fn into_report(self, id: i64, lease_token: String) -> Report {
        let fail = |retry_delay, no_retry| FailRequest {
            id,
            lease_token: lease_token.clone(),
            reason: self.reason.clone(),
            retry_delay,
            no_retry,
            ..FailRequest::default()
        };
        match &self.kind {
            // The worker never reports a suspension; failing is the safe reading of one that
            // reached here anyway.
            Kind::Fail | Kind::Suspended => Report::Fail(fail(None, false)),
            Kind::RetryIn(delay) => Report::Fail(fail(Some(proto_duration(*delay)), false)),
            Kind::NoRetry => Report::Fail(fail(None, true)),
            Kind::Reject(validator) => Report::Reject(RejectRequest {
                id,
                lease_token: lease_token.clone(),
                reason: self.reason.clone(),
                validator: validator.clone(),
            }),
        }
    }
}

/// The RPC that reports a handler's error.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Report {
    Fail(FailRequest),
    Reject(RejectRequest),
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Reject(validator) => write!(f, "rejected by {validator}: {}", self.reason),
            _ => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for HandlerError {}

impl From<String> for HandlerError {
    fn from(reason: String) -> Self {
        Self::fail(reason)
    }
}

impl From<&str> for HandlerError {
    fn from(reason: &str) -> Self {
        Self::fail(reason)
    }
}

/// A failed call to the server fails the attempt (retried after the backoff), so `?` works on
/// the client's calls, [`Action::report_progress`] among them, inside a handler.
impl From<Error> for HandlerError {
    fn from(err: Error) -> Self {
        Self::fail(err.to_string())
    }
}

/// JSON that does not decode into the handler's type fails the attempt, so `?` works on
/// `action.payload::<T>()`; use [`HandlerError::reject`] or [`HandlerError::no_retry`] to say
/// that retrying cannot help.
impl From<serde_json::Error> for HandlerError {
    fn from(err: serde_json::Error) -> Self {
        Self::fail(err.to_string())
    }
}

/// What an [`Action`] handed to a handler needs to report progress under its claim.
#[derive(Clone, Debug)]
pub(crate) struct Lease {
    pub(crate) client: Client,
    pub(crate) token: String,
    pub(crate) length: Duration,
    /// The handler's token: cancelled when the action is no longer this worker's.
    pub(crate) stop: CancellationToken,
    /// The unnamed sleeps of this run of the handler, naming their steps.
    pub(crate) sleeps: std::sync::Arc<std::sync::atomic::AtomicU32>,
}

impl Action {
    /// Records how far the handler got: one Heartbeat carrying `progress` (a JSON object, e.g.
    /// `json!({"done": 3, "of": 10})`, or any `Serialize`) as `progress_json`, which also extends
    /// the lease as the worker's heartbeats do. The server stores it on the action (read it with
    /// `action.progress::<T>()`) and logs an `action_progress` event for watchers. Returns once
    /// the server answered.
    ///
    /// Errors: FAILED_PRECONDITION for an action a [`Worker`](crate::Worker) did not hand out;
    /// CANCELLED when an operator cancelled the action; the server's error when the heartbeat is
    /// refused. When the action was cancelled or the lease is gone (e.g.
    /// [`Reason::StaleLease`](crate::Reason::StaleLease)) the handler's `CancellationToken` is
    /// cancelled too and its outcome will not be reported.
    pub async fn report_progress<T: serde::Serialize + ?Sized>(
        &self,
        progress: &T,
    ) -> Result<(), Error> {
        let Some(lease) = &self.lease else {
            return Err(Status::failed_precondition(
                "progress can only be reported on an action a Worker handed to its handler",
            )
            .into());
        };
        let request = HeartbeatRequest {
            id: self.id,
            lease_token: lease.token.clone(),
            lease: Some(proto_duration(lease.length)),
            ..HeartbeatRequest::default()
        }
        .with_progress(progress)
        .map_err(|e| Status::invalid_argument(format!("progress does not encode as JSON: {e}")))?;
        match lease.client.heartbeat(request).await {
            Ok(response) if response.cancelled => {
                lease.stop.cancel();
                Err(Status::cancelled("the action was cancelled").into())
            }
            Ok(_) => Ok(()),
            Err(err) => {
                if matches!(err.code(), Code::FailedPrecondition | Code::NotFound) {
                    lease.stop.cancel();
                }
                Err(err)
            }
        }
    }
}

impl Action {
    /// Saves `state` (a JSON object, any `Serialize`) under `step` for this action, under the
    /// lease the [`Worker`](crate::Worker) holds (see [`Client::checkpoint`]); a later attempt
    /// reads it with [`checkpoints`](Action::checkpoints). Errors as for
    /// [`report_progress`](Action::report_progress): FAILED_PRECONDITION for an action a Worker
    /// did not hand out; when the lease is gone the handler's `CancellationToken` is cancelled.
    pub async fn save_checkpoint<T: serde::Serialize + ?Sized>(
        &self,
        step: &str,
        state: &T,
    ) -> Result<crate::pb::Checkpoint, Error> {
        let lease = self.held_lease()?;
        let saved = lease
            .client
            .checkpoint(self.id, lease.token.clone(), step, state)
            .await;
        if let Err(err) = &saved {
            if matches!(err.code(), Code::FailedPrecondition | Code::NotFound) {
                lease.stop.cancel();
            }
        }
        saved
    }

    /// This action's checkpoints from every attempt, oldest step first (see
    /// [`Client::checkpoints`]).
    pub async fn checkpoints(&self) -> Result<Vec<crate::pb::Checkpoint>, Error> {
        let lease = self.held_lease()?;
        lease.client.checkpoints(self.id).await
    }

    /// Runs `work` once per action: when an attempt already saved a checkpoint named `step`, its
    /// state is decoded as `T` and returned without running `work`; otherwise `work` runs and its
    /// value (which must encode as a JSON object) is saved under `step` and returned.
    pub async fn step<T, F, Fut>(&self, step: &str, work: F) -> Result<T, HandlerError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, HandlerError>>,
    {
        if let Some(saved) = self
            .checkpoints()
            .await?
            .into_iter()
            .find(|c| c.step == step)
        {
            return Ok(saved.state()?);
        }
        let value = work().await?;
        self.save_checkpoint(step, &value).await?;
        Ok(value)
    }

    pub(crate) fn held_lease(&self) -> Result<&Lease, Error> {
        self.lease.as_ref().ok_or_else(|| {
            Status::failed_precondition("checkpoints need an action a Worker handed to its handler")
                .into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_becomes_its_report() {
        let fail = |e: HandlerError| match e.into_report(7, "lease".to_owned()) {
            Report::Fail(request) => request,
            other => panic!("{other:?}"),
        };
        let plain = fail(HandlerError::fail("flaky"));
        assert_eq!(
            (plain.id, plain.lease_token.as_str(), plain.reason.as_str()),
            (7, "lease", "flaky")
        );
        assert_eq!((plain.retry_delay, plain.no_retry), (None, false));

        let later = fail(HandlerError::retry_in(Duration::from_millis(1500), "busy"));
        assert_eq!(
            later.retry_delay,
            Some(prost_types::Duration {
                seconds: 1,
                nanos: 500_000_000
            })
        );
        assert!(!later.no_retry);

        let at_once = fail(HandlerError::retry_in(Duration::ZERO, "again"));
        assert_eq!(at_once.retry_delay, Some(prost_types::Duration::default()));

        let never = fail(HandlerError::no_retry("gone"));
        assert_eq!((never.retry_delay, never.no_retry), (None, true));

        match HandlerError::reject("schema", "no width").into_report(7, "lease".to_owned()) {
            Report::Reject(request) => {
                assert_eq!(
                    (
                        request.validator.as_str(),
                        request.reason.as_str(),
                        request.lease_token.as_str()
                    ),
                    ("schema", "no width", "lease")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn text_converts_into_a_plain_failure() {
        let from_string: HandlerError = String::from("boom").into();
        let from_str: HandlerError = "boom".into();
        assert_eq!(from_string, HandlerError::fail("boom"));
        assert_eq!(from_str, HandlerError::fail("boom"));
        assert_eq!(
            HandlerError::fail("  ").reason(),
            "handler failed without a reason"
        );
        let rejected = HandlerError::reject("schema", "no width");
        assert_eq!(rejected.to_string(), "rejected by schema: no width");
        assert_eq!(rejected.validator(), Some("schema"));
        assert_eq!(
            HandlerError::retry_in(Duration::from_secs(2), "x").retry_delay(),
            Some(Duration::from_secs(2))
        );
        assert!(HandlerError::no_retry("x").is_no_retry());
    }

    #[tokio::test]
    async fn progress_needs_an_action_from_a_worker() {
        let action = Action::from_record(crate::pb::Action::default()).unwrap();
        let err = action
            .report_progress(&serde_json::json!({"done": 1}))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition);
    }

    #[tokio::test]
    async fn checkpoints_need_an_action_from_a_worker() {
        let action = Action::from_record(crate::pb::Action::default()).unwrap();
        let err = action
            .save_checkpoint("s", &serde_json::json!({}))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition);
        let err = action.checkpoints().await.unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition);
        let err = action
            .step("s", || async { Ok(serde_json::json!({"ran": true})) })
            .await
            .unwrap_err();
        assert!(err.reason().contains("Worker"), "{err}");
    }
}
