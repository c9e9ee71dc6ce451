//! actionq's typed errors: the gRPC status plus the `google.rpc.ErrorInfo` reason the server puts
//! in its details (domain `actionq.dev`), so callers branch on a stable reason, never on message
//! text: `matches!(err.reason(), Reason::StaleLease)`.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use tonic::{Code, Status};
use tonic_types::StatusExt;

/// The `ErrorInfo.domain` of actionq's errors; ErrorInfo of any other domain is not ours.
pub const ERROR_DOMAIN: &str = "actionq.dev";

/// Why a call failed: the `actionq.v1.ErrorReason` values, named as in the proto without the
/// `ERROR_REASON_` prefix. New reasons may be added to the proto before this enum knows them:
/// they arrive as [`Reason::Unknown`], and the status code still says what kind of error it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// No ErrorInfo of actionq's domain: a channel error, no server, a proxy's answer.
    Unspecified,
    /// INVALID_ARGUMENT: a field is missing, malformed or out of range ([`Error::field`] names it).
    InvalidField,
    /// INVALID_ARGUMENT: the request bytes do not parse as the request message.
    MalformedRequest,
    /// NOT_FOUND: no action has the given id.
    ActionNotFound,
    /// NOT_FOUND: the parent_id of a new action names no action.
    ParentNotFound,
    /// FAILED_PRECONDITION: the action's status does not allow this transition.
    IllegalTransition,
    /// FAILED_PRECONDITION: the lease token is not the current claim's.
    StaleLease,
    /// FAILED_PRECONDITION: a child action would be deeper than the server allows.
    ChainTooDeep,
    /// RESOURCE_EXHAUSTED: over the enqueue rate limit ([`Error::retry_delay`] says when to retry).
    RateLimited,
    /// ABORTED: the action changed while the call ran; read it and retry.
    ConcurrentChange,
    /// ALREADY_EXISTS: the Enqueue request_id was used for a different request.
    RequestIdReused,
    /// UNAVAILABLE: the database cannot be reached; the call may be retried.
    DatabaseUnavailable,
    /// UNAVAILABLE: the server is shutting down; retry later or elsewhere.
    ShuttingDown,
    /// INTERNAL: a bug in actionq; the message carries an incident id.
    Internal,
    /// ALREADY_EXISTS: an action with this idempotency key is stored in the queue and differs
    /// from this one (metadata `"action_id"` names it).
    IdempotencyKeyConflict,
    /// FAILED_PRECONDITION: no queue has this name.
    QueueNotFound,
    /// OUT_OF_RANGE: the cursor points into the part of the event log that retention dropped;
    /// metadata `"oldest_cursor"` is where reading can resume.
    CursorExpired,
    /// DEADLINE_EXCEEDED: WaitAction's timeout passed before every action finished.
    WaitTimeout,
    /// NOT_FOUND: no schedule has this name.
    ScheduleNotFound,
    /// ALREADY_EXISTS: a schedule has this name (CreateSchedule without replace).
    ScheduleExists,
    /// INVALID_ARGUMENT: a workflow's dependencies form a cycle.
    DependencyCycle,
    /// INVALID_ARGUMENT / FAILED_PRECONDITION: a dependency does not exist or is not in the
    /// action's workflow.
    DependencyNotFound,
    /// FAILED_PRECONDITION: a dependency already ended failed, rejected or cancelled.
    DependencyFailed,
    /// NOT_FOUND: no action has this workflow id.
    WorkflowNotFound,
    /// UNAUTHENTICATED: no bearer token, or an unknown, expired or revoked one.
    Unauthenticated,
    /// PERMISSION_DENIED: the token's role may not make the call, or it named
    /// an identity not its own.
    PermissionDenied,
    /// NOT_FOUND: no API token has this id.
    TokenNotFound,
    /// RESOURCE_EXHAUSTED: a server limit was reached (concurrent streams or long polls per
    /// connection or per principal); metadata `"limit"` names the setting and `"value"` its value.
    /// Retry later, or with fewer concurrent calls.
    LimitExceeded,
    /// RESOURCE_EXHAUSTED: a WatchEvents stream fell too far behind and the server closed it;
    /// metadata `"cursor"` is the last event delivered. Resume from there
    /// ([`EventFollower`](crate::EventFollower) does).
    WatcherTooSlow,
    /// A reason this client does not know yet, as the server spelled it.
    Unknown(String),
}

