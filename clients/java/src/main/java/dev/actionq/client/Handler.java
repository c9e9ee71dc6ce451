package dev.actionq.client;

/**
 * Does the work of one claimed action.
 *
 * <p>Return a {@link Result} to complete, reject ({@link Result#reject}) or fail the action
 * ({@link Result#fail}, {@link Result#failNoRetry}, {@link Result#retryIn}); throw to fail the
 * attempt with the exception's message as the failure reason (retried by the action's backoff
 * while attempts remain). {@link Job#progress} reports progress while it runs. When the action
 * is cancelled while the handler runs, the {@link Worker} interrupts the handler's thread:
 * blocking calls then throw {@link InterruptedException}, and long computations should check
 * {@code Thread.currentThread().isInterrupted()}. A cancelled action is never completed.
 */
@FunctionalInterface
public interface Handler {

  /**
   * Handles {@code job} (the action and its decoded payload), which this worker holds under a
   * lease the worker keeps alive.
   */
  Result handle(Job job) throws Exception;
}
