import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";

import { duration } from "./client.js";
import type { ActionQueueClient } from "./client.js";
import type { Action, ClaimedAction } from "./gen/actionq/v1/action_pb.js";

/** The RPCs a Worker uses; an ActionQueueClient has them all. */
export type WorkerClient = Pick<ActionQueueClient, "claim" | "heartbeat" | "complete" | "fail">;

/** What a handler learns besides the action itself. */
export interface HandlerContext {
  /**
   * Aborted when the action must no longer be worked on: an operator
   * cancelled it (Heartbeat said `cancelled`) or the lease was lost. The
   * worker then reports nothing for the action, whatever the handler returns.
   */
  readonly signal: AbortSignal;
  /** The lease token of this claim, for handlers that call the API themselves. */
  readonly leaseToken: string;
}

/** What a successful handler may report; both fields are optional. */
export interface HandlerResult {
  /** Stored as the action's result_ref. */
  resultRef?: string;
  /** Stored as the action's result (a JSON object). */
  result?: JsonObject;
}

/**
 * Works on one claimed action. Resolve to complete it, throw (or reject) to
 * fail it with the error's message as the reason. Watch `signal` to stop
 * early when the action is cancelled.
 */
export type Handler = (action: Action, context: HandlerContext) => Promise<HandlerResult | void>;

/** Which work a Worker claims and how. Only `name` is required. */
export interface WorkerOptions {
  /** Recorded as claimed_by, e.g. "thumbnailer-1". */
  name: string;
  /** Only these action types; empty or unset means any. */
  actionTypes?: string[];
  /** Only this project; unset means any. */
  project?: string;
  /** Queue to claim from; unset means "default". */
  queue?: string;
  /** Handlers running at once; one Claim asks for as many actions as slots are free. Default 1. */
  concurrency?: number;
  /** Lease per claim and per heartbeat; heartbeats go out every lease/3. Default 30 s. */
  leaseMs?: number;
  /** How long one Claim long-polls for work, up to 60 s. Default 30 s. */
  waitMs?: number;
  /** Stop gracefully on the first SIGINT or SIGTERM (a second one kills as usual). Default true. */
  handleSignals?: boolean;
  /** Stops the worker gracefully when aborted. */
  signal?: AbortSignal;
  /** Reports errors the worker recovers from (failed claims, heartbeats, completions). Default: console.error. */
  onError?: (error: unknown, context: string) => void;
}

const RETRYABLE = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted]);
const LEASE_LOST = new Set([Code.FailedPrecondition, Code.NotFound]);
const MAX_BACKOFF_MS = 5_000;

/**
 * A long-polling worker: claims actions, runs the handler on each while
 * heartbeating its lease, then completes or fails it.
 *
 * `run()` resolves once the worker was stopped (stop(), the `signal` option,
 * or SIGINT/SIGTERM) and every in-flight handler has finished.
 */
