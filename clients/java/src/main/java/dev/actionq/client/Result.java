package dev.actionq.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Handler} reports for an action: completed (with an optional result reference and
 * structured result), rejected (never retried), or failed — retried by the action's backoff, at a
 * delay the handler chooses, or not at all. Throwing from the handler fails the attempt like
 * {@link #fail(String)} with the exception's message.
 */
public final class Result {

  private enum Kind { COMPLETE, REJECT, FAIL }

  private static final Duration MAX_RETRY_DELAY = Duration.ofDays(30);

  private final Kind kind;
  private final String resultRef;
  private final String resultJson;
  private final String reason;
  private final String validator;
  private final boolean noRetry;
  private final Duration retryDelay;

  private Result(Kind kind, String resultRef, String resultJson, String reason, String validator,
      boolean noRetry, Duration retryDelay) {
    this.kind = kind;
    this.resultRef = resultRef;
    this.resultJson = resultJson;
    this.reason = reason;
    this.validator = validator;
    this.noRetry = noRetry;
    this.retryDelay = retryDelay;
  }

  private static Result completed(String resultRef, String resultJson) {
    return new Result(Kind.COMPLETE, resultRef, resultJson, null, null, false, null);
  }

  private static Result failed(String reason, boolean noRetry, Duration retryDelay) {
    return new Result(Kind.FAIL, "", "", Objects.requireNonNull(reason, "reason"), null, noRetry,
        retryDelay);
  }

  /** Completed with no outcome recorded. */
  public static Result done() {
    return completed("", "");
  }

  /** Completed; {@code resultRef} points at the outcome. */
  public static Result of(String resultRef) {
    return completed(Objects.requireNonNull(resultRef, "resultRef"), "");
  }

  /**
   * Completed with a reference and a structured outcome: a JSON object as a Jackson
   * {@code ObjectNode} (e.g. from {@link Json#object()}), a {@code Map} or a record/bean, encoded
   * losslessly by {@link Json#writeObject} and stored as the action's {@code result_json}.
   *
   * @throws IllegalArgumentException when {@code result} is not a JSON object (thrown from a
   *     handler, it fails the attempt)
   */
  public static Result of(String resultRef, Object result) {
    return completed(Objects.requireNonNull(resultRef, "resultRef"),
        Json.writeObject(Objects.requireNonNull(result, "result")));
  }

  /** Rejected by {@code validator} for {@code reason}; the action is never retried. */
  public static Result reject(String reason, String validator) {
    return new Result(Kind.REJECT, "", "", Objects.requireNonNull(reason, "reason"),
        Objects.requireNonNull(validator, "validator"), false, null);
  }

  /** Rejected for {@code reason}, the worker's name as the validator; never retried. */
  public static Result reject(String reason) {
    return reject(reason, "");
  }

  /**
   * This attempt failed; the server retries it after the action's backoff while attempts remain
   * (as when the handler throws).
   */
  public static Result fail(String reason) {
    return failed(reason, false, null);
  }

  /** Failed for good: the action ends failed whatever attempts remain. */
  public static Result failNoRetry(String reason) {
    return failed(reason, true, null);
  }

  /**
   * This attempt failed; retry it {@code delay} from now (zero: at once) instead of after the
   * backoff. With no attempts left the action ends failed all the same.
   *
   * @throws IllegalArgumentException when {@code delay} is negative or over 30 days
   */
  public static Result retryIn(Duration delay, String reason) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative() || delay.compareTo(MAX_RETRY_DELAY) > 0) {
      throw new IllegalArgumentException("retry delay must be 0 to 30 days, got " + delay);
    }
    return failed(reason, false, delay);
  }

  /** True when this result rejects the action instead of completing it. */
  public boolean isRejection() {
    return kind == Kind.REJECT;
  }

  /**
   * True when this result fails the attempt ({@link #fail}, {@link #failNoRetry},
   * {@link #retryIn}).
   */
  public boolean isFailure() {
    return kind == Kind.FAIL;
  }

  /** The result reference of a completion; empty when none. */
  public String resultRef() {
    return resultRef;
  }

  /** The structured outcome as JSON object text; empty when there is none. */
  public String resultJson() {
    return resultJson;
  }

  /** Why a rejection rejected, or null for a completion or failure. */
  public String rejectReason() {
    return kind == Kind.REJECT ? reason : null;
  }

  /**
   * The validator of a rejection (empty: the worker's name), or null for a completion or
   * failure.
   */
  public String validator() {
    return validator;
  }

  /** Why a failure failed, or null for a completion or rejection. */
  public String failureReason() {
    return kind == Kind.FAIL ? reason : null;
  }

  /** True for {@link #failNoRetry}. */
  public boolean noRetry() {
    return noRetry;
  }

  /** The delay a {@link #retryIn} asks for; empty otherwise (the backoff decides). */
  public Optional<Duration> retryDelay() {
    return Optional.ofNullable(retryDelay);
  }
}
