/** Bounded retries with exponential backoff, shared by Enqueue and the worker's reports. */
import { ConnectError } from "@connectrpc/connect";
import type { Code } from "@connectrpc/connect";

/** How often and how patiently to retry a call. */
export interface RetryPolicy {
  /** Calls in all, the first included. */
  attempts: number;
  /** Wait before the second call; doubles after each retry. */
  firstBackoffMs: number;
  /** The wait never grows beyond this. */
  maxBackoffMs: number;
  /** Status codes worth another call. */
  retryable: ReadonlySet<Code>;
}

/**
 * Runs `call` until it succeeds, fails with a code the policy does not retry,
 * the attempts run out or `signal` aborts; the last error is thrown.
 */
export async function retrying<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (error: unknown) => void,
  signal?: AbortSignal,
): Promise<T> {
  let backoffMs = policy.firstBackoffMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.attempts || signal?.aborted || !policy.retryable.has(ConnectError.from(error).code)) {
        throw error;
      }
      onRetry?.(error);
      await sleep(backoffMs, signal);
      backoffMs = Math.min(backoffMs * 2, policy.maxBackoffMs);
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
