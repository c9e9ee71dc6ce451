package dev.actionq.client;

import com.google.protobuf.Struct;
import java.util.Objects;

/**
 * What a {@link Handler} reports for an action: completed (with an optional result reference and
 * structured result) or rejected by a validator. To fail an attempt, throw from the handler.
 */
public final class Result {

  private final String resultRef;
  private final Struct result;
  private final String rejectReason;
  private final String validator;

  private Result(String resultRef, Struct result, String rejectReason, String validator) {
    this.resultRef = resultRef;
    this.result = result;
    this.rejectReason = rejectReason;
    this.validator = validator;
  }

  /** Completed with no outcome recorded. */
  public static Result done() {
    return new Result("", null, null, null);
  }

  /** Completed; {@code resultRef} points at the outcome. */
  public static Result of(String resultRef) {
    return new Result(Objects.requireNonNull(resultRef, "resultRef"), null, null, null);
  }

  /** Completed with a reference and a structured outcome. */
  public static Result of(String resultRef, Struct result) {
    return new Result(
        Objects.requireNonNull(resultRef, "resultRef"), Objects.requireNonNull(result, "result"),
        null, null);
  }

  /** Rejected by {@code validator} for {@code reason}; the action is never retried. */
  public static Result reject(String reason, String validator) {
    return new Result(
        null, null, Objects.requireNonNull(reason, "reason"),
        Objects.requireNonNull(validator, "validator"));
  }

  /** True when this result rejects the action instead of completing it. */
  public boolean isRejection() {
    return rejectReason != null;
  }

  /** The result reference of a completion; empty when none. */
  public String resultRef() {
    return resultRef == null ? "" : resultRef;
  }

  /** The structured outcome of a completion, or null. */
  public Struct result() {
    return result;
  }

  /** Why a rejection rejected, or null for a completion. */
  public String rejectReason() {
    return rejectReason;
  }

  /** The validator of a rejection, or null for a completion. */
  public String validator() {
    return validator;
  }
}
