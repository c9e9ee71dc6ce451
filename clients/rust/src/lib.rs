//! Rust client of actionq, a PostgreSQL-backed action queue served over gRPC.
//!
//! - [`pb`]: the generated `actionq.v1` messages and the raw tonic stub.
//! - [`ClientOptions`] / [`Client`]: address, TLS, bearer auth, default deadlines, and an Enqueue
//!   that is safe to retry (a `request_id` per call).
//! - [`Error`] / [`Reason`]: typed errors from the `google.rpc.ErrorInfo` the server sends.
//! - [`json`]: payloads and results as `serde_json` values, decoded losslessly
//!   (`action.payload::<T>()`, `NewAction::with_payload`).
//! - [`EventFollower`]: the event log followed live across disconnects, by opaque cursor.
//! - [`Worker`]: the long-poll claim loop with heartbeats, batched completions, cancellation and
//!   graceful stop; handlers end an action with a [`Completion`] or a [`HandlerError`] (fail, retry
//!   in a chosen delay, no retry, reject) and report progress with [`Action::report_progress`];
//!   [`waiting`]: durable waits for a signal or a time ([`Action::wait_for_signal`],
//!   [`Action::sleep`]) and [`Client::send_signal`].

pub mod client;
pub mod error;
pub mod events;
pub mod json;
pub mod outcome;
pub mod waiting;
pub mod worker;

/// Generated `actionq.v1` stubs (tonic-prost-build; regenerate with `gen.sh`).
pub mod pb {
    #![allow(missing_docs, clippy::all)]
    include!("gen/actionq.v1.rs");
}

pub use client::{
    Client, ClientOptions, ConnectError, Stub, DEFAULT_ADDRESS, DEFAULT_TIMEOUT, ENQUEUE_ATTEMPTS,
};
pub use error::{Error, Reason, ERROR_DOMAIN};
pub use events::EventFollower;
pub use outcome::HandlerError;
pub use pb::{ActionStatus, SignalMode};
pub use tokio_util::sync::CancellationToken;
pub use waiting::{SignalOptions, WaitOptions, WakeUp};
pub use worker::{shutdown_on_signal, Action, Completion, Worker};