impl Reason {
    /// The reason named by `ErrorInfo.reason` (or `ItemFailure.reason`), e.g. `"STALE_LEASE"`;
    /// empty text is [`Reason::Unspecified`].
    pub fn from_name(name: &str) -> Self {
        match name {
            "" | "UNSPECIFIED" => Self::Unspecified,
            "INVALID_FIELD" => Self::InvalidField,
            "MALFORMED_REQUEST" => Self::MalformedRequest,
            "ACTION_NOT_FOUND" => Self::ActionNotFound,
            "PARENT_NOT_FOUND" => Self::ParentNotFound,
            "ILLEGAL_TRANSITION" => Self::IllegalTransition,
            "STALE_LEASE" => Self::StaleLease,
            "CHAIN_TOO_DEEP" => Self::ChainTooDeep,
            "RATE_LIMITED" => Self::RateLimited,
            "CONCURRENT_CHANGE" => Self::ConcurrentChange,
            "REQUEST_ID_REUSED" => Self::RequestIdReused,
            "DATABASE_UNAVAILABLE" => Self::DatabaseUnavailable,
            "SHUTTING_DOWN" => Self::ShuttingDown,
            "INTERNAL" => Self::Internal,
            "IDEMPOTENCY_KEY_CONFLICT" => Self::IdempotencyKeyConflict,
            "QUEUE_NOT_FOUND" => Self::QueueNotFound,
            "CURSOR_EXPIRED" => Self::CursorExpired,
            "WAIT_TIMEOUT" => Self::WaitTimeout,
            "SCHEDULE_NOT_FOUND" => Self::ScheduleNotFound,
            "SCHEDULE_EXISTS" => Self::ScheduleExists,
            "DEPENDENCY_CYCLE" => Self::DependencyCycle,
            "DEPENDENCY_NOT_FOUND" => Self::DependencyNotFound,
            "DEPENDENCY_FAILED" => Self::DependencyFailed,
            "WORKFLOW_NOT_FOUND" => Self::WorkflowNotFound,
            "UNAUTHENTICATED" => Self::Unauthenticated,
            "PERMISSION_DENIED" => Self::PermissionDenied,
            "TOKEN_NOT_FOUND" => Self::TokenNotFound,
            "LIMIT_EXCEEDED" => Self::LimitExceeded,
            "WATCHER_TOO_SLOW" => Self::WatcherTooSlow,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The name the server sends, e.g. `"STALE_LEASE"`; empty for [`Reason::Unspecified`].
    pub fn as_str(&self) -> &str {
        match self {
            Self::Unspecified => "",
            Self::InvalidField => "INVALID_FIELD",
            Self::MalformedRequest => "MALFORMED_REQUEST",
            Self::ActionNotFound => "ACTION_NOT_FOUND",
            Self::ParentNotFound => "PARENT_NOT_FOUND",
            Self::IllegalTransition => "ILLEGAL_TRANSITION",
            Self::StaleLease => "STALE_LEASE",
            Self::ChainTooDeep => "CHAIN_TOO_DEEP",
            Self::RateLimited => "RATE_LIMITED",
            Self::ConcurrentChange => "CONCURRENT_CHANGE",
            Self::RequestIdReused => "REQUEST_ID_REUSED",
            Self::DatabaseUnavailable => "DATABASE_UNAVAILABLE",
            Self::ShuttingDown => "SHUTTING_DOWN",
            Self::Internal => "INTERNAL",
            Self::IdempotencyKeyConflict => "IDEMPOTENCY_KEY_CONFLICT",
            Self::QueueNotFound => "QUEUE_NOT_FOUND",
            Self::CursorExpired => "CURSOR_EXPIRED",
            Self::WaitTimeout => "WAIT_TIMEOUT",
            Self::ScheduleNotFound => "SCHEDULE_NOT_FOUND",
            Self::ScheduleExists => "SCHEDULE_EXISTS",
            Self::DependencyCycle => "DEPENDENCY_CYCLE",
            Self::DependencyNotFound => "DEPENDENCY_NOT_FOUND",
            Self::DependencyFailed => "DEPENDENCY_FAILED",
            Self::WorkflowNotFound => "WORKFLOW_NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::PermissionDenied => "PERMISSION_DENIED",
            Self::TokenNotFound => "TOKEN_NOT_FOUND",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::WatcherTooSlow => "WATCHER_TOO_SLOW",
            Self::Unknown(name) => name,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed call: the gRPC code, actionq's [`Reason`], the message, and the ErrorInfo metadata
/// (`"field"`, `"action_id"`). Every [`Client`](crate::Client) call returns it; build one from any
/// [`tonic::Status`] with `Error::from(status)`.
#[derive(Clone, Debug)]
pub struct Error {
    status: Status,
    reason: Reason,
    metadata: HashMap<String, String>,
    field: Option<String>,
    retry_delay: Option<Duration>,
}

impl Error {
    /// The gRPC status code.
    pub fn code(&self) -> Code {
        self.status.code()
    }

    /// actionq's reason; [`Reason::Unspecified`] when the status carried none.
    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// The message, for people; branch on [`reason`](Error::reason) instead.
    pub fn message(&self) -> &str {
        self.status.message()
    }

    /// The request field at fault (ErrorInfo metadata `"field"`, else the first
    /// `google.rpc.BadRequest` violation).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The ErrorInfo metadata, e.g. `"field"` and `"action_id"`.
    pub fn metadata(&self) -> &HashMap<String, String> {
        &self.metadata
    }

    /// How long to wait before retrying (`google.rpc.RetryInfo`, sent with RATE_LIMITED).
    pub fn retry_delay(&self) -> Option<Duration> {
        self.retry_delay
    }

    /// The status as it arrived, details included.
    pub fn status(&self) -> &Status {
        &self.status
    }
}

/// Codes worth another try of a call that is safe to repeat (a lease-fenced report, a read, a
/// stream reopened from its cursor): the server or the path to it may come back.
pub(crate) fn is_transient(code: Code) -> bool {
    matches!(
        code,
        Code::Unavailable
            | Code::DeadlineExceeded
            | Code::ResourceExhausted
            | Code::Aborted
            | Code::Internal
            | Code::Unknown
            | Code::Cancelled
    )
}

impl From<Status> for Error {
    fn from(status: Status) -> Self {
        let status = deadline_as_deadline_exceeded(status);
        let details = status.get_error_details();
        let (reason, metadata) = match details.error_info() {
            Some(info) if info.domain == ERROR_DOMAIN => {
                (Reason::from_name(&info.reason), info.metadata.clone())
            }
            _ => (Reason::Unspecified, HashMap::new()),
        };
        let field = metadata.get("field").cloned().or_else(|| {
            details
                .bad_request()
                .and_then(|bad| bad.field_violations.first())
                .map(|violation| violation.field.clone())
        });
        let retry_delay = details.retry_info().and_then(|info| info.retry_delay);
        Self {
            status,
            reason,
            metadata,
            field,
            retry_delay,
        }
    }
}

/// tonic reports a deadline that passed on this side as CANCELLED ("Timeout expired"); every other
/// gRPC client, and the server, call it DEADLINE_EXCEEDED, which is what callers (and Enqueue's
/// retry) look for.
fn deadline_as_deadline_exceeded(status: Status) -> Status {
    if status.code() == Code::Cancelled && status.message() == tonic::TimeoutExpired(()).to_string()
    {
        return Status::deadline_exceeded(status.message());
    }
    status
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.code())?;
        if self.reason != Reason::Unspecified {
            write!(f, " ({})", self.reason)?;
        }
        write!(f, ": {}", self.message())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::{ErrorDetails, FieldViolation};

    fn status(code: Code, reason: &str, metadata: &[(&str, &str)]) -> Status {
        let metadata: HashMap<String, String> = metadata
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let details = ErrorDetails::with_error_info(reason, ERROR_DOMAIN, metadata);
        Status::with_error_details(code, "refused", details)
    }

    #[test]
    fn parses_reason_and_metadata_from_the_details() {
        let err = Error::from(status(
            Code::FailedPrecondition,
            "STALE_LEASE",
            &[("action_id", "42")],
        ));
        assert_eq!(err.code(), Code::FailedPrecondition);
        assert!(matches!(err.reason(), Reason::StaleLease));
        assert_eq!(err.message(), "refused");
        assert_eq!(
            err.metadata().get("action_id").map(String::as_str),
            Some("42")
        );
        assert_eq!(err.field(), None);
        assert_eq!(err.to_string(), "FailedPrecondition (STALE_LEASE): refused");
    }

    #[test]
    fn names_the_field_from_metadata_or_bad_request() {
        let err = Error::from(status(
            Code::InvalidArgument,
            "INVALID_FIELD",
            &[("field", "actions[0].action_type")],
        ));
        assert!(matches!(err.reason(), Reason::InvalidField));
        assert_eq!(err.field(), Some("actions[0].action_type"));

        let mut details =
            ErrorDetails::with_error_info("INVALID_FIELD", ERROR_DOMAIN, HashMap::new());
        details.set_bad_request(vec![FieldViolation::new("lease", "must be positive")]);
        let err = Error::from(Status::with_error_details(
            Code::InvalidArgument,
            "bad lease",
            details,
        ));
        assert_eq!(err.field(), Some("lease"));
    }

    #[test]
    fn carries_the_retry_delay() {
        let mut details =
            ErrorDetails::with_error_info("RATE_LIMITED", ERROR_DOMAIN, HashMap::new());
        details.set_retry_info(Some(Duration::from_secs(7)));
        let err = Error::from(Status::with_error_details(
            Code::ResourceExhausted,
            "slow down",
            details,
        ));
        assert!(matches!(err.reason(), Reason::RateLimited));
        assert_eq!(err.retry_delay(), Some(Duration::from_secs(7)));
    }

    #[test]
    fn an_unknown_reason_falls_back_to_the_code() {
        let err = Error::from(status(Code::FailedPrecondition, "QUEUE_PAUSED", &[]));
        assert_eq!(err.reason(), &Reason::Unknown("QUEUE_PAUSED".to_owned()));
        assert_eq!(err.reason().as_str(), "QUEUE_PAUSED");
        assert_eq!(err.code(), Code::FailedPrecondition);
    }

    #[test]
    fn a_status_without_error_info_has_no_reason() {
        let err = Error::from(Status::unavailable("connection refused"));
        assert_eq!(err.reason(), &Reason::Unspecified);
        assert_eq!(err.reason().as_str(), "");
        assert_eq!(err.code(), Code::Unavailable);
        assert!(err.metadata().is_empty());

        let foreign = ErrorDetails::with_error_info("STALE_LEASE", "example.com", HashMap::new());
        let err = Error::from(Status::with_error_details(Code::Aborted, "x", foreign));
        assert_eq!(err.reason(), &Reason::Unspecified);
    }

    /// The proto's ErrorReason is the single source: every value it lists has a variant here.
    #[test]
    fn every_reason_in_the_proto_has_a_variant() {
        let proto = include_str!("../../../proto/actionq/v1/errors.proto");
        let names: Vec<&str> = proto
            .lines()
            .filter_map(|line| line.trim().strip_prefix("ERROR_REASON_"))
            .filter_map(|rest| rest.split_whitespace().next())
            .filter(|name| *name != "UNSPECIFIED")
            .collect();
        assert!(names.len() >= 19, "{names:?}");
        for name in names {
            let reason = Reason::from_name(name);
            assert!(
                !matches!(reason, Reason::Unknown(_)),
                "{name} has no variant"
            );
            assert_eq!(reason.as_str(), name);
        }
    }
}
