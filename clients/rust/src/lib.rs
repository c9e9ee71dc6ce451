//! Rust client of actionq, a PostgreSQL-backed action queue served over gRPC.
//!
//! - [`pb`]: the generated `actionq.v1` messages and the raw tonic stub.
//! - [`ClientOptions`] / [`Client`]: address, TLS, bearer auth and default deadlines.
//! - [`Worker`]: the long-poll claim loop with heartbeats, batched completions, cancellation and
//!   graceful stop.
//! - [`json`]: conversions between `google.protobuf.Struct` payloads and `serde_json`.

pub mod client;
pub mod json;
pub mod worker;

/// Generated `actionq.v1` stubs (tonic-prost-build; regenerate with `gen.sh`).
pub mod pb {
    #![allow(missing_docs, clippy::all)]
    include!("gen/actionq.v1.rs");
}

pub use client::{Client, ClientOptions, ConnectError, Stub, DEFAULT_ADDRESS, DEFAULT_TIMEOUT};
pub use pb::{Action, ActionStatus};
pub use tokio_util::sync::CancellationToken;
pub use worker::{shutdown_on_signal, Completion, Worker};
