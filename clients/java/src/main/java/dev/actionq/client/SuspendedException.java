package dev.actionq.client;

/**
 * Thrown by {@link Job#waitForSignal} and {@link Job#sleep} when the action now waits on the
 * server (its lease given up): let it propagate out of the handler. The {@link Worker} reports
 * nothing for it; once the signal arrives (or the time passes) the action is claimed again and
 * the handler runs from the top, its earlier steps returning their stored results and the wait
 * its {@link WakeUp}.
 */
public final class SuspendedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final long actionId;
  private final String step;

  public SuspendedException(long actionId, String step) {
    super("action " + actionId + " waits (" + step + ")", null, false, false);
    this.actionId = actionId;
    this.step = step;
  }

  /** The waiting action's id. */
  public long actionId() {
    return actionId;
  }

  /** The wait's step name. */
  public String step() {
    return step;
  }
}
