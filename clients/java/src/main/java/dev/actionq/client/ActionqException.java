package dev.actionq.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.actionq.v1.ErrorReason;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * An error answered by the actionq server (or by the channel), with the server's machine-readable
 * reason.
 *
 * <p>Every error status of the server carries a {@code google.rpc.ErrorInfo} with domain
 * {@value #DOMAIN}; this exception exposes its {@link #reason()} as the {@link ErrorReason} enum,
 * so callers branch on it instead of parsing messages:
 *
 * <pre>{@code
 * try {
 *   client.complete(request);
 * } catch (ActionqException e) {
 *   if (e.isStaleLease()) { ... }               // the lease expired; someone else has it now
 *   else if (e.reason() == ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION) { ... }
 *   else throw e;
 * }
 * }</pre>
 *
 * <p>A reason this client does not know yet is {@link ErrorReason#UNRECOGNIZED} (its name is in
 * {@link #reasonName()}); branch on {@link #code()} then. An error without ErrorInfo (no server,
 * a broken connection, a deadline) has {@link ErrorReason#ERROR_REASON_UNSPECIFIED}. It is a
 * {@link StatusRuntimeException}, so code that handles gRPC errors generically keeps working.
 */
public class ActionqException extends StatusRuntimeException {

  private static final long serialVersionUID = 1L;

  /** The ErrorInfo domain of actionq's errors. */
  public static final String DOMAIN = "actionq.dev";

  private static final String REASON_PREFIX = "ERROR_REASON_";

  private final String reasonName;
  private final ErrorReason reason;
  private final Map<String, String> metadata;
  private final String field;
  private final Duration retryDelay;

  /**
   * An exception for {@code status} whose details are {@code details} (as the
   * {@code grpc-status-details-bin} trailer carries them); {@code trailers} may be null.
   */
  public ActionqException(Status status, Metadata trailers, com.google.rpc.Status details) {
    super(status, trailers);
    ErrorInfo info = null;
    BadRequest badRequest = null;
    RetryInfo retryInfo = null;
    if (details != null) {
      for (Any any : details.getDetailsList()) {
        try {
          if (any.is(ErrorInfo.class)) {
            ErrorInfo candidate = any.unpack(ErrorInfo.class);
            if (info == null || DOMAIN.equals(candidate.getDomain())) {
              info = candidate;
            }
          } else if (any.is(BadRequest.class) && badRequest == null) {
            badRequest = any.unpack(BadRequest.class);
          } else if (any.is(RetryInfo.class) && retryInfo == null) {
            retryInfo = any.unpack(RetryInfo.class);
          }
        } catch (InvalidProtocolBufferException malformed) {
          // A detail we cannot read adds nothing; the status code still stands.
        }
      }
    }
    this.reasonName = info == null ? "" : info.getReason();
    this.reason = reasonOf(reasonName);
    this.metadata = info == null ? Map.of() : Map.copyOf(info.getMetadataMap());
    String named = metadata.get("field");
    if (named == null && badRequest != null && badRequest.getFieldViolationsCount() > 0) {
      named = badRequest.getFieldViolations(0).getField();
    }
    this.field = named == null ? "" : named;
    this.retryDelay = retryInfo == null || !retryInfo.hasRetryDelay() ? null
        : Protos.duration(retryInfo.getRetryDelay());
  }

  /**
   * The typed form of any failure of a call: an {@code ActionqException} stays as it is, a
   * {@link StatusRuntimeException} (or {@link io.grpc.StatusException}) keeps its status,
   * trailers and details, anything else becomes UNKNOWN with it as the cause.
   */
  public static ActionqException from(Throwable t) {
    if (t instanceof ActionqException) {
      return (ActionqException) t;
    }
    ActionqException e = new ActionqException(Status.fromThrowable(t),
        Status.trailersFromThrowable(t), StatusProto.fromThrowable(t));
    e.setStackTrace(t.getStackTrace());
    return e;
  }

  /** The {@link ErrorReason} of a reason name such as {@code "STALE_LEASE"}. */
  public static ErrorReason reasonOf(String name) {
    if (name == null || name.isEmpty()) {
      return ErrorReason.ERROR_REASON_UNSPECIFIED;
    }
    try {
      return ErrorReason.valueOf(REASON_PREFIX + name);
    } catch (IllegalArgumentException unknown) {
      return ErrorReason.UNRECOGNIZED;
    }
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return getStatus().getCode();
  }

  /**
   * The server's reason: {@code ERROR_REASON_UNSPECIFIED} without ErrorInfo,
   * {@code UNRECOGNIZED} for a reason newer than this client.
   */
  public ErrorReason reason() {
    return reason;
  }

  /** The reason as sent, e.g. {@code "STALE_LEASE"}; empty without ErrorInfo. */
  public String reasonName() {
    return reasonName;
  }

  /** The status message (for people; never parse it); empty when there is none. */
  public String message() {
    String description = getStatus().getDescription();
    return description == null ? "" : description;
  }

  /** The request field at fault (ErrorInfo metadata "field", else BadRequest); empty if none. */
  public String field() {
    return field;
  }

  /** ErrorInfo's metadata, e.g. "field" and "action_id"; empty without ErrorInfo. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** How long to wait before retrying, when the server said (RESOURCE_EXHAUSTED's RetryInfo). */
  public Optional<Duration> retryDelay() {
    return Optional.ofNullable(retryDelay);
  }

  /** True when the reason is {@code expected}. */
  public boolean is(ErrorReason expected) {
    return reason == expected;
  }

  /** The lease token is not the current claim's: the action is no longer yours to finish. */
  public boolean isStaleLease() {
    return is(ErrorReason.ERROR_REASON_STALE_LEASE);
  }

  /** The action's status does not allow the transition (e.g. it already ended). */
  public boolean isIllegalTransition() {
    return is(ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION);
  }

  /** No action has the given id. */
  public boolean isActionNotFound() {
    return is(ErrorReason.ERROR_REASON_ACTION_NOT_FOUND);
  }

  /** A request field is missing, malformed or out of range; {@link #field()} names it. */
  public boolean isInvalidField() {
    return is(ErrorReason.ERROR_REASON_INVALID_FIELD);
  }

  /** WaitAction's timeout passed before every action finished (DEADLINE_EXCEEDED). */
  public boolean isWaitTimeout() {
    return is(ErrorReason.ERROR_REASON_WAIT_TIMEOUT);
  }

  /**
   * The idempotency key names a stored action that differs from this one (ALREADY_EXISTS);
   * {@code metadata().get("action_id")} names it.
   */
  public boolean isIdempotencyKeyConflict() {
    return is(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_CONFLICT);
  }

  /** No queue has the given name (FAILED_PRECONDITION). */
  public boolean isQueueNotFound() {
    return is(ErrorReason.ERROR_REASON_QUEUE_NOT_FOUND);
  }

  /**
   * The cursor points into the part of the event log that retention dropped (OUT_OF_RANGE);
   * {@link #oldestCursor()} is where reading can resume.
   */
  public boolean isCursorExpired() {
    return is(ErrorReason.ERROR_REASON_CURSOR_EXPIRED);
  }

  /** No schedule has the given name (NOT_FOUND). */
  public boolean isScheduleNotFound() {
    return is(ErrorReason.ERROR_REASON_SCHEDULE_NOT_FOUND);
  }

  /** A schedule has this name already: CreateSchedule without replace (ALREADY_EXISTS). */
  public boolean isScheduleExists() {
    return is(ErrorReason.ERROR_REASON_SCHEDULE_EXISTS);
  }

  /** The oldest cursor still readable, sent with CURSOR_EXPIRED (metadata "oldest_cursor"). */
  public Optional<String> oldestCursor() {
    return Optional.ofNullable(metadata.get("oldest_cursor"));
  }

  /** The producer is over its enqueue rate limit; {@link #retryDelay()} says when to retry. */
  public boolean isRateLimited() {
    return is(ErrorReason.ERROR_REASON_RATE_LIMITED);
  }

  /**
   * A server limit was reached (RESOURCE_EXHAUSTED): concurrent streams or long polls per
   * connection or per principal; {@code metadata().get("limit")} names the setting and
   * {@code "value"} its value. Retry later, or with fewer concurrent calls.
   */
  public boolean isLimitExceeded() {
    return is(ErrorReason.ERROR_REASON_LIMIT_EXCEEDED);
  }

  /**
   * The server closed a WatchEvents stream whose reader fell too far behind
   * (RESOURCE_EXHAUSTED); {@code metadata().get("cursor")} is the last event delivered. Resume
   * from the last cursor handled ({@link EventFollower} does).
   */
  public boolean isWatcherTooSlow() {
    return is(ErrorReason.ERROR_REASON_WATCHER_TOO_SLOW);
  }

  /** The call carried no token, or an unknown, expired or revoked one (UNAUTHENTICATED). */
  public boolean isUnauthenticated() {
    return is(ErrorReason.ERROR_REASON_UNAUTHENTICATED);
  }

  /**
   * The token's role may not make this call, or it named an identity not its own
   * (PERMISSION_DENIED).
   */
  public boolean isPermissionDenied() {
    return is(ErrorReason.ERROR_REASON_PERMISSION_DENIED);
  }

  /**
   * The call may succeed if repeated: UNAVAILABLE (the database or the server is down or
   * draining) or ABORTED (a concurrent change). Enqueue is safe to repeat only with its
   * request_id, which {@link ActionQueueClient#enqueue} takes care of.
   */
  public boolean isRetryable() {
    return code() == Status.Code.UNAVAILABLE || code() == Status.Code.ABORTED;
  }
}
