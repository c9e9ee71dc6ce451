/**
 * Unit tests of the Worker against an in-memory ActionQueueService (connect's
 * router transport): claim, heartbeat, batched completions, fail,
 * cancellation, drain.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, it } from "node:test";

import { create } from "@bufbuild/protobuf";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";

import {
  ActionQueueService,
  ActionSchema,
  ActionStatus,
  ActionqError,
  ClaimResponseSchema,
  ErrorReason,
  NoRetry,
  Reject,
  RetryIn,
  Suspended,
  Worker,
  codeName,
  parseJsonObject,
} from "@actionq/client";
import type { JsonObject, WakeUpRecord, WorkerClient, WorkerOptions } from "@actionq/client";

interface FakeAction {
  id: bigint;
  status: ActionStatus;
  token: string;
  cancelled: boolean;
  resultRef?: string;
  result?: JsonObject | undefined;
  reason?: string;
  /** The payload_json Claim hands out. */
  payloadJson?: string;
  /** Claims so far, as Action.attempt counts them. */
  attempt: number;
  /** What Fail asked for: no_retry, and retry_delay in ms (undefined when unset). */
  noRetry?: boolean;
  retryDelayMs?: number | undefined;
  /** Reject's validator. */
  validator?: string;
  /** Every progress_json a heartbeat carried, decoded. */
  progress: JsonObject[];
}

/** A queue in memory with just the RPCs the worker calls. */
class FakeQueue {
  readonly actions: FakeAction[] = [];
  heartbeats = 0;
  /** Calls of Complete, and the size and the ids of each CompleteMany batch. */
  completeCalls = 0;
  readonly batches: number[] = [];
  readonly batchIds: bigint[][] = [];
  /** Awaited by CompleteMany before it answers: lets a test hold the server back. */
  completeManyGate: Promise<void> = Promise.resolve();
  /** When set, CompleteMany fails as a whole with this error. */
  completeManyError: ConnectError | undefined;
  /** Checkpoints saved per action, in the order their steps were first saved. */
  readonly checkpoints = new Map<bigint, { step: string; stateJson: string; attempt: number }[]>();
  /** Suspended actions per signal name, with their wait's step; and every SuspendRequest. */
  readonly waiting = new Map<string, { id: bigint; step: string }[]>();
  readonly suspends: { id: bigint; step: string; signal: string; timeoutMs: number | undefined }[] = [];
  private nextToken = 1;

  add(count: number, payloadJson = "{}"): void {
    for (let i = 0; i < count; i++) {
      this.actions.push({
        id: BigInt(this.actions.length + 1),
        status: ActionStatus.PENDING,
        token: "",
        cancelled: false,
        payloadJson,
        attempt: 0,
        progress: [],
      });
    }
  }

  /**
   * Claims action `id` again under a new lease token, as after its lease
   * expired and the server requeued it: the earlier token goes stale.
   */
  claimAgain(id: bigint) {
    const action = this.actions.find((a) => a.id === id);
    assert.ok(action);
    action.status = ActionStatus.CLAIMED;
    action.token = `token-${this.nextToken++}`;
    return { action: create(ActionSchema, { id: action.id, status: action.status }), leaseToken: action.token };
  }

