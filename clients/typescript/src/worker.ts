import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { CallOptions } from "@connectrpc/connect";

import type { Duration } from "@bufbuild/protobuf/wkt";

import { duration } from "./client.js";
import type { ActionQueueClient } from "./client.js";
import { ActionqError } from "./errors.js";
import { CheckpointSchema } from "./gen/actionq/v1/action_pb.js";
import type { ClaimedAction } from "./gen/actionq/v1/action_pb.js";
import type { SaveCheckpointResponse, SuspendResponse } from "./gen/actionq/v1/service_pb.js";
import { stringifyJson } from "./json.js";
import type { JsonObject } from "./json.js";
import { NoRetry, Reject, RetryIn, Suspended } from "./outcomes.js";
import { decodeAction, decodeCheckpoint, decodeWakeUp, wakeUpFromCheckpoint } from "./records.js";
import type { ActionRecord, CheckpointRecord, WakeUpRecord } from "./records.js";
import { retrying, sleep } from "./retry.js";
import type { RetryPolicy } from "./retry.js";

/**
 * The RPCs a Worker uses; an ActionQueueClient has them all. `completeMany`
 * is optional so that stubs written before the worker batched completions
 * still fit: without it each completion is sent with its own `complete`.
 */
export type WorkerClient = Pick<ActionQueueClient, "claim" | "heartbeat" | "complete" | "fail" | "reject"> &
  Partial<Pick<ActionQueueClient, "completeMany" | "getCheckpoints">> & {
    /** Needed only by handlers that save checkpoints (the generated client's, or the wrapped one's). */
    saveCheckpoint?: (
      request: { id: bigint; leaseToken: string; step: string; stateJson: string },
      options?: CallOptions,
    ) => Promise<SaveCheckpointResponse>;
    /** Needed only by handlers that wait (waitForSignal, sleep). */
    suspend?: (
      request: { id: bigint; leaseToken: string; step: string; signal: string; timeout?: Duration },
      options?: CallOptions,
    ) => Promise<SuspendResponse>;
  };

/** Options of `waitForSignal` and `sleep`. */
export interface WaitOptions {
  /**
   * The wait's step name; the wake-up is stored as this step's checkpoint.
   * Default "signal:<name>" for a signal, "sleep:<n>" for a sleep, n
   * counting the unnamed sleeps of this run of the handler from 0 (so a handler must
   * reach its sleeps in the same order on every run, or name them).
   */
  step?: string;
  /** waitForSignal only: wake after this many milliseconds without the signal (`timedOut` true). */
  timeoutMs?: number;
}

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
  /** Which claim of the action this is: 1 the first time, 2 on its first retry, … */
  readonly attempt: number;
  /**
   * Reports progress now: a Heartbeat carrying `progress` (a JSON object,
   * written losslessly as progress_json), which also extends the lease. The
   * server stores it on the action (`progress`) and logs an action_progress
   * event for watchers. Rejects with the ActionqError when the heartbeat
   * fails; when the action was cancelled or the lease lost, `signal` aborts.
   */
  progress(progress: JsonObject): Promise<void>;
  /**
   * Saves `state` (a JSON object, written losslessly) under `step` with this
   * claim's lease; saving a step again replaces it. A later attempt reads it
   * with `checkpoints()`. Rejects with the ActionqError when the server
   * refuses (STALE_LEASE: the lease is gone, and `signal` aborts).
   */
  saveCheckpoint(step: string, state: JsonObject): Promise<CheckpointRecord>;
  /** This action's checkpoints from every attempt, oldest step first, `state` decoded. */
  checkpoints(): Promise<CheckpointRecord[]>;
  /**
   * Runs `work` once per action: if an attempt already saved a checkpoint
   * named `step`, resolves to its state without running `work`; otherwise
   * runs `work`, saves what it resolves to under `step`, and returns it.
   */
  step<T extends JsonObject>(step: string, work: () => Promise<T>): Promise<T>;
  /**
   * Waits for the signal `name`. If the wait's step woke before (on an
   * earlier run of the handler) or a kept signal matches, resolves to the
   * wake-up at once. Otherwise the action starts waiting on the server and
   * this throws `Suspended`: let it propagate. The worker reports nothing;
   * once the signal (or `timeoutMs`) wakes the action it is claimed again and
   * the handler runs from the top, earlier steps returning their stored
   * results and this wait its wake-up.
   */
  waitForSignal(name: string, options?: WaitOptions): Promise<WakeUpRecord>;
  /**
   * Sleeps `ms` durably: the action waits on the server (this throws
   * `Suspended`), and the handler's next run gets the timed-out wake-up here.
   */
  sleep(ms: number, options?: Pick<WaitOptions, "step">): Promise<WakeUpRecord>;
}