export class Worker {
  private readonly options: Required<Omit<WorkerOptions, "project" | "queue" | "signal">> &
    Pick<WorkerOptions, "project" | "queue" | "signal">;
  private readonly stopController = new AbortController();
  private readonly inflight = new Set<Promise<void>>();
  private running = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: WorkerClient,
    private readonly handler: Handler,
    options: WorkerOptions,
  ) {
    if (!options.name) {
      throw new Error("WorkerOptions.name is required");
    }
    this.options = {
      actionTypes: [],
      concurrency: 1,
      leaseMs: 30_000,
      waitMs: 30_000,
      handleSignals: true,
      onError: (error, context) => console.error(`actionq worker ${options.name}: ${context}:`, errorText(error)),
      ...definedOnly(options),
    };
    if (this.options.concurrency < 1) {
      throw new Error("WorkerOptions.concurrency must be at least 1");
    }
  }

  /** True once stop() was called or a stop signal arrived. */
  get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Stops claiming; run() resolves after the in-flight handlers finish. */
  stop(): void {
    this.stopController.abort();
    this.wake?.();
  }

  /** Claims and handles actions until stopped, then drains. */
  async run(): Promise<void> {
    if (this.running) {
      throw new Error("Worker is already running");
    }
    this.running = true;
    const detach = this.attachStopSources();
    try {
      await this.claimLoop();
    } finally {
      while (this.inflight.size > 0) {
        await Promise.allSettled([...this.inflight]);
      }
      detach();
      this.running = false;
    }
  }

  private attachStopSources(): () => void {
    const stop = () => this.stop();
    const { signal, handleSignals } = this.options;
    if (signal?.aborted) {
      this.stop();
    }
    signal?.addEventListener("abort", stop, { once: true });
    if (handleSignals) {
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    }
    return () => {
      signal?.removeEventListener("abort", stop);
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
    };
  }

  private async claimLoop(): Promise<void> {
    const stopSignal = this.stopController.signal;
    const { name, queue, project, actionTypes, concurrency, leaseMs, waitMs } = this.options;
    let backoffMs = 0;
    while (!stopSignal.aborted) {
      if (this.inflight.size >= concurrency) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      let claimed: ClaimedAction[];
      try {
        const response = await this.client.claim(
          {
            worker: name,
            queue: queue ?? "",
            project: project ?? "",
            actionTypes,
            maxActions: concurrency - this.inflight.size,
            lease: duration(leaseMs),
            wait: duration(waitMs),
          },
          { signal: stopSignal },
        );
        claimed = response.actions;
        backoffMs = 0;
      } catch (error) {
        if (stopSignal.aborted) {
          break;
        }
        this.options.onError(error, "claim");
        backoffMs = Math.min(Math.max(backoffMs * 2, 100), MAX_BACKOFF_MS);
        await sleep(backoffMs, stopSignal);
        continue;
      }
      for (const item of claimed) {
        const task: Promise<void> = this.handle(item).finally(() => {
          this.inflight.delete(task);
          this.wake?.();
        });
        this.inflight.add(task);
      }
    }
  }

  private async handle(claimed: ClaimedAction): Promise<void> {
    const action = claimed.action;
    if (!action) {
      return;
    }
    const leaseToken = claimed.leaseToken;
    const lease = new AbortController();
    const done = new AbortController();
    const heartbeats = this.heartbeat(action.id, leaseToken, lease, done.signal);

    let outcome: { ok: true; value: HandlerResult | void } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await this.handler(action, { signal: lease.signal, leaseToken }) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    done.abort();
    await heartbeats;

    if (lease.signal.aborted) {
      return;
    }
    const id = action.id;
    if (outcome.ok) {
      const value = outcome.value ?? {};
      await this.report(`complete action ${id}`, () =>
        this.client.complete({
          id,
          leaseToken,
          resultRef: value.resultRef ?? "",
          ...(value.result === undefined ? {} : { result: value.result }),
        }),
      );
    } else {
      await this.report(`fail action ${id}`, () =>
        this.client.fail({ id, leaseToken, reason: errorText(outcome.error) || "handler failed" }),
      );
    }
  }

  /** Extends the lease every lease/3 until `done`; aborts `lease` when the action was cancelled or the lease lost. */
  private async heartbeat(id: bigint, leaseToken: string, lease: AbortController, done: AbortSignal): Promise<void> {
    const { leaseMs } = this.options;
    const intervalMs = Math.max(Math.floor(leaseMs / 3), 100);
    while (!done.aborted) {
      await sleep(intervalMs, done);
      if (done.aborted) {
        return;
      }
      try {
        const response = await this.client.heartbeat({ id, leaseToken, lease: duration(leaseMs) }, { signal: done });
        if (response.cancelled) {
          lease.abort(new Error(`action ${id} was cancelled`));
          return;
        }
      } catch (error) {
        if (done.aborted) {
          return;
        }
        const code = ConnectError.from(error).code;
        if (LEASE_LOST.has(code)) {
          lease.abort(new Error(`lease of action ${id} was lost: ${errorText(error)}`));
          this.options.onError(error, `heartbeat action ${id} (lease lost)`);
          return;
        }
        this.options.onError(error, `heartbeat action ${id}`);
      }
    }
  }

  /** Sends a completion, retrying while the server is unreachable. */
  private async report(context: string, call: () => Promise<unknown>): Promise<void> {
    let backoffMs = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        await call();
        return;
      } catch (error) {
        const retry = attempt < 5 && RETRYABLE.has(ConnectError.from(error).code);
        this.options.onError(error, retry ? `${context} (retrying)` : context);
        if (!retry) {
          return;
        }
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

function errorText(error: unknown): string {
  if (error instanceof ConnectError) {
    return `${Code[error.code]}: ${error.rawMessage}`;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