  client() {
    const transport = createRouterTransport(({ service }) => {
      service(ActionQueueService, {
        claim: async (req, ctx) => {
          const deadline = Date.now() + (req.wait ? durationMs(req.wait) : 0);
          for (;;) {
            const due = this.actions.filter((a) => a.status === ActionStatus.PENDING).slice(0, req.maxActions || 1);
            if (due.length > 0 || Date.now() >= deadline || ctx.signal.aborted) {
              return {
                actions: due.map((a) => {
                  a.status = ActionStatus.CLAIMED;
                  a.token = `token-${this.nextToken++}`;
                  a.attempt++;
                  return {
                    action: create(ActionSchema, {
                      id: a.id,
                      status: a.status,
                      payloadJson: a.payloadJson ?? "{}",
                      attempt: a.attempt,
                    }),
                    leaseToken: a.token,
                  };
                }),
              };
            }
            await delay(5);
          }
        },
        heartbeat: (req) => {
          this.heartbeats++;
          const action = this.held(req.id, req.leaseToken);
          if (req.progressJson !== "") {
            action.progress.push(parseJsonObject(req.progressJson));
          }
          return action.cancelled ? { cancelled: true } : {};
        },
        complete: (req) => {
          this.completeCalls++;
          this.completeOne(req);
          return {};
        },
        completeMany: async (req) => {
          this.batches.push(req.completions.length);
          this.batchIds.push(req.completions.map((item) => item.id));
          await this.completeManyGate;
          if (this.completeManyError) {
            throw this.completeManyError;
          }
          // As the server does: a repeated id refuses the whole request.
          if (new Set(req.completions.map((item) => item.id)).size !== req.completions.length) {
            throw new ConnectError("an action id appears twice in completions", Code.InvalidArgument);
          }
          const completedIds: bigint[] = [];
          const failures: { id: bigint; code: string; message: string; reason: string }[] = [];
          for (const item of req.completions) {
            try {
              this.completeOne(item);
              completedIds.push(item.id);
            } catch (error) {
              const e = ConnectError.from(error);
              const reason = e.code === Code.NotFound ? "ACTION_NOT_FOUND" : "STALE_LEASE";
              failures.push({ id: item.id, code: codeName(e.code), message: e.rawMessage, reason });
            }
          }
          return { completedIds, failures };
        },
        fail: (req) => {
          const action = this.held(req.id, req.leaseToken);
          action.status = ActionStatus.FAILED;
          action.reason = req.reason;
          action.noRetry = req.noRetry;
          action.retryDelayMs = req.retryDelay ? durationMs(req.retryDelay) : undefined;
          return {};
        },
        saveCheckpoint: (req) => {
          const action = this.held(req.id, req.leaseToken);
          const saved = this.checkpoints.get(req.id) ?? [];
          const checkpoint = { step: req.step, stateJson: req.stateJson || "{}", attempt: action.attempt };
          const at = saved.findIndex((c) => c.step === req.step);
          if (at >= 0) {
            saved[at] = checkpoint;
          } else {
            saved.push(checkpoint);
          }
          this.checkpoints.set(req.id, saved);
          return { checkpoint: { actionId: req.id, ...checkpoint } };
        },
        getCheckpoints: (req) => ({
          checkpoints: (this.checkpoints.get(req.id) ?? []).map((c) => ({ actionId: req.id, ...c })),
        }),
        suspend: (req) => {
          const action = this.held(req.id, req.leaseToken);
          this.suspends.push({
            id: req.id,
            step: req.step,
            signal: req.signal,
            timeoutMs: req.timeout ? durationMs(req.timeout) : undefined,
          });
          if (req.signal === "") {
            // A sleep wakes at once here, timed out, as if its time had passed.
            const wake = { step: req.step, signal: "", payloadJson: "{}", timedOut: true, signalId: 0n };
            this.storeWake(req.id, wake);
            return { suspended: false, wake };
          }
          action.status = ActionStatus.WAITING;
          action.attempt--; // waiting uses no attempt
          this.waiting.set(req.signal, [...(this.waiting.get(req.signal) ?? []), { id: req.id, step: req.step }]);
          return { suspended: true, action: create(ActionSchema, { id: action.id, status: action.status }) };
        },
        signal: (req) => {
          const woken = this.waiting.get(req.name) ?? [];
          this.waiting.delete(req.name);
          for (const { id, step } of woken) {
            this.storeWake(id, { step, signal: req.name, payloadJson: req.payloadJson || "{}", timedOut: false, signalId: 7n });
            const action = this.actions.find((a) => a.id === id);
            assert.ok(action);
            action.status = ActionStatus.PENDING;
          }
          return { signalId: 7n, woken: woken.map((w) => w.id) };
        },
        reject: (req) => {
          const action = this.held(req.id, req.leaseToken);
          action.status = ActionStatus.REJECTED;
          action.reason = req.reason;
          action.validator = req.validator;
          return {};
        },
      });
    });
    return createClient(ActionQueueService, transport);
  }

  /** Stores a wake-up as its step's checkpoint, as the server does. */
  private storeWake(
    id: bigint,
    wake: { step: string; signal: string; payloadJson: string; timedOut: boolean; signalId: bigint },
  ): void {
    const stateJson =
      `{"signal":${JSON.stringify(wake.signal)},"payload":${wake.payloadJson},"timed_out":${wake.timedOut},` +
      `"signal_id":${wake.signalId},"woke_at":"2026-11-30T17:00:00.123+00:00"}`;
    const action = this.actions.find((a) => a.id === id);
    this.checkpoints.set(id, [...(this.checkpoints.get(id) ?? []), { step: wake.step, stateJson, attempt: action?.attempt ?? 0 }]);
  }