/** What a successful handler may report; both fields are optional. */
export interface HandlerResult {
  /** Stored as the action's result_ref. */
  resultRef?: string;
  /** Stored as the action's result: a JSON object, sent as result_json (bigint keeps every digit). */
  result?: JsonObject;
}

/**
 * Works on one claimed action, its `payload` decoded losslessly (integers
 * beyond 2^53 as bigint). Resolve to complete it (with an optional result);
 * throw `new Reject(reason)` to reject it (never retried), `new
 * NoRetry(reason)` to fail it for good, `new RetryIn(ms, reason)` to fail
 * this attempt with a retry after `ms`; any other error fails the attempt
 * with its message as the reason (retried by the action's backoff while
 * attempts remain). `await context.progress({...})` reports progress. Watch
 * `signal` to stop early when the action is cancelled.
 */
export type Handler = (action: ActionRecord, context: HandlerContext) => Promise<HandlerResult | void>;

/** Which work a Worker claims and how. Only `name` is required. */
export interface WorkerOptions {
  /** Recorded as claimed_by, e.g. "thumbnailer-1". */
  name: string;
  /** Only these action types; empty or unset means any. */
  actionTypes?: string[];
  /** Only this project; unset means any. */
  project?: string;
  /** Queue to claim from; unset means "default" (unless `queues` is set). */
  queue?: string;
  /** Claim from any of these queues (at most 100); paused ones are skipped. */
  queues?: string[];
  /**
   * Handlers running at once; one Claim asks for as many actions as slots are
   * free. Also bounds the reports (completions, failures) awaiting the
   * server's answer. Default 1.
   */
  concurrency?: number;
  /** Lease per claim and per heartbeat; heartbeats go out every lease/3. Default 30 s. */
  leaseMs?: number;
  /** How long one Claim long-polls for work, up to 60 s. Default 30 s. */
  waitMs?: number;
  /**
   * Completions are sent in batches, one CompleteMany of up to 1,000: a batch
   * goes out this long after its first completion (at once when full), one
   * batch at a time. 0 still batches whatever is queued at that moment.
   * Default 2 ms.
   */
  completeBatchWindowMs?: number;
  /** Stop gracefully on the first SIGINT or SIGTERM (a second one kills as usual). Default true. */
  handleSignals?: boolean;
  /** Stops the worker gracefully when aborted. */
  signal?: AbortSignal;
  /** Reports errors the worker recovers from (failed claims, heartbeats, completions). Default: console.error. */
  onError?: (error: unknown, context: string) => void;
}

/** Reports (CompleteMany, Complete, Fail) are retried while the server is unreachable or busy. */
const REPORT_RETRY: RetryPolicy = {
  attempts: 5,
  firstBackoffMs: 100,
  maxBackoffMs: 5_000,
  retryable: new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted]),
};
const LEASE_LOST = new Set([Code.FailedPrecondition, Code.NotFound]);
const MAX_CLAIM_BACKOFF_MS = 5_000;
/** CompleteManyRequest takes at most this many completions. */
const MAX_BATCH = 1_000;

/** One completion as CompleteRequest carries it. */
interface Completion {
  id: bigint;
  leaseToken: string;
  resultRef: string;
  resultJson: string;
}

/**
 * A long-polling worker: claims actions, runs the handler on each while
 * heartbeating its lease, then completes or fails it. Completions are batched
 * into CompleteMany calls; a handler's slot frees as soon as it returns, so
 * the next Claim does not wait for the report's round trip.
 *
 * `run()` resolves once the worker was stopped (stop(), the `signal` option,
 * or SIGINT/SIGTERM), every in-flight handler has finished and every report
 * was sent and answered.
 */
