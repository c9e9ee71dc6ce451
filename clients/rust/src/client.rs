//! Connecting to an actionq server: address, TLS, bearer auth and default per-call deadlines.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::service::Interceptor;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Code, Request, Status, Streaming};

use crate::events::EventFollower;
use crate::pb;
use crate::pb::action_queue_service_client::ActionQueueServiceClient;
use crate::Error;

/// Address used when neither the options nor `ACTIONQ_SERVER` name one.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:50051";
/// Deadline of every unary call; a Claim gets its `wait` on top.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How many times [`Client::enqueue`] sends one request (the first call and its retries) while it
/// fails with UNAVAILABLE or DEADLINE_EXCEEDED.
pub const ENQUEUE_ATTEMPTS: u32 = 4;

/// The generated tonic stub as [`Client`] wires it: bearer auth on every call, no default deadline.
pub type Stub = ActionQueueServiceClient<InterceptedService<Channel, BearerAuth>>;

/// Environment variables [`ClientOptions::from_env`] reads, the same as the other clients'.
pub mod env {
    /// `host:port` or a URI of the server.
    pub const SERVER: &str = "ACTIONQ_SERVER";
    /// The API token, sent as `authorization: Bearer <token>`.
    pub const TOKEN: &str = "ACTIONQ_TOKEN";
    /// A PEM file of the CA(s) to trust instead of the system's roots; implies TLS.
    pub const CA_FILE: &str = "ACTIONQ_CA_FILE";
    /// A PEM client certificate (chain) for mutual TLS; implies TLS; needs [`CLIENT_KEY`].
    pub const CLIENT_CERT: &str = "ACTIONQ_CLIENT_CERT";
    /// The PEM private key of [`CLIENT_CERT`].
    pub const CLIENT_KEY: &str = "ACTIONQ_CLIENT_KEY";
    /// `true` (or `1`, `yes`, `on`): TLS verified against the system's roots.
    pub const TLS: &str = "ACTIONQ_TLS";
}

/// How to reach an actionq server. Build it with [`ClientOptions::from_env`] and the setters,
/// then [`connect`](ClientOptions::connect).
///
/// TLS is on when [`tls`](ClientOptions::tls) is set or a CA file or client certificate is
/// given. The server is verified against the CA file when there is one, else against the
/// system's roots; a client certificate and its key add mutual TLS.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// `host:port`, or a full `http://` / `https://` URI.
    pub address: String,
    /// Connect over TLS (verified against the system's roots unless `ca_file` is set).
    pub tls: bool,
    /// Sent as `authorization: Bearer <token>` on every call when set.
    pub token: Option<String>,
    /// PEM file of the CA(s) that signed the server's certificate, trusted instead of the
    /// system's roots; implies TLS.
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate for mutual TLS; implies TLS; goes with `key_file`.
    pub cert_file: Option<PathBuf>,
    /// PEM private key of `cert_file`.
    pub key_file: Option<PathBuf>,
    /// Send the token over plaintext to an address that is not loopback (a trusted network);
    /// without it such a connection is refused.
    pub insecure_token: bool,
    /// Deadline of each unary call (a Claim's deadline is its `wait` plus this).
    pub timeout: Duration,
    /// How long establishing the connection may take.
    pub connect_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self::from_env()
    }
}

