package dev.actionq.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.actionq.v1.Action;
import java.util.Objects;

/**
 * One claimed action as a {@link Handler} sees it: the action as the server sent it, its payload
 * decoded losslessly by {@link Json} (integers keep every digit), and {@link #progress} to report
 * how far the work got.
 */
public final class Job {

  /** Sends one progress report (JSON object text) for the job's action. */
  @FunctionalInterface
  interface ProgressReporter {
    void report(String progressJson);
  }

  private final Action action;
  private final ObjectNode payload;
  private final ProgressReporter reporter;

  /**
   * A job of {@code action} with {@code payload}; without a worker behind it,
   * {@link #progress} throws.
   */
  public Job(Action action, ObjectNode payload) {
    this(action, payload, null);
  }

  Job(Action action, ObjectNode payload, ProgressReporter reporter) {
    this.action = Objects.requireNonNull(action, "action");
    this.payload = Objects.requireNonNull(payload, "payload");
    this.reporter = reporter;
  }

  /** The job of {@code action}, its payload decoded from {@code payload_json}. */
  public static Job of(Action action) {
    return new Job(action, Json.payload(action));
  }

  /**
   * The claimed action (status, attempt, lineage, …; its {@code payload_json} is the text
   * {@link #payload()} was decoded from).
   */
  public Action action() {
    return action;
  }

  /** The action's payload, the empty object when it has none. */
  public ObjectNode payload() {
    return payload;
  }

  /** The action's id. */
  public long id() {
    return action.getId();
  }

  /** The action's type, e.g. {@code "email.send"}. */
  public String actionType() {
    return action.getActionType();
  }

  /** Which claim of the action this is: 1 the first time, 2 on its first retry, … */
  public int attempt() {
    return action.getAttempt();
  }

  /**
   * Reports progress now: one Heartbeat carrying {@code progress} as {@code progress_json}
   * (written losslessly by {@link Json#writeObject}), which also extends the lease. The server
   * stores it on the action and logs an {@code action_progress} event for watchers. When the
   * heartbeat finds the action cancelled or the lease lost, the handler's thread is interrupted,
   * as by the worker's own heartbeats.
   *
   * @param progress a JSON object: an {@code ObjectNode}, a {@code Map} or a record/bean
   * @throws IllegalArgumentException when {@code progress} is not a JSON object
   * @throws ActionqException when the heartbeat fails
   * @throws IllegalStateException for a job that no worker runs
   */
  public void progress(Object progress) {
    String progressJson = Json.writeObject(Objects.requireNonNull(progress, "progress"));
    if (reporter == null) {
      throw new IllegalStateException("progress needs a Worker: this job was made by hand");
    }
    reporter.report(progressJson);
  }
}