export class Worker {
  private readonly options: Required<Omit<WorkerOptions, "project" | "queue" | "queues" | "signal">> &
    Pick<WorkerOptions, "project" | "queue" | "queues" | "signal">;
  private readonly stopController = new AbortController();
  /** Every claimed action until its report is answered; run() drains these. */
  private readonly inflight = new Set<Promise<void>>();
  /** Claim slots in use: actions whose handler has not returned yet (or waits for a report slot). */
  private handling = 0;
  /** Bounds the reports in flight, so a slow server holds the worker back instead of reports piling up. */
  private readonly reports: Semaphore;
  private readonly outbox: Outbox;
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
      completeBatchWindowMs: 2,
      handleSignals: true,
      onError: (error, context) => console.error(`actionq worker ${options.name}: ${context}:`, errorText(error)),
      ...definedOnly(options),
    };
    if (this.options.concurrency < 1) {
      throw new Error("WorkerOptions.concurrency must be at least 1");
    }
    if (!(this.options.completeBatchWindowMs >= 0)) {
      throw new Error("WorkerOptions.completeBatchWindowMs must not be negative");
    }
    this.reports = new Semaphore(this.options.concurrency);
    this.outbox = new Outbox(client, this.options.completeBatchWindowMs, this.options.onError);
  }

  /** True once stop() was called or a stop signal arrived. */
  get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Stops claiming; run() resolves after the in-flight handlers finish and their reports were sent. */
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
      // Graceful stop: the handlers in flight finish; their completions go out
      // without waiting for a batch window, and every report is answered
      // before run() resolves.
      this.outbox.close();
      while (this.inflight.size > 0) {
        await Promise.allSettled([...this.inflight]);
      }
      await this.outbox.flush();
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
    const { name, queue, queues, project, actionTypes, concurrency, leaseMs, waitMs } = this.options;
    let backoffMs = 0;
    while (!stopSignal.aborted) {
      if (this.handling >= concurrency) {
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
            queues: queues ?? [],
            project: project ?? "",
            actionTypes,
            maxActions: concurrency - this.handling,
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
        backoffMs = Math.min(Math.max(backoffMs * 2, 100), MAX_CLAIM_BACKOFF_MS);
        await sleep(backoffMs, stopSignal);
        continue;
      }
      for (const item of claimed) {
        this.handling++;
        const task: Promise<void> = this.handle(item).finally(() => this.inflight.delete(task));
        this.inflight.add(task);
      }
    }
  }

  /**
   * Runs the handler on one claimed action, then reports the outcome. The
   * claim slot frees as soon as the handler returns (and a report slot is
   * free), not when the report is answered.
   */
  private async handle(claimed: ClaimedAction): Promise<void> {
    let report: (() => Promise<void>) | undefined;
    try {
      report = await this.runHandler(claimed);
      if (report) {
        // Holding the claim slot while all report slots are taken is what
        // holds claiming back when the server answers slowly.
        await this.reports.acquire();
      }
    } finally {
      this.handling--;
      this.wake?.();
    }
    if (report) {
      try {
        await report();
      } finally {
        this.reports.release();
      }
    }
  }

  /** Runs the handler while heartbeating; returns how to report its outcome, or nothing to report. */
  private async runHandler(claimed: ClaimedAction): Promise<(() => Promise<void>) | undefined> {
    const action = claimed.action;
    if (!action) {
      return undefined;
    }
    const id = action.id;
    const leaseToken = claimed.leaseToken;
    const lease = new AbortController();
    const done = new AbortController();
    const heartbeats = this.heartbeat(id, leaseToken, lease, done.signal);

    // A payload that does not decode, or a result that cannot be written as
    // JSON, fails the action like a handler error.
    let outcome: { ok: true; completion: Completion } | { ok: false; error: unknown };
    let sleeps = 0;
    const context: HandlerContext = {
      signal: lease.signal,
      leaseToken,
      attempt: action.attempt,
      progress: (progress) => this.sendProgress(id, leaseToken, progress, lease, done.signal),
      saveCheckpoint: (step, state) => this.saveCheckpoint(id, leaseToken, step, state, lease),
      checkpoints: () => this.checkpoints(id),
      step: (step, work) => this.runStep(id, leaseToken, step, work, lease),
      waitForSignal: (name, options = {}) =>
        this.waitFor(id, leaseToken, options.step ?? `signal:${name}`, name, options.timeoutMs, lease),
      sleep: (ms, options = {}) =>
        this.waitFor(id, leaseToken, options.step ?? `sleep:${sleeps++}`, "", Math.max(ms, 0), lease),
    };
    try {
      const value = (await this.handler(decodeAction(action), context)) ?? {};
      const resultJson = value.result === undefined ? "" : stringifyJson(value.result);
      outcome = { ok: true, completion: { id, leaseToken, resultRef: value.resultRef ?? "", resultJson } };
    } catch (error) {
      outcome = { ok: false, error };
    }
    done.abort();
    await heartbeats;

    if (lease.signal.aborted) {
      return undefined;
    }
    if (outcome.ok) {
      const { completion } = outcome;
      return () => this.outbox.complete(completion).catch((error) => this.options.onError(error, `complete action ${id}`));
    }
    const { error } = outcome;
    const reason = errorText(error) || "handler failed";
    if (error instanceof Reject) {
      const validator = error.validator || this.options.name;
      return () =>
        this.report(`reject action ${id}`, () => this.client.reject({ id, leaseToken, reason, validator }));
    }
    const retry =
      error instanceof NoRetry
        ? { noRetry: true }
        : error instanceof RetryIn
          ? { retryDelay: duration(error.delayMs) }
          : {};
    return () => this.report(`fail action ${id}`, () => this.client.fail({ id, leaseToken, reason, ...retry }));
  }

  /** A handler's progress report: one Heartbeat carrying progress_json. */
  private async sendProgress(
    id: bigint,
    leaseToken: string,
    progress: JsonObject,
    lease: AbortController,
    done: AbortSignal,
  ): Promise<void> {
    const progressJson = stringifyJson(progress);
    try {
      const response = await this.client.heartbeat(
        { id, leaseToken, lease: duration(this.options.leaseMs), progressJson },
        { signal: done },
      );
      if (response.cancelled) {
        lease.abort(new Error(`action ${id} was cancelled`));
      }
    } catch (error) {
      if (LEASE_LOST.has(ConnectError.from(error).code)) {
        lease.abort(new Error(`lease of action ${id} was lost: ${errorText(error)}`));
      }
      throw ActionqError.from(error);
    }
  }

  /** A handler's checkpoint: one SaveCheckpoint under its lease. */
  private async saveCheckpoint(
    id: bigint,
    leaseToken: string,
    step: string,
    state: JsonObject,
    lease: AbortController,
  ): Promise<CheckpointRecord> {
    if (!this.client.saveCheckpoint) {
      throw new TypeError("this worker's client has no saveCheckpoint");
    }
    const stateJson = stringifyJson(state);
    try {
      const response = await this.client.saveCheckpoint({ id, leaseToken, step, stateJson });
      return decodeCheckpoint(response.checkpoint ?? create(CheckpointSchema));
    } catch (error) {
      if (LEASE_LOST.has(ConnectError.from(error).code)) {
        lease.abort(new Error(`lease of action ${id} was lost: ${errorText(error)}`));
      }
      throw ActionqError.from(error);
    }
  }

  /** A handler's step: its saved state, or `work`'s value once saved. */
  private async runStep<T extends JsonObject>(
    id: bigint,
    leaseToken: string,
    step: string,
    work: () => Promise<T>,
    lease: AbortController,
  ): Promise<T> {
    const saved = (await this.checkpoints(id)).find((checkpoint) => checkpoint.step === step);
    if (saved) {
      return saved.state as T;
    }
    const value = await work();
    await this.saveCheckpoint(id, leaseToken, step, value, lease);
    return value;
  }

  /**
   * A handler's wait: the step's stored wake-up, or Suspend; when the action
   * is suspended, aborts `lease` with Suspended (so nothing is reported) and throws it.
   */
  private async waitFor(
    id: bigint,
    leaseToken: string,
    step: string,
    signal: string,
    timeoutMs: number | undefined,
    lease: AbortController,
  ): Promise<WakeUpRecord> {
    if (!this.client.suspend) {
      throw new TypeError("this worker's client has no suspend");
    }
    const saved = (await this.checkpoints(id)).find((checkpoint) => checkpoint.step === step);
    if (saved) {
      return wakeUpFromCheckpoint(saved);
    }
    let response: SuspendResponse;
    try {
      response = await this.client.suspend({
        id,
        leaseToken,
        step,
        signal,
        ...(timeoutMs === undefined ? {} : { timeout: duration(timeoutMs) }),
      });
    } catch (error) {
      if (LEASE_LOST.has(ConnectError.from(error).code)) {
        lease.abort(new Error(`lease of action ${id} was lost: ${errorText(error)}`));
      }
      throw ActionqError.from(error);
    }
    if (response.suspended) {
      const suspended = new Suspended(step);
      lease.abort(suspended);
      throw suspended;
    }
    if (!response.wake) {
      throw new Error(`Suspend of action ${id} at step ${step} answered neither suspended nor a wake-up`);
    }
    return decodeWakeUp(response.wake);
  }

  /** The action's checkpoints from every attempt. */
  private async checkpoints(id: bigint): Promise<CheckpointRecord[]> {
    if (!this.client.getCheckpoints) {
      throw new TypeError("this worker's client has no getCheckpoints");
    }
    try {
      return (await this.client.getCheckpoints({ id })).checkpoints.map(decodeCheckpoint);
    } catch (error) {
      throw ActionqError.from(error);
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

  /** Sends a report, retrying while the server is unreachable; logs the error if it fails for good. */
  private async report(context: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await retrying(call, REPORT_RETRY, (error) => this.options.onError(error, `${context} (retrying)`));
    } catch (error) {
      this.options.onError(error, context);
    }
  }
}