impl ClientOptions {
    /// Options from the environment ([`mod@env`]): the address from `ACTIONQ_SERVER` (else
    /// [`DEFAULT_ADDRESS`]), the token from `ACTIONQ_TOKEN`, TLS from `ACTIONQ_CA_FILE`,
    /// `ACTIONQ_CLIENT_CERT` / `ACTIONQ_CLIENT_KEY` and `ACTIONQ_TLS`; [`DEFAULT_TIMEOUT`].
    /// With none of them set: plaintext to 127.0.0.1:50051, no token. The setters override.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](ClientOptions::from_env) reading the variables through `var` (empty or blank
    /// values count as unset).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let path = |name: &str| var(name).map(|v| PathBuf::from(v.trim()));
        Self {
            address: var(env::SERVER)
                .map(|a| a.trim().to_owned())
                .unwrap_or_else(|| DEFAULT_ADDRESS.to_owned()),
            tls: var(env::TLS).is_some_and(|v| {
                matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "1" | "true" | "yes" | "on"
                )
            }),
            token: var(env::TOKEN).map(|t| t.trim().to_owned()),
            ca_file: path(env::CA_FILE),
            cert_file: path(env::CLIENT_CERT),
            key_file: path(env::CLIENT_KEY),
            insecure_token: false,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: Duration::from_secs(5),
        }
    }

    /// Sets the server address (`host:port` or a URI).
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// Turns TLS with the system's roots on or off (a CA file or client certificate turns it on
    /// regardless).
    pub fn tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Sends `authorization: Bearer <token>` on every call.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sends no token (whatever `ACTIONQ_TOKEN` says).
    pub fn no_token(mut self) -> Self {
        self.token = None;
        self
    }

    /// Trusts the CA(s) in this PEM file instead of the system's roots; implies TLS.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Presents this PEM certificate and its PEM key to the server (mutual TLS); implies TLS.
    pub fn client_cert(
        mut self,
        cert_file: impl Into<PathBuf>,
        key_file: impl Into<PathBuf>,
    ) -> Self {
        self.cert_file = Some(cert_file.into());
        self.key_file = Some(key_file.into());
        self
    }

    /// Allows sending the token over plaintext to an address that is not loopback, for a network
    /// you trust; without it, [`connect`](ClientOptions::connect) refuses
    /// ([`ConnectError::TokenInPlaintext`]).
    pub fn insecure_token(mut self, insecure_token: bool) -> Self {
        self.insecure_token = insecure_token;
        self
    }

    /// Sets the default deadline of unary calls.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether the connection will use TLS: [`tls`](ClientOptions::tls), a CA file or a client
    /// certificate.
    pub fn uses_tls(&self) -> bool {
        self.tls || self.ca_file.is_some() || self.cert_file.is_some() || self.key_file.is_some()
    }

    /// Connects now, failing fast when the server cannot be reached. The channel reconnects by
    /// itself later on.
    pub async fn connect(self) -> Result<Client, ConnectError> {
        let endpoint = self.endpoint()?;
        let channel = endpoint.connect().await.map_err(ConnectError::Transport)?;
        self.client(channel)
    }

    /// Returns a client whose channel connects on its first call (files are read now).
    pub fn connect_lazy(self) -> Result<Client, ConnectError> {
        let channel = self.endpoint()?.connect_lazy();
        self.client(channel)
    }

    fn endpoint(&self) -> Result<Endpoint, ConnectError> {
        let tls = self.tls_config()?;
        let uri = if self.address.contains("://") {
            self.address.clone()
        } else if tls.is_some() {
            format!("https://{}", self.address)
        } else {
            format!("http://{}", self.address)
        };
        let endpoint = Endpoint::from_shared(uri)
            .map_err(|_| ConnectError::InvalidAddress(self.address.clone()))?;
        if tls.is_none()
            && self.token.is_some()
            && !self.insecure_token
            && !is_loopback(endpoint.uri().host().unwrap_or_default())
        {
            return Err(ConnectError::TokenInPlaintext(self.address.clone()));
        }
        let mut endpoint = endpoint
            .connect_timeout(self.connect_timeout)
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_while_idle(true);
        if let Some(tls) = tls {
            endpoint = endpoint.tls_config(tls).map_err(ConnectError::Transport)?;
        }
        Ok(endpoint)
    }

    /// The TLS settings, files read; `None` for plaintext.
    fn tls_config(&self) -> Result<Option<ClientTlsConfig>, ConnectError> {
        if !self.uses_tls() {
            return Ok(None);
        }
        let mut config = ClientTlsConfig::new();
        config = match &self.ca_file {
            Some(path) => config.ca_certificate(Certificate::from_pem(read(path)?)),
            None => config.with_native_roots(),
        };
        match (&self.cert_file, &self.key_file) {
            (Some(cert), Some(key)) => {
                config = config.identity(Identity::from_pem(read(cert)?, read(key)?));
            }
            (None, None) => {}
            _ => return Err(ConnectError::IncompleteClientCert),
        }
        Ok(Some(config))
    }

    fn client(&self, channel: Channel) -> Result<Client, ConnectError> {
        let authorization = match &self.token {
            Some(token) => Some(
                format!("Bearer {token}")
                    .parse()
                    .map_err(|_| ConnectError::InvalidToken)?,
            ),
            None => None,
        };
        let stub =
            ActionQueueServiceClient::with_interceptor(channel, BearerAuth { authorization });
        Ok(Client {
            stub,
            timeout: self.timeout,
        })
    }
}

