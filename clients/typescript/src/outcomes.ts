/**
 * How a Worker handler ends an action other than by completing it: throw one
 * of these. Any other error fails the attempt, which the server retries by
 * the action's backoff policy while attempts remain.
 */

/** Rejects the action (e.g. its payload is invalid): it ends `rejected` and is never retried. */
export class Reject extends Error {
  override name = "Reject";

  /**
   * @param reason why, stored as the action's failure reason
   * @param validator who rejected it; default the worker's name
   */
  constructor(
    reason: string,
    readonly validator?: string,
  ) {
    super(reason);
  }
}

/** Fails the action for good, whatever attempts remain: it ends `failed`. */
export class NoRetry extends Error {
  override name = "NoRetry";

  /** @param reason why, stored as the action's failure reason */
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
  }
}

/**
 * Fails this attempt and asks for the retry `delayMs` from now (0 = at once)
 * instead of the backoff policy. With no attempts left the action ends
 * `failed` all the same.
 */
export class RetryIn extends Error {
  override name = "RetryIn";

  /**
   * @param delayMs milliseconds until the retry, 0 to 30 days
   * @param reason why, stored as the action's failure reason
   */
  constructor(
    readonly delayMs: number,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    if (!(delayMs >= 0)) {
      throw new RangeError(`RetryIn: delayMs must be 0 or more, got ${delayMs}`);
    }
  }
}

/**
 * Thrown by `context.waitForSignal` and `context.sleep` when the action now
 * waits on the server (its lease given up): let it propagate (or rethrow
 * it). The worker reports nothing; the action is claimed again once it
 * wakes and the handler runs again from the top, where the wait returns
 * its wake-up.
 */
export class Suspended extends Error {
  override name = "Suspended";

  /** @param step the wait's step */
  constructor(readonly step: string) {
    super(`action suspended at step ${step} until it wakes`);
  }
}