/** A completion waiting in the outbox, and how to tell its reporter the outcome. */
interface Queued {
  completion: Completion;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Collects completions and sends them in CompleteMany batches: a batch goes
 * out `windowMs` after the first completion queued (at once when full, or
 * when closing), one batch at a time, so completions arriving while a batch
 * is on the wire ride in the next one.
 */
class Outbox {
  private queue: Queued[] = [];
  private sending: Promise<void> | undefined;
  private closing = false;
  private cutWindow: (() => void) | undefined;

  constructor(
    private readonly client: WorkerClient,
    private readonly windowMs: number,
    private readonly onError: (error: unknown, context: string) => void,
  ) {}

  /** Queues one completion; resolves once the server accepted it, rejects with an ActionqError if not. */
  complete(completion: Completion): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ completion, resolve, reject });
      if (this.queue.length >= MAX_BATCH) {
        this.cutWindow?.();
      }
      this.sending ??= this.sendAll();
    });
  }

  /** From now on sends without waiting for the window (the worker is stopping). */
  close(): void {
    this.closing = true;
    this.cutWindow?.();
  }

  /** Resolves once everything queued was sent and answered. */
  async flush(): Promise<void> {
    while (this.sending) {
      this.cutWindow?.();
      await this.sending;
    }
  }

  private async sendAll(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        if (this.queue.length < MAX_BATCH && !this.closing) {
          await this.waitWindow();
        }
        await this.send(this.nextBatch());
      }
    } finally {
      // Runs in the same turn as the empty-queue check above, so a
      // completion queued after it starts a new sendAll.
      this.sending = undefined;
    }
  }

  /**
   * Takes up to MAX_BATCH completions with distinct ids off the queue, in
   * queue order. The server refuses a whole CompleteMany that names an id
   * twice, which can happen when a lease expired and this worker claimed the
   * action again before the first report went out: a repeated id stays queued
   * for the next batch.
   */
  private nextBatch(): Queued[] {
    const batch: Queued[] = [];
    const rest: Queued[] = [];
    const ids = new Set<bigint>();
    for (const item of this.queue) {
      const id = item.completion.id;
      if (batch.length < MAX_BATCH && !ids.has(id)) {
        ids.add(id);
        batch.push(item);
      } else {
        rest.push(item);
      }
    }
    this.queue = rest;
    return batch;
  }

  private waitWindow(): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.cutWindow = undefined;
        resolve();
      };
      const timer = setTimeout(end, this.windowMs);
      this.cutWindow = end;
    });
  }

  /** Sends one batch and settles each item: refused items and a failed call reject. */
  private async send(batch: Queued[]): Promise<void> {
    let refused: Map<bigint, ActionqError>;
    try {
      refused = await this.call(batch.map((item) => item.completion));
    } catch (error) {
      // The whole call failed: every item gets that error. Their leases
      // expire and the server requeues the actions.
      for (const item of batch) {
        item.reject(error);
      }
      return;
    }
    for (const item of batch) {
      const failure = refused.get(item.completion.id);
      if (failure) {
        item.reject(failure);
      } else {
        item.resolve();
      }
    }
  }

  /** Completes `completions`; returns the refused ones by action id. */
  private async call(completions: Completion[]): Promise<Map<bigint, ActionqError>> {
    const refused = new Map<bigint, ActionqError>();
    const completeMany = this.client.completeMany?.bind(this.client);
    if (completeMany) {
      const response = await retrying(
        () => completeMany({ completions }),
        REPORT_RETRY,
        (error) => this.onError(error, `complete ${completions.length} actions (retrying)`),
      );
      for (const failure of response.failures) {
        refused.set(failure.id, ActionqError.fromItemFailure(failure));
      }
      return refused;
    }
    await Promise.all(
      completions.map(async (completion) => {
        try {
          await retrying(
            () => this.client.complete(completion),
            REPORT_RETRY,
            (error) => this.onError(error, `complete action ${completion.id} (retrying)`),
          );
        } catch (error) {
          refused.set(completion.id, ActionqError.from(error));
        }
      }),
    );
    return refused;
  }
}

/** A counting semaphore; release() hands the permit straight to the longest waiter. */
class Semaphore {
  private readonly waiters: (() => void)[] = [];

  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      next();
    } else {
      this.free++;
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