  private completeOne(req: { id: bigint; leaseToken: string; resultRef: string; resultJson: string }): void {
    const action = this.held(req.id, req.leaseToken);
    action.status = ActionStatus.COMPLETED;
    action.resultRef = req.resultRef;
    action.result = req.resultJson === "" ? undefined : parseJsonObject(req.resultJson);
  }

  private held(id: bigint, token: string): FakeAction {
    const action = this.actions.find((a) => a.id === id);
    if (!action) {
      throw new ConnectError(`no action ${id}`, Code.NotFound);
    }
    if (action.status !== ActionStatus.CLAIMED || action.token !== token) {
      throw new ConnectError("stale lease", Code.FailedPrecondition);
    }
    return action;
  }
}

const options: WorkerOptions = { name: "test", handleSignals: false, waitMs: 50, leaseMs: 300 };

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error("condition not met in time");
    }
    await delay(5);
  }
}

/** Workers of the current test; stopped after it, so that a failed assertion does not leave one polling. */
const started: Worker[] = [];

function start(worker: Worker): Promise<void> {
  started.push(worker);
  return worker.run();
}

describe("Worker", () => {
  afterEach(() => {
    for (const worker of started.splice(0)) {
      worker.stop();
    }
  });

  it("hands the payload decoded losslessly, completes with the handler's result and fails with its error text", async () => {
    const queue = new FakeQueue();
    queue.add(2, '{"big": 9007199254740993, "small": 5, "f": 0.5}');
    const payloads: JsonObject[] = [];
    const worker = new Worker(
      queue.client(),
      async (action) => {
        payloads.push(action.payload);
        if (action.id === 2n) {
          throw new Error("boom");
        }
        return { resultRef: `done:${action.id}`, result: { ok: true, big: -(2n ** 63n) } };
      },
      options,
    );
    const running = start(worker);
    await until(() => queue.actions.every((a) => a.status !== ActionStatus.PENDING && a.status !== ActionStatus.CLAIMED));
    worker.stop();
    await running;
    assert.equal(queue.actions[0]?.status, ActionStatus.COMPLETED);
    assert.equal(queue.actions[0]?.resultRef, "done:1");
    assert.deepEqual(queue.actions[0]?.result, { ok: true, big: -9223372036854775808n });
    assert.equal(queue.actions[1]?.status, ActionStatus.FAILED);
    assert.equal(queue.actions[1]?.reason, "boom");
    assert.deepEqual(payloads, [
      { big: 9007199254740993n, small: 5, f: 0.5 },
      { big: 9007199254740993n, small: 5, f: 0.5 },
    ]);
  });

  it("fails the action when its result cannot be written as JSON", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    const worker = new Worker(queue.client(), async () => ({ result: { ratio: Number.NaN } }), options);
    const running = start(worker);
    await until(() => queue.actions[0]?.status === ActionStatus.FAILED);
    worker.stop();
    await running;
    assert.match(queue.actions[0]?.reason ?? "", /NaN cannot be written as JSON/);
  });

  it("heartbeats while the handler runs and stops it when the action is cancelled", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    let aborted = false;
    const worker = new Worker(
      queue.client(),
      async (_action, { signal }) => {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        aborted = true;
        return { resultRef: "must not be reported" };
      },
      options,
    );
    const running = start(worker);
    await until(() => queue.heartbeats >= 2);
    const action = queue.actions[0];
    assert.ok(action);
    action.cancelled = true;
    await until(() => aborted);
    worker.stop();
    await running;
    assert.equal(action.status, ActionStatus.CLAIMED, "a cancelled action is neither completed nor failed");
  });

  it("stop() lets in-flight handlers finish before run() resolves", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    let started = false;
    const worker = new Worker(
      queue.client(),
      async () => {
        started = true;
        await delay(200);
        return { resultRef: "late" };
      },
      options,
    );
    const running = start(worker);
    await until(() => started);
    worker.stop();
    assert.equal(worker.stopping, true);
    await running;
    assert.equal(queue.actions[0]?.status, ActionStatus.COMPLETED);
    assert.equal(queue.actions[0]?.resultRef, "late");
  });

  it("runs at most `concurrency` handlers at once", async () => {
    const queue = new FakeQueue();
    queue.add(6);
    let active = 0;
    let peak = 0;
    const worker = new Worker(
      queue.client(),
      async () => {
        active++;
        peak = Math.max(peak, active);
        await delay(30);
        active--;
      },
      { ...options, concurrency: 2 },
    );
    const running = start(worker);
    await until(() => queue.actions.every((a) => a.status === ActionStatus.COMPLETED));
    worker.stop();
    await running;
    assert.equal(peak, 2);
  });

  it("stops when its signal aborts", async () => {
    const queue = new FakeQueue();
    const controller = new AbortController();
    const worker = new Worker(queue.client(), async () => {}, { ...options, waitMs: 10_000, signal: controller.signal });
    const running = start(worker);
    await delay(20);
    controller.abort();
    await running;
    assert.equal(worker.stopping, true);
  });

  it("sends completions in CompleteMany batches, never one Complete each", async () => {
    const queue = new FakeQueue();
    queue.add(60);
    const worker = new Worker(queue.client(), async () => ({ resultRef: "ok" }), { ...options, concurrency: 20 });
    const running = start(worker);
    await until(() => queue.actions.every((a) => a.status === ActionStatus.COMPLETED));
    worker.stop();
    await running;
    assert.equal(queue.completeCalls, 0);
    assert.equal(queue.batches.reduce((sum, n) => sum + n, 0), 60);
    assert.ok(queue.batches.length < 60, `expected batches, got sizes ${queue.batches}`);
  });

  it("frees a handler's slot before its report is answered, with at most `concurrency` reports in flight", async () => {
    const queue = new FakeQueue();
    queue.add(10);
    let release!: () => void;
    queue.completeManyGate = new Promise((resolve) => (release = resolve));
    let calls = 0;
    const worker = new Worker(
      queue.client(),
      async () => {
        calls++;
      },
      { ...options, concurrency: 2 },
    );
    const running = start(worker);
    // With CompleteMany held back: 2 reports in flight, and 2 more handlers
    // returned but waiting for a report slot, holding their claim slots.
    await until(() => calls >= 4);
    await delay(100);
    assert.equal(calls, 4);
    assert.equal(queue.actions.filter((a) => a.status === ActionStatus.CLAIMED).length, 4);
    release();
    await until(() => queue.actions.every((a) => a.status === ActionStatus.COMPLETED));
    worker.stop();
    await running;
    assert.equal(calls, 10);
  });

  it("reports each refused item and a failed CompleteMany as that action's error", async () => {
    const queue = new FakeQueue();
    queue.add(3);
    const errors: [Code, string][] = [];
    const reasons: ErrorReason[] = [];
    const client = queue.client();
    const worker = new Worker(
      {
        ...client,
        // Action 2's lease is lost between its handler's return and the batch.
        completeMany: (req, callOptions) => {
          for (const item of req.completions ?? []) {
            if (item.id === 2n) {
              item.leaseToken = "stale";
            }
          }
          return client.completeMany(req, callOptions);
        },
      },
      async () => {
        await delay(10);
      },
      {
        ...options,
        concurrency: 3,
        onError: (error, context) => {
          errors.push([ConnectError.from(error).code, context]);
          reasons.push(ActionqError.from(error).reason);
        },
      },
    );
    const running = start(worker);
    await until(() => errors.length > 0 && queue.actions.filter((a) => a.status === ActionStatus.COMPLETED).length === 2);
    assert.deepEqual(errors, [[Code.FailedPrecondition, "complete action 2"]]);
    assert.deepEqual(reasons, [ErrorReason.STALE_LEASE], "the item's reason from ItemFailure.reason");

    queue.add(2);
    queue.completeManyError = new ConnectError("database down", Code.Internal);
    await until(() => errors.length === 3);
    worker.stop();
    await running;
    assert.deepEqual(errors.slice(1).sort(), [
      [Code.Internal, "complete action 4"],
      [Code.Internal, "complete action 5"],
    ]);
    assert.equal(queue.actions[3]?.status, ActionStatus.CLAIMED, "left for the lease to expire, not retried");
  });

  it("never puts one action id twice in a CompleteMany batch", async () => {
    const queue = new FakeQueue();
    queue.add(3);
    const client = queue.client();
    // One Claim hands out action 1 three times (its lease expired twice and
    // the server requeued it); only the last lease token is current.
    const ids = [1n, 2n, 1n, 3n, 1n];
    let claims = 0;
    const errors: [Code, string][] = [];
    let handled = 0;
    const worker = new Worker(
      {
        ...client,
        claim: (req, callOptions) =>
          claims++ === 0
            ? Promise.resolve(create(ClaimResponseSchema, { actions: ids.map((id) => queue.claimAgain(id)) }))
            : client.claim(req, callOptions),
      },
      async () => {
        handled++;
      },
      {
        ...options,
        concurrency: 5,
        completeBatchWindowMs: 60_000,
        onError: (error, context) => errors.push([ConnectError.from(error).code, context]),
      },
    );
    const running = start(worker);
    await until(() => handled === 5);
    await delay(20);
    assert.equal(queue.batches.length, 0, "all five queued at once");
    worker.stop();
    await running;
    for (const batch of queue.batchIds) {
      assert.equal(new Set(batch).size, batch.length, `id repeated in batch ${batch}`);
    }
    assert.deepEqual(
      queue.batchIds.flat().sort((a, b) => Number(a - b)),
      [1n, 1n, 1n, 2n, 3n],
      "all five completions were sent",
    );
    assert.ok(queue.actions.every((a) => a.status === ActionStatus.COMPLETED));
    // The two stale claims of action 1 are refused on their own, nothing else.
    assert.deepEqual(errors, [
      [Code.FailedPrecondition, "complete action 1"],
      [Code.FailedPrecondition, "complete action 1"],
    ]);
  });

  it("stop() sends the queued completions without waiting out the batch window", async () => {
    const queue = new FakeQueue();
    queue.add(3);
    let handled = 0;
    const worker = new Worker(
      queue.client(),
      async () => {
        handled++;
      },
      { ...options, concurrency: 3, completeBatchWindowMs: 60_000 },
    );
    const running = start(worker);
    await until(() => handled === 3);
    await delay(20);
    assert.equal(queue.batches.length, 0, "still inside the window");
    const began = Date.now();
    worker.stop();
    await running;
    assert.ok(Date.now() - began < 1000);
    assert.deepEqual(queue.batches, [3]);
    assert.ok(queue.actions.every((a) => a.status === ActionStatus.COMPLETED));
  });

  it("batches with a window of 0 too", async () => {
    const queue = new FakeQueue();
    queue.add(20);
    const worker = new Worker(queue.client(), async () => {}, { ...options, concurrency: 10, completeBatchWindowMs: 0 });
    const running = start(worker);
    await until(() => queue.actions.every((a) => a.status === ActionStatus.COMPLETED));
    worker.stop();
    await running;
    assert.equal(queue.completeCalls, 0);
    assert.equal(queue.batches.reduce((sum, n) => sum + n, 0), 20);
  });

  it("falls back to one Complete per action when the client has no completeMany", async () => {
    const queue = new FakeQueue();
    queue.add(3);
    const { claim, heartbeat, complete, fail, reject } = queue.client();
    const client: WorkerClient = { claim, heartbeat, complete, fail, reject };
    const worker = new Worker(client, async () => ({ resultRef: "one by one" }), { ...options, concurrency: 3 });
    const running = start(worker);
    await until(() => queue.actions.every((a) => a.status === ActionStatus.COMPLETED));
    worker.stop();
    await running;
    assert.equal(queue.completeCalls, 3);
    assert.deepEqual(queue.batches, []);
  });

  it("rejects on Reject, fails for good on NoRetry and with a delay on RetryIn", async () => {
    const queue = new FakeQueue();
    queue.add(5);
    const worker = new Worker(
      queue.client(),
      async (action) => {
        switch (action.id) {
          case 1n:
            throw new Reject("payload has no address");
          case 2n:
            throw new Reject("too large", "size-check");
          case 3n:
            throw new NoRetry("the account is gone");
          case 4n:
            throw new RetryIn(30_000, "rate limited upstream");
          default:
            throw new RetryIn(0, "try again at once");
        }
      },
      { ...options, concurrency: 5 },
    );
    const running = start(worker);
    await until(() => queue.actions.every((a) => a.status !== ActionStatus.PENDING && a.status !== ActionStatus.CLAIMED));
    worker.stop();
    await running;
    const [a1, a2, a3, a4, a5] = queue.actions;
    assert.deepEqual([a1?.status, a1?.reason, a1?.validator], [ActionStatus.REJECTED, "payload has no address", "test"]);
    assert.deepEqual([a2?.status, a2?.reason, a2?.validator], [ActionStatus.REJECTED, "too large", "size-check"]);
    assert.deepEqual([a3?.status, a3?.reason, a3?.noRetry, a3?.retryDelayMs], [ActionStatus.FAILED, "the account is gone", true, undefined]);
    assert.deepEqual([a4?.status, a4?.reason, a4?.noRetry, a4?.retryDelayMs], [ActionStatus.FAILED, "rate limited upstream", false, 30_000]);
    assert.deepEqual([a5?.noRetry, a5?.retryDelayMs], [false, 0]);
  });

  it("sends a plain error as a Fail that leaves the retry to the backoff policy", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    const worker = new Worker(queue.client(), async () => {
      throw new TypeError("flaky");
    }, options);
    const running = start(worker);
    await until(() => queue.actions[0]?.status === ActionStatus.FAILED);
    worker.stop();
    await running;
    assert.deepEqual([queue.actions[0]?.noRetry, queue.actions[0]?.retryDelayMs], [false, undefined]);
  });

  it("refuses a negative RetryIn delay", () => {
    assert.throws(() => new RetryIn(-1, "no"), RangeError);
    assert.throws(() => new RetryIn(Number.NaN, "no"), RangeError);
  });

  it("reports progress as a heartbeat carrying progress_json, and tells the attempt", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    const attempts: number[] = [];
    const worker = new Worker(
      queue.client(),
      async (_action, context) => {
        attempts.push(context.attempt);
        await context.progress({ done: 1, of: 3, big: 9007199254740993n });
        await context.progress({ done: 2, of: 3 });
        return { resultRef: "done" };
      },
      options,
    );
    const running = start(worker);
    await until(() => queue.actions[0]?.status === ActionStatus.COMPLETED);
    worker.stop();
    await running;
    assert.deepEqual(attempts, [1]);
    assert.deepEqual(queue.actions[0]?.progress, [{ done: 1, of: 3, big: 9007199254740993n }, { done: 2, of: 3 }]);
  });

  it("aborts the handler when a progress report finds the lease lost, and reports nothing", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    let failure: unknown;
    let aborted = false;
    const worker = new Worker(
      queue.client(),
      async (action, context) => {
        queue.claimAgain(action.id); // the lease went to another claim
        try {
          await context.progress({ step: 1 });
        } catch (error) {
          failure = error;
        }
        aborted = context.signal.aborted;
        return { resultRef: "must not be reported" };
      },
      { ...options, onError: () => {} },
    );
    const running = start(worker);
    await until(() => failure !== undefined);
    worker.stop();
    await running;
    assert.ok(failure instanceof ActionqError);
    assert.equal(failure.code, Code.FailedPrecondition);
    assert.equal(aborted, true);
    assert.equal(queue.actions[0]?.status, ActionStatus.CLAIMED);
    assert.equal(queue.completeCalls + queue.batches.length, 0);
  });

  it("runs a step once: a saved step returns its state, a new one runs and is saved", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    queue.checkpoints.set(1n, [{ step: "download", stateJson: '{"bytes":9007199254740993}', attempt: 1 }]);
    const ran: string[] = [];
    let seen: { download?: JsonObject; steps?: string[] } = {};
    const worker = new Worker(
      queue.client(),
      async (_action, context) => {
        const download = await context.step("download", async () => {
          ran.push("download");
          return { bytes: 0 };
        });
        await context.step("parse", async () => {
          ran.push("parse");
          return { rows: 3n };
        });
        seen = { download, steps: (await context.checkpoints()).map((c) => c.step) };
        return { resultRef: "done" };
      },
      options,
    );
    const running = start(worker);
    await until(() => queue.actions[0]?.status === ActionStatus.COMPLETED);
    worker.stop();
    await running;
    assert.deepEqual(ran, ["parse"]);
    assert.deepEqual(seen, { download: { bytes: 9007199254740993n }, steps: ["download", "parse"] });
    assert.equal(queue.checkpoints.get(1n)?.[1]?.stateJson, '{"rows":3}');
  });

  it("aborts the handler when a checkpoint finds the lease lost", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    let failure: unknown;
    let aborted = false;
    const worker = new Worker(
      queue.client(),
      async (action, context) => {
        queue.claimAgain(action.id);
        try {
          await context.saveCheckpoint("s", { x: 1 });
        } catch (error) {
          failure = error;
        }
        aborted = context.signal.aborted;
        return { resultRef: "must not be reported" };
      },
      { ...options, onError: () => {} },
    );
    const running = start(worker);
    await until(() => failure !== undefined);
    worker.stop();
    await running;
    assert.ok(failure instanceof ActionqError);
    assert.equal(failure.code, Code.FailedPrecondition);
    assert.equal(aborted, true);
    assert.equal(queue.checkpoints.size, 0);
  });

  it("waits for a signal: the first run is suspended without a report, the re-run gets the wake-up", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    const client = queue.client();
    const runs: { attempt: number; error?: unknown; aborted?: boolean }[] = [];
    const worker = new Worker(
      client,
      async (_action, context) => {
        const run: { attempt: number; error?: unknown; aborted?: boolean } = { attempt: context.attempt };
        runs.push(run);
        let wake: WakeUpRecord;
        try {
          wake = await context.waitForSignal("approved", { timeoutMs: 60_000 });
        } catch (error) {
          run.error = error;
          run.aborted = context.signal.aborted;
          throw error;
        }
        return { resultRef: wake.step, result: { by: wake.payload["by"] ?? null, n: wake.payload["n"] ?? null } };
      },
      options,
    );
    const running = start(worker);
    await until(() => queue.actions[0]?.status === ActionStatus.WAITING);
    assert.equal(queue.completeCalls + queue.batches.length, 0);
    const sent = await client.signal({ name: "approved", payloadJson: '{"by":"alice","n":9007199254740993}' });
    assert.deepEqual(sent.woken, [1n]);
    await until(() => queue.actions[0]?.status === ActionStatus.COMPLETED);
    worker.stop();
    await running;
    assert.equal(runs.length, 2);
    assert.ok(runs[0]?.error instanceof Suspended);
    assert.equal(runs[0]?.aborted, true);
    assert.deepEqual(
      runs.map((r) => r.attempt),
      [1, 1],
    );
    assert.deepEqual(queue.actions[0]?.result, { by: "alice", n: 9007199254740993n });
    assert.equal(queue.actions[0]?.resultRef, "signal:approved");
    assert.deepEqual(queue.suspends, [{ id: 1n, step: "signal:approved", signal: "approved", timeoutMs: 60_000 }]);
  });

  it("names sleeps sleep:0, sleep:1 … within a run and returns a stored wake-up without suspending", async () => {
    const queue = new FakeQueue();
    queue.add(1);
    queue.checkpoints.set(1n, [
      {
        step: "signal:go",
        stateJson: '{"signal":"go","payload":{"k":9007199254740993},"timed_out":false,"signal_id":42,"woke_at":"2026-11-30T17:00:00.5Z"}',
        attempt: 1,
      },
    ]);
    const wakes: WakeUpRecord[] = [];
    const worker = new Worker(
      queue.client(),
      async (_action, context) => {
        wakes.push(await context.waitForSignal("go"));
        wakes.push(await context.sleep(0));
        wakes.push(await context.sleep(10, { step: "nap" }));
        wakes.push(await context.sleep(0));
        return {};
      },
      options,
    );
    const running = start(worker);
    await until(() => queue.actions[0]?.status === ActionStatus.COMPLETED);
    worker.stop();
    await running;
    assert.deepEqual(
      wakes.map((w) => [w.step, w.signal, w.payload, w.timedOut, w.signalId]),
      [
        ["signal:go", "go", { k: 9007199254740993n }, false, 42n],
        ["sleep:0", "", {}, true, 0n],
        ["nap", "", {}, true, 0n],
        ["sleep:1", "", {}, true, 0n],
      ],
    );
    assert.equal(wakes[0]?.wokeAt?.toISOString(), "2026-11-30T17:00:00.500Z");
    assert.deepEqual(
      queue.suspends.map((r) => [r.step, r.signal, r.timeoutMs]),
      [
        ["sleep:0", "", 0],
        ["nap", "", 10],
        ["sleep:1", "", 0],
      ],
    );
  });
});
