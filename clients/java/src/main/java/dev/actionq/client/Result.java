package dev.actionq.client;

import java.util.Objects;

/**
 * What a {@link Handler} reports for an action: completed (with an optional result reference and
 * structured result) or rejected by a validator. To fail an attempt, throw from the handler.
 */
public final class Result {

  private final String resultRef;
  private final String resultJson;
  private final String rejectReason;
  private final String validator;

  private Result(String resultRef, String resultJson, String rejectReason, String validator) {
    this.resultRef = resultRef;
    this.resultJson = resultJson;
    this.rejectReason = rejectReason;
    this.validator = validator;
  }

  /** Completed with no outcome recorded. */
  public static Result done() {
    return new Result("", "", null, null);
  }

  /** Completed; {@code resultRef} points at the outcome. */
  public static Result of(String resultRef) {
    return new Result(Objects.requireNonNull(resultRef, "resultRef"), "", null, null);
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
    return new Result(Objects.requireNonNull(resultRef, "resultRef"),
        Json.writeObject(Objects.requireNonNull(result, "result")), null, null);
  }

  /** Rejected by {@code validator} for {@code reason}; the action is never retried. */
  public static Result reject(String reason, String validator) {
    return new Result(
        null, "", Objects.requireNonNull(reason, "reason"),
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

  /** The structured outcome as JSON object text; empty when there is none. */
  public String resultJson() {
    return resultJson;
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