/// Whether `host` (a URI's host: a name, an IPv4 address or a bracketed IPv6 one) is this machine.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn read(path: &Path) -> Result<Vec<u8>, ConnectError> {
    std::fs::read(path).map_err(|source| ConnectError::ReadFile {
        path: path.to_owned(),
        source,
    })
}

/// Why [`ClientOptions::connect`] failed.
#[derive(Debug)]
pub enum ConnectError {
    /// The address is not `host:port` or a valid URI.
    InvalidAddress(String),
    /// The token cannot be sent as an HTTP header value.
    InvalidToken,
    /// A client certificate without its key, or a key without its certificate.
    IncompleteClientCert,
    /// A token would go over plaintext to this address, which is not loopback: use TLS, or
    /// [`insecure_token`](ClientOptions::insecure_token) on a trusted network.
    TokenInPlaintext(String),
    /// A CA, certificate or key file cannot be read.
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// The connection or the TLS setup failed.
    Transport(tonic::transport::Error),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidAddress(address) => {
                write!(f, "invalid actionq server address {address:?}")
            }
            Self::InvalidToken => f.write_str("the auth token is not a valid header value"),
            Self::IncompleteClientCert => f.write_str(
                "a client certificate and its key go together (mutual TLS): set both or neither",
            ),
            Self::TokenInPlaintext(address) => write!(
                f,
                "refusing to send the token in plaintext to {address}: use TLS (ca_file, tls, \
                 ACTIONQ_CA_FILE, ACTIONQ_TLS=true), or insecure_token on a trusted network"
            ),
            Self::ReadFile { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            Self::Transport(err) => write!(f, "cannot connect to the actionq server: {err}"),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(err) => Some(err),
            Self::ReadFile { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Adds the `authorization` header to every call.
#[derive(Clone, Debug)]
pub struct BearerAuth {
    authorization: Option<MetadataValue<Ascii>>,
}

impl Interceptor for BearerAuth {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(value) = &self.authorization {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        Ok(request)
    }
}

/// An actionq client: one method per RPC, each with its default deadline, each failing with a typed
/// [`Error`]. Cheap to clone; clones share one HTTP/2 connection.
#[derive(Clone, Debug)]
pub struct Client {
    stub: Stub,
    timeout: Duration,
}

macro_rules! unary {
    ($(#[$doc:meta])* $name:ident($request:ty) -> $response:ty) => {
        $(#[$doc])*
        pub async fn $name(&self, request: $request) -> Result<$response, Error> {
            let request = with_deadline(request, self.timeout);
            Ok(self.stub.clone().$name(request).await?.into_inner())
        }
    };
}

impl Client {
    /// The raw generated stub, for calls that need their own metadata or deadline.
    pub fn stub(&self) -> Stub {
        self.stub.clone()
    }

    /// The default deadline of unary calls.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Stores one or more actions atomically, safe to retry: the request gets a fresh `request_id`
    /// (a UUID) unless the caller set one, and a call that fails with UNAVAILABLE or
    /// DEADLINE_EXCEEDED (the reply may have been lost after the server committed) is sent again
    /// with the same id, up to [`ENQUEUE_ATTEMPTS`] times with backoff from 100 ms to 1 s. The server
    /// answers a repeat with the first call's actions and `replayed = true` instead of storing them
    /// twice. Reusing a request_id for a different request is ALREADY_EXISTS
    /// ([`Reason::RequestIdReused`](crate::Reason::RequestIdReused)).
    pub async fn enqueue(&self, request: pb::EnqueueRequest) -> Result<pb::EnqueueResponse, Error> {
        let request = with_request_id(request);
        let send = |request| {
            let mut stub = self.stub.clone();
            let request = with_deadline(request, self.timeout);
            async move { Ok(stub.enqueue(request).await?.into_inner()) }
        };
        retry_unanswered(request, send).await
    }
    unary!(
        /// Returns one action.
        get_action(pb::GetActionRequest) -> pb::GetActionResponse
    );
    unary!(
        /// Lists actions, one page at a time.
        list_actions(pb::ListActionsRequest) -> pb::ListActionsResponse
    );
    unary!(
        /// Extends the lease of a claimed action; `cancelled` says to stop working on it.
        heartbeat(pb::HeartbeatRequest) -> pb::HeartbeatResponse
    );
    unary!(
        /// Marks a claimed action completed.
        complete(pb::CompleteRequest) -> pb::CompleteResponse
    );
    unary!(
        /// Completes several claimed actions in one transaction; refused items come back in
        /// `failures` and do not stop the others.
        complete_many(pb::CompleteManyRequest) -> pb::CompleteManyResponse
    );
    unary!(
        /// Records a failed attempt.
        fail(pb::FailRequest) -> pb::FailResponse
    );
    unary!(
        /// Marks a claimed action rejected by a validator.
        reject(pb::RejectRequest) -> pb::RejectResponse
    );
    unary!(
        /// Cancels a pending or claimed action.
        cancel(pb::CancelRequest) -> pb::CancelResponse
    );
    unary!(
        /// Requeues every claimed action whose lease has expired.
        sweep(pb::SweepRequest) -> pb::SweepResponse
    );
    unary!(
        /// Reads the event log after a cursor, one page at a time.
        list_events(pb::ListEventsRequest) -> pb::ListEventsResponse
    );
    unary!(
        /// Appends a coordinator event.
        emit_event(pb::EmitEventRequest) -> pb::EmitEventResponse
    );
    unary!(
        /// Counts actions per queue, action type and status.
        get_queue_stats(pb::GetQueueStatsRequest) -> pb::GetQueueStatsResponse
    );
    unary!(
        /// Creates or upgrades the schema.
        migrate(pb::MigrateRequest) -> pb::MigrateResponse
    );
    unary!(
        /// Puts dead actions (failed, rejected, cancelled) back to pending with fresh attempts, by
        /// id or by filter ([`retry_ids`](Client::retry_ids) for the common case). A filter call
        /// retries at most `limit`; call again while `more` is true.
        retry(pb::RetryRequest) -> pb::RetryResponse
    );
    unary!(
        /// Lists every queue with its settings and live counts.
        list_queues(pb::ListQueuesRequest) -> pb::ListQueuesResponse
    );
    unary!(
        /// Sets a queue's defaults (max_attempts, backoff, lease), creating it if need be.
        update_queue(pb::UpdateQueueRequest) -> pb::UpdateQueueResponse
    );
    unary!(
        /// Stops claiming from a queue; enqueuing continues.
        pause_queue(pb::PauseQueueRequest) -> pb::PauseQueueResponse
    );
    unary!(
        /// Lets claiming from a paused queue continue.
        resume_queue(pb::ResumeQueueRequest) -> pb::ResumeQueueResponse
    );
    unary!(
        /// Deletes finished actions older than a cutoff, one bounded batch per call.
        prune(pb::PruneRequest) -> pb::PruneResponse
    );
    unary!(
        /// Saves one step's state for a claimed action under its lease (a stale lease is
        /// FAILED_PRECONDITION / STALE_LEASE). [`Client::checkpoint`] encodes the state for you.
        save_checkpoint(pb::SaveCheckpointRequest) -> pb::SaveCheckpointResponse
    );
    unary!(
        /// Lists an action's checkpoints from every attempt, oldest step first.
        get_checkpoints(pb::GetCheckpointsRequest) -> pb::GetCheckpointsResponse
    );
    unary!(
        /// Parks a claimed action until a signal or a time (see [`Client::suspend_action`]).
        suspend(pb::SuspendRequest) -> pb::SuspendResponse
    );
    unary!(
        /// Sends a named signal (see [`Client::send_signal`]).
        signal(pb::SignalRequest) -> pb::SignalResponse
    );

    /// Saves `state` (a JSON object, any `Serialize`, encoded losslessly) under `step` for the
    /// claimed action `id`, under its `lease_token`; saving a step again replaces its state.
    /// Returns the stored checkpoint (read its state with [`pb::Checkpoint::state`]). A stale
    /// lease is FAILED_PRECONDITION / [`Reason::StaleLease`](crate::Reason::StaleLease); an action
    /// that is not claimed [`Reason::IllegalTransition`](crate::Reason::IllegalTransition).
    pub async fn checkpoint<T: serde::Serialize + ?Sized>(
        &self,
        id: i64,
        lease_token: impl Into<String>,
        step: impl Into<String>,
        state: &T,
    ) -> Result<pb::Checkpoint, Error> {
        let state_json = crate::json::encode(state).map_err(|e| {
            Error::from(tonic::Status::invalid_argument(format!(
                "checkpoint state does not encode as JSON: {e}"
            )))
        })?;
        let request = pb::SaveCheckpointRequest {
            id,
            lease_token: lease_token.into(),
            step: step.into(),
            state_json,
        };
        Ok(self
            .save_checkpoint(request)
            .await?
            .checkpoint
            .unwrap_or_default())
    }

    /// The checkpoints of action `id` saved by every attempt, oldest step first; each one's
    /// `step`, `attempt` (the attempt that last saved it), `created_at`, `updated_at`, and its
    /// state through [`pb::Checkpoint::state`].
    pub async fn checkpoints(&self, id: i64) -> Result<Vec<pb::Checkpoint>, Error> {
        Ok(self
            .get_checkpoints(pb::GetCheckpointsRequest { id })
            .await?
            .checkpoints)
    }

    /// Puts the dead actions `ids` (failed, rejected or cancelled) back to pending with fresh
    /// attempts and returns their ids. If any one is not dead none is retried: FAILED_PRECONDITION
    /// / [`Reason::IllegalTransition`](crate::Reason::IllegalTransition).
    pub async fn retry_ids(&self, ids: impl IntoIterator<Item = i64>) -> Result<Vec<i64>, Error> {
        let request = pb::RetryRequest {
            ids: ids.into_iter().collect(),
            ..Default::default()
        };
        Ok(self.retry(request).await?.retried_ids)
    }

    /// Waits until every named action is in a terminal status; the deadline is the request's
    /// `timeout` plus the default timeout, so the server's WAIT_TIMEOUT always answers first.
    pub async fn wait_action(
        &self,
        request: pb::WaitActionRequest,
    ) -> Result<pb::WaitActionResponse, Error> {
        let timeout = request
            .timeout
            .and_then(|t| Duration::try_from(t).ok())
            .unwrap_or_default();
        let request = with_deadline(request, timeout + self.timeout);
        Ok(self.stub.clone().wait_action(request).await?.into_inner())
    }

    /// Returns the actions `ids`, in that order, as soon as every one is in a terminal status
    /// (completed, failed, rejected, cancelled). It waits at most `timeout` (up to 1 h): past it
    /// the error is DEADLINE_EXCEEDED / [`Reason::WaitTimeout`](crate::Reason::WaitTimeout). A
    /// zero timeout waits up to the call's default deadline. An unknown id is NOT_FOUND /
    /// [`Reason::ActionNotFound`](crate::Reason::ActionNotFound).
    pub async fn wait(
        &self,
        ids: impl IntoIterator<Item = i64>,
        timeout: Duration,
    ) -> Result<Vec<pb::Action>, Error> {
        let request = pb::WaitActionRequest {
            ids: ids.into_iter().collect(),
            timeout: (!timeout.is_zero()).then(|| proto_duration(timeout)),
        };
        Ok(self.wait_action(request).await?.actions)
    }

    /// Claims up to `max_actions`, long-polling up to `wait`; the deadline is `wait` plus the
    /// default timeout so the server always answers first.
    pub async fn claim(&self, request: pb::ClaimRequest) -> Result<pb::ClaimResponse, Error> {
        let wait = request
            .wait
            .and_then(|w| Duration::try_from(w).ok())
            .unwrap_or_default();
        let request = with_deadline(request, wait + self.timeout);
        Ok(self.stub.clone().claim(request).await?.into_inner())
    }

    /// Opens the live event stream after `request.after_cursor` (empty: the start of the log). It
    /// has no deadline: drop the stream to close it. Each message carries the `cursor` to resume
    /// from; [`follow_events`](Client::follow_events) does the resuming for you.
    pub async fn watch_events(
        &self,
        request: pb::WatchEventsRequest,
    ) -> Result<Streaming<pb::WatchEventsResponse>, Error> {
        Ok(self.stub.clone().watch_events(request).await?.into_inner())
    }

    /// Follows the event log from `request.after_cursor`, one event at a time, reopening the stream
    /// from the last cursor it was given when the connection drops or the server restarts.
    pub fn follow_events(&self, request: pb::WatchEventsRequest) -> EventFollower {
        EventFollower::new(self.clone(), request)
    }
}

/// Gives the request a fresh UUID as its `request_id` unless the caller chose one.
fn with_request_id(mut request: pb::EnqueueRequest) -> pb::EnqueueRequest {
    if request.request_id.is_empty() {
        request.request_id = uuid::Uuid::new_v4().to_string();
    }
    request
}

/// Sends `request` through `send` until it is answered: a call that failed with UNAVAILABLE or
/// DEADLINE_EXCEEDED is sent again, the same request each time, up to [`ENQUEUE_ATTEMPTS`] calls
/// with backoff from 100 ms doubling to 1 s.
async fn retry_unanswered<R, T, F, Fut>(request: R, mut send: F) -> Result<T, Error>
where
    R: Clone,
    F: FnMut(R) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut delay = Duration::from_millis(100);
    let mut attempt = 1;
    loop {
        match send(request.clone()).await {
            Err(err)
                if matches!(err.code(), Code::Unavailable | Code::DeadlineExceeded)
                    && attempt < ENQUEUE_ATTEMPTS =>
            {
                tracing::warn!(%err, attempt, ?delay, "actionq enqueue unanswered; retrying with the same request_id");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(1));
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// `duration` as a protobuf Duration (saturating; a std Duration is never negative).
pub(crate) fn proto_duration(duration: Duration) -> prost_types::Duration {
    prost_types::Duration::try_from(duration).unwrap_or(prost_types::Duration {
        seconds: i64::MAX,
        nanos: 0,
    })
}

impl pb::Backoff {
    /// A retry policy (for `NewAction::backoff` or `UpdateQueueRequest::backoff`): every retry
    /// waits `delay`.
    pub fn fixed(delay: Duration) -> Self {
        Self {
            strategy: pb::BackoffStrategy::Fixed as i32,
            base: Some(proto_duration(delay)),
            max: None,
            jitter: 0.0,
        }
    }

    /// A retry policy: the retry after attempt n waits `base * 2^(n-1)`, at most `max`, less a
    /// random fraction of up to `jitter` (0 to 1) of it.
    pub fn exponential(base: Duration, max: Duration, jitter: f64) -> Self {
        Self {
            strategy: pb::BackoffStrategy::Exponential as i32,
            base: Some(proto_duration(base)),
            max: Some(proto_duration(max)),
            jitter,
        }
    }
}

fn with_deadline<T>(message: T, timeout: Duration) -> Request<T> {
    let mut request = Request::new(message);
    request.set_timeout(timeout);
    request
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn each_enqueue_gets_a_fresh_request_id_unless_the_caller_chose_one() {
        let first = with_request_id(pb::EnqueueRequest::default()).request_id;
        let second = with_request_id(pb::EnqueueRequest::default()).request_id;
        assert_ne!(first, second);
        assert_eq!(uuid::Uuid::parse_str(&first).unwrap().get_version_num(), 4);
        let own = pb::EnqueueRequest {
            request_id: "mine".to_owned(),
            ..Default::default()
        };
        assert_eq!(with_request_id(own).request_id, "mine");
    }

    /// Sends that fail with `codes`, in order, then succeed; returns the outcome and the
    /// request_id of every call made.
    async fn send_failing(codes: &[Code]) -> (Result<u32, Error>, Vec<String>) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let codes = codes.to_vec();
        let log = Arc::clone(&sent);
        let send = move |request: pb::EnqueueRequest| {
            let mut sent = log.lock().unwrap();
            sent.push(request.request_id);
            let outcome = match codes.get(sent.len() - 1) {
                Some(&code) => Err(Error::from(Status::new(code, "no answer"))),
                None => Ok(sent.len() as u32),
            };
            std::future::ready(outcome)
        };
        let request = with_request_id(pb::EnqueueRequest::default());
        let outcome = retry_unanswered(request, send).await;
        let sent = sent.lock().unwrap().clone();
        (outcome, sent)
    }

    #[tokio::test(start_paused = true)]
    async fn an_unanswered_enqueue_is_retried_with_the_same_request_id() {
        let began = tokio::time::Instant::now();
        let (outcome, sent) = send_failing(&[Code::Unavailable, Code::DeadlineExceeded]).await;
        assert_eq!(outcome.unwrap(), 3);
        assert_eq!(sent.len(), 3);
        assert!(sent.iter().all(|id| *id == sent[0]), "{sent:?}");
        // Backoff 100 ms, then 200 ms.
        assert_eq!(began.elapsed(), Duration::from_millis(300));
    }

    /// A server that accepts connections and never answers: every call runs into its deadline,
    /// which tonic reports as CANCELLED and [`Error`] as DEADLINE_EXCEEDED; Enqueue retries it.
    #[tokio::test]
    async fn a_call_past_its_deadline_is_deadline_exceeded_and_enqueue_retries_it() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = ClientOptions::from_env()
            .address(silent.local_addr().unwrap().to_string())
            .timeout(Duration::from_millis(100))
            .connect_lazy()
            .unwrap();
        let err = client
            .get_action(pb::GetActionRequest { id: 1 })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::DeadlineExceeded, "{err}");

        let began = std::time::Instant::now();
        let err = client
            .enqueue(pb::EnqueueRequest::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::DeadlineExceeded, "{err}");
        // Four 100 ms deadlines and backoff of 100 + 200 + 400 ms.
        assert!(
            began.elapsed() >= Duration::from_millis(1100),
            "{:?}",
            began.elapsed()
        );
    }

    /// Against a server that never answers, a wait's own deadline is its timeout plus the default
    /// one: the server's WAIT_TIMEOUT would have arrived first.
    #[tokio::test]
    async fn a_wait_gets_its_timeout_on_top_of_the_default_deadline() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = ClientOptions::from_env()
            .address(silent.local_addr().unwrap().to_string())
            .timeout(Duration::from_millis(100))
            .connect_lazy()
            .unwrap();
        let began = std::time::Instant::now();
        let err = client
            .wait([1, 2], Duration::from_millis(300))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::DeadlineExceeded, "{err}");
        assert!(
            began.elapsed() >= Duration::from_millis(400),
            "{:?}",
            began.elapsed()
        );
    }

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| pairs.get(name).cloned()
    }

    #[test]
    fn with_nothing_set_it_is_plaintext_to_the_default_address_without_a_token() {
        let options = ClientOptions::from_vars(vars(&[]));
        assert_eq!(options.address, DEFAULT_ADDRESS);
        assert_eq!(options.token, None);
        assert!(!options.uses_tls());
        assert!(options.tls_config().unwrap().is_none());
        assert_eq!(
            options.endpoint().unwrap().uri().to_string(),
            "http://127.0.0.1:50051/"
        );
        // Blank values count as unset.
        let blank = ClientOptions::from_vars(vars(&[
            (env::SERVER, " "),
            (env::TOKEN, ""),
            (env::CA_FILE, ""),
            (env::TLS, ""),
        ]));
        assert_eq!(blank.address, DEFAULT_ADDRESS);
        assert_eq!(blank.token, None);
        assert!(!blank.uses_tls());
    }

    #[test]
    fn the_environment_names_server_token_and_tls_files() {
        let options = ClientOptions::from_vars(vars(&[
            (env::SERVER, "queue.internal:443"),
            (env::TOKEN, "aq_0123456789ab_secret"),
            (env::CA_FILE, "/etc/actionq/ca.pem"),
            (env::CLIENT_CERT, "/etc/actionq/me.pem"),
            (env::CLIENT_KEY, "/etc/actionq/me.key"),
        ]));
        assert_eq!(options.address, "queue.internal:443");
        assert_eq!(options.token.as_deref(), Some("aq_0123456789ab_secret"));
        assert_eq!(options.ca_file, Some(PathBuf::from("/etc/actionq/ca.pem")));
        assert_eq!(
            options.cert_file,
            Some(PathBuf::from("/etc/actionq/me.pem"))
        );
        assert_eq!(options.key_file, Some(PathBuf::from("/etc/actionq/me.key")));
        assert!(!options.tls, "files imply TLS without ACTIONQ_TLS");
        assert!(options.uses_tls());
        // The setters win over the environment.
        let options = options.address("other:1").no_token().ca_file("/tmp/ca.pem");
        assert_eq!(options.address, "other:1");
        assert_eq!(options.token, None);
        assert_eq!(options.ca_file, Some(PathBuf::from("/tmp/ca.pem")));
    }

    #[test]
    fn actionq_tls_turns_on_tls_with_the_system_roots() {
        for on in ["true", "1", "yes", "on", "TRUE"] {
            let options = ClientOptions::from_vars(vars(&[(env::TLS, on)]));
            assert!(options.tls && options.uses_tls(), "{on}");
            assert!(options.tls_config().unwrap().is_some());
            assert_eq!(
                options.endpoint().unwrap().uri().to_string(),
                "https://127.0.0.1:50051/"
            );
        }
        for off in ["false", "0", "no", "off"] {
            assert!(
                !ClientOptions::from_vars(vars(&[(env::TLS, off)])).uses_tls(),
                "{off}"
            );
        }
    }

    #[test]
    fn tls_files_are_read_when_connecting_and_a_cert_needs_its_key() {
        let missing = ClientOptions::from_vars(vars(&[]))
            .ca_file("/nonexistent/actionq-ca.pem")
            .connect_lazy()
            .unwrap_err();
        assert!(
            matches!(&missing, ConnectError::ReadFile { path, .. } if path == Path::new("/nonexistent/actionq-ca.pem")),
            "{missing}"
        );
        assert!(
            missing.to_string().contains("/nonexistent/actionq-ca.pem"),
            "{missing}"
        );

        let half = ClientOptions::from_vars(vars(&[(env::CLIENT_CERT, "/tmp/me.pem")]));
        assert!(half.uses_tls());
        let err = half.connect_lazy().unwrap_err();
        assert!(matches!(err, ConnectError::IncompleteClientCert), "{err}");
    }

    #[tokio::test]
    async fn a_token_goes_over_plaintext_only_to_loopback_unless_allowed() {
        for address in [
            "127.0.0.1:50051",
            "localhost:1",
            "[::1]:50051",
            "http://127.0.0.2:9",
        ] {
            let options = ClientOptions::from_vars(vars(&[]))
                .address(address)
                .token("t");
            assert!(options.connect_lazy().is_ok(), "{address}");
        }
        let remote = ClientOptions::from_vars(vars(&[(env::TOKEN, "t")])).address("10.1.2.3:50051");
        let err = remote.clone().connect_lazy().unwrap_err();
        assert!(
            matches!(&err, ConnectError::TokenInPlaintext(a) if a == "10.1.2.3:50051"),
            "{err}"
        );
        assert!(remote.clone().insecure_token(true).connect_lazy().is_ok());
        assert!(remote.clone().no_token().connect_lazy().is_ok());
        assert!(remote.tls(true).connect_lazy().is_ok(), "TLS carries it");
        let named = ClientOptions::from_vars(vars(&[]))
            .address("queue.internal:50051")
            .token("t");
        assert!(matches!(
            named.connect_lazy(),
            Err(ConnectError::TokenInPlaintext(_))
        ));
    }

    #[test]
    fn backoff_policies() {
        let fixed = pb::Backoff::fixed(Duration::from_secs(5));
        assert_eq!(fixed.strategy(), pb::BackoffStrategy::Fixed);
        assert_eq!(
            fixed.base,
            Some(prost_types::Duration {
                seconds: 5,
                nanos: 0
            })
        );
        assert_eq!(fixed.max, None);
        let exponential =
            pb::Backoff::exponential(Duration::from_secs(2), Duration::from_secs(600), 0.2);
        assert_eq!(exponential.strategy(), pb::BackoffStrategy::Exponential);
        assert_eq!(
            exponential.max,
            Some(prost_types::Duration {
                seconds: 600,
                nanos: 0
            })
        );
        assert_eq!(exponential.jitter, 0.2);
    }

    #[tokio::test(start_paused = true)]
    async fn retries_are_bounded() {
        let (outcome, sent) = send_failing(&[Code::Unavailable; 10]).await;
        assert_eq!(outcome.unwrap_err().code(), Code::Unavailable);
        assert_eq!(sent.len(), ENQUEUE_ATTEMPTS as usize);
    }

    #[tokio::test(start_paused = true)]
    async fn other_errors_are_not_retried() {
        for code in [Code::InvalidArgument, Code::AlreadyExists, Code::Internal] {
            let (outcome, sent) = send_failing(&[code]).await;
            assert_eq!(outcome.unwrap_err().code(), code);
            assert_eq!(sent.len(), 1);
        }
    }
}
