//! Connecting to an actionq server: address, TLS, bearer auth and default per-call deadlines.

use std::fmt;
use std::time::Duration;

use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::service::Interceptor;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tonic::{Request, Status, Streaming};

use crate::pb;
use crate::pb::action_queue_service_client::ActionQueueServiceClient;

/// Address used when neither the options nor `ACTIONQ_SERVER` name one.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:50051";
/// Deadline of every unary call; a Claim gets its `wait` on top.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The generated tonic stub as [`Client`] wires it: bearer auth on every call, no default deadline.
pub type Stub = ActionQueueServiceClient<InterceptedService<Channel, BearerAuth>>;

/// How to reach an actionq server. Build it with [`ClientOptions::from_env`] and the setters,
/// then [`connect`](ClientOptions::connect).
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// `host:port`, or a full `http://` / `https://` URI.
    pub address: String,
    /// Connect over TLS, verified against the system's trusted roots.
    pub tls: bool,
    /// Sent as `authorization: Bearer <token>` on every call when set.
    pub token: Option<String>,
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
    /// Plaintext, no token, [`DEFAULT_TIMEOUT`], and the address from `ACTIONQ_SERVER`
    /// (else [`DEFAULT_ADDRESS`]).
    pub fn from_env() -> Self {
        let address = std::env::var("ACTIONQ_SERVER")
            .ok()
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_ADDRESS.to_owned());
        Self {
            address,
            tls: false,
            token: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: Duration::from_secs(5),
        }
    }

    /// Sets the server address (`host:port` or a URI).
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// Turns TLS on or off.
    pub fn tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Sends `authorization: Bearer <token>` on every call.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sets the default deadline of unary calls.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connects now, failing fast when the server cannot be reached. The channel reconnects by
    /// itself later on.
    pub async fn connect(self) -> Result<Client, ConnectError> {
        let endpoint = self.endpoint()?;
        let channel = endpoint.connect().await.map_err(ConnectError::Transport)?;
        self.client(channel)
    }

    /// Returns a client whose channel connects on its first call.
    pub fn connect_lazy(self) -> Result<Client, ConnectError> {
        let channel = self.endpoint()?.connect_lazy();
        self.client(channel)
    }

    fn endpoint(&self) -> Result<Endpoint, ConnectError> {
        let uri = if self.address.contains("://") {
            self.address.clone()
        } else if self.tls {
            format!("https://{}", self.address)
        } else {
            format!("http://{}", self.address)
        };
        let mut endpoint = Endpoint::from_shared(uri)
            .map_err(|_| ConnectError::InvalidAddress(self.address.clone()))?
            .connect_timeout(self.connect_timeout)
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_while_idle(true);
        if self.tls {
            endpoint = endpoint
                .tls_config(ClientTlsConfig::new().with_native_roots())
                .map_err(ConnectError::Transport)?;
        }
        Ok(endpoint)
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

/// Why [`ClientOptions::connect`] failed.
#[derive(Debug)]
pub enum ConnectError {
    /// The address is not `host:port` or a valid URI.
    InvalidAddress(String),
    /// The token cannot be sent as an HTTP header value.
    InvalidToken,
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
            Self::Transport(err) => write!(f, "cannot connect to the actionq server: {err}"),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(err) => Some(err),
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

/// An actionq client: one method per RPC, each with its default deadline. Cheap to clone; clones
/// share one HTTP/2 connection.
#[derive(Clone, Debug)]
pub struct Client {
    stub: Stub,
    timeout: Duration,
}

macro_rules! unary {
    ($(#[$doc:meta])* $name:ident($request:ty) -> $response:ty) => {
        $(#[$doc])*
        pub async fn $name(&self, request: $request) -> Result<$response, Status> {
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

    unary!(
        /// Stores one or more actions atomically.
        enqueue(pb::EnqueueRequest) -> pb::EnqueueResponse
    );
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

    /// Claims up to `max_actions`, long-polling up to `wait`; the deadline is `wait` plus the
    /// default timeout so the server always answers first.
    pub async fn claim(&self, request: pb::ClaimRequest) -> Result<pb::ClaimResponse, Status> {
        let wait = request
            .wait
            .and_then(|w| Duration::try_from(w).ok())
            .unwrap_or_default();
        let request = with_deadline(request, wait + self.timeout);
        Ok(self.stub.clone().claim(request).await?.into_inner())
    }

    /// Opens the live event stream. It has no deadline: drop the stream to close it.
    pub async fn watch_events(
        &self,
        request: pb::WatchEventsRequest,
    ) -> Result<Streaming<pb::WatchEventsResponse>, Status> {
        Ok(self.stub.clone().watch_events(request).await?.into_inner())
    }
}

fn with_deadline<T>(message: T, timeout: Duration) -> Request<T> {
    let mut request = Request::new(message);
    request.set_timeout(timeout);
    request
}
