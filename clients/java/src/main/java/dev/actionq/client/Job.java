package dev.actionq.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.actionq.v1.Action;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * One claimed action as a {@link Handler} sees it: the action as the server sent it, its payload
 * decoded losslessly by {@link Json} (integers keep every digit), {@link #progress} to report
 * how far the work got, and checkpoints ({@link #saveCheckpoint}, {@link #checkpoints},
 * {@link #step}) to resume a retried attempt after the steps an earlier one finished, and durable
 * waits ({@link #waitForSignal}, {@link #sleep}) that park the action on the server until a
 * signal arrives or a time passes.
 */
public final class Job {

  /** Sends one progress report (JSON object text) for the job's action. */
  @FunctionalInterface
  interface ProgressReporter {
    void report(String progressJson);
  }

  /** Saves and lists the job's checkpoints under the worker's lease. */
  interface Checkpointer {
    CheckpointRecord save(String step, String stateJson);

    List<CheckpointRecord> list();
  }

  /**
   * Suspends the job's action under the worker's lease: returns the wake-up when the wait is
   * already over, or throws {@link SuspendedException} once the action waits.
   */
  interface Suspender {
    WakeUp suspend(String step, String signal, Duration timeout);
  }

  private final Action action;
  private final ObjectNode payload;
  private final ProgressReporter reporter;
  private final Checkpointer checkpointer;
  private final Suspender suspender;
  private int sleeps;

  /**
   * A job of {@code action} with {@code payload}; without a worker behind it,
   * {@link #progress} throws.
   */
  public Job(Action action, ObjectNode payload) {
    this(action, payload, null, null, null);
  }

  Job(Action action, ObjectNode payload, ProgressReporter reporter, Checkpointer checkpointer,
      Suspender suspender) {
    this.action = Objects.requireNonNull(action, "action");
    this.payload = Objects.requireNonNull(payload, "payload");
    this.reporter = reporter;
    this.checkpointer = checkpointer;
    this.suspender = suspender;
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

  /**
   * Saves {@code state} under {@code step} for this action, under the worker's lease (saving a
   * step again replaces it); a later attempt reads it with {@link #checkpoints()}. When the
   * server says the lease is gone, the handler's thread is interrupted, as by a heartbeat.
   *
   * @param state a JSON object: an {@code ObjectNode}, a {@code Map} or a record/bean
   * @return the checkpoint as stored
   * @throws IllegalArgumentException when {@code state} is not a JSON object
   * @throws ActionqException when the server refuses it (e.g. STALE_LEASE)
   * @throws IllegalStateException for a job that no worker runs
   */
  public CheckpointRecord saveCheckpoint(String step, Object state) {
    String stateJson = Json.writeObject(Objects.requireNonNull(state, "state"));
    return checkpointer().save(Objects.requireNonNull(step, "step"), stateJson);
  }

  /**
   * This action's checkpoints from every attempt, oldest step first, states decoded.
   *
   * @throws IllegalStateException for a job that no worker runs
   */
  public List<CheckpointRecord> checkpoints() {
    return checkpointer().list();
  }

  /**
   * Runs {@code work} once per action: when an attempt already saved a checkpoint named
   * {@code step}, returns its state as a {@code type} (through Jackson) without running
   * {@code work}; else runs {@code work}, saves what it returns under {@code step} (it must be a
   * JSON object) and returns it.
   *
   * <pre>{@code
   * Download d = job.step("download", Download.class, () -> fetch(job.payload()));
   * }</pre>
   *
   * @throws Exception what {@code work} throws
   */
  public <T> T step(String step, Class<T> type, Callable<? extends T> work) throws Exception {
    for (CheckpointRecord saved : checkpoints()) {
      if (saved.step().equals(step)) {
        try {
          return Json.mapper().treeToValue(saved.state(), type);
        } catch (JsonProcessingException e) {
          throw new IllegalStateException("checkpoint " + step + " does not decode as "
              + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
      }
    }
    T value = work.call();
    saveCheckpoint(step, value);
    return value;
  }

  /** {@link #waitForSignal(String, String, Duration)} with step "signal:NAME" and no timeout. */
  public WakeUp waitForSignal(String name) {
    return waitForSignal(name, null, null);
  }

  /** {@link #waitForSignal(String, String, Duration)} with step "signal:NAME". */
  public WakeUp waitForSignal(String name, Duration timeout) {
    return waitForSignal(name, null, timeout);
  }

  /**
   * Waits durably for the signal {@code name}. When the wait's step woke before (this is the
   * handler's run after the wake-up) or a kept signal matches now, returns the {@link WakeUp}
   * at once. Otherwise the action starts waiting on the server, its lease given up, and this
   * throws {@link SuspendedException}: let it propagate. The worker reports nothing; once the
   * signal (or the timeout) wakes the action it is claimed again and the handler runs from the
   * top, earlier {@link #step}s returning their stored results and this wait its wake-up.
   *
   * <pre>{@code
   * WakeUp approval = job.waitForSignal("approved:" + orderId, null, Duration.ofDays(1));
   * if (approval.timedOut()) return Result.reject("nobody approved");
   * }</pre>
   *
   * @param step the wait's step name, or null for "signal:NAME"
   * @param timeout wake after this long without the signal ({@link WakeUp#timedOut}), or null
   * @throws SuspendedException when the action now waits
   * @throws ActionqException when the server refuses (e.g. STALE_LEASE)
   * @throws IllegalStateException for a job that no worker runs
   */
  public WakeUp waitForSignal(String name, String step, Duration timeout) {
    Objects.requireNonNull(name, "name");
    return await(step != null ? step : "signal:" + name, name, timeout);
  }

  /** {@link #sleep(Duration, String)} with step "sleep:N", N counting unnamed sleeps from 0. */
  public WakeUp sleep(Duration duration) {
    return sleep(duration, null);
  }

  /**
   * Sleeps durably for {@code duration}: the action waits on the server without a lease (this
   * throws {@link SuspendedException}) and the handler runs again once the time has passed, this
   * sleep then returning its timed-out {@link WakeUp} at once. The default step "sleep:N" counts
   * the unnamed sleeps of this run of the handler from 0, so a handler must reach its sleeps in
   * the same order on every run (or name them).
   *
   * @param step the sleep's step name, or null for "sleep:N"
   * @throws SuspendedException when the action now waits
   */
  public WakeUp sleep(Duration duration, String step) {
    Objects.requireNonNull(duration, "duration");
    String name = step != null ? step : "sleep:" + sleeps++;
    return await(name, "", duration.isNegative() ? Duration.ZERO : duration);
  }

  /** The step's stored wake-up, or one Suspend. */
  private WakeUp await(String step, String signal, Duration timeout) {
    if (suspender == null) {
      throw new IllegalStateException("waiting needs a Worker: this job was made by hand");
    }
    for (CheckpointRecord saved : checkpoints()) {
      if (saved.step().equals(step)) {
        return WakeUp.fromCheckpoint(saved);
      }
    }
    return suspender.suspend(step, signal, timeout);
  }

  private Checkpointer checkpointer() {
    if (checkpointer == null) {
      throw new IllegalStateException("checkpoints need a Worker: this job was made by hand");
    }
    return checkpointer;
  }
}
