/**
 * Unit tests of the Worker against an in-memory ActionQueueService (connect's
 * router transport): claim, heartbeat, complete, fail, cancellation, drain.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { describe, it } from "node:test";

import { create } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";

import { ActionQueueService, ActionSchema, ActionStatus, Worker } from "@actionq/client";
import type { WorkerOptions } from "@actionq/client";

interface FakeAction {
  id: bigint;
  status: ActionStatus;
  token: string;
  cancelled: boolean;
  resultRef?: string;
  result?: JsonObject | undefined;
  reason?: string;
}

/** A queue in memory with just the RPCs the worker calls. */
class FakeQueue {
  readonly actions: FakeAction[] = [];
  heartbeats = 0;
  private nextToken = 1;

  add(count: number): void {
    for (let i = 0; i < count; i++) {
      this.actions.push({ id: BigInt(this.actions.length + 1), status: ActionStatus.PENDING, token: "", cancelled: false });
    }
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
                  return { action: create(ActionSchema, { id: a.id, status: a.status }), leaseToken: a.token };
                }),
              };
            }
            await delay(5);
          }
        },
        heartbeat: (req) => {
          this.heartbeats++;
          const action = this.held(req.id, req.leaseToken);
          return action.cancelled ? { cancelled: true } : {};
        },
        complete: (req) => {
          const action = this.held(req.id, req.leaseToken);
          action.status = ActionStatus.COMPLETED;
          action.resultRef = req.resultRef;
          action.result = req.result;
          return {};
        },
        fail: (req) => {
          const action = this.held(req.id, req.leaseToken);
          action.status = ActionStatus.FAILED;
          action.reason = req.reason;
          return {};
        },
      });
    });
    return createClient(ActionQueueService, transport);
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

describe("Worker", () => {
  it("completes with the handler's result and fails with its error text", async () => {
    const queue = new FakeQueue();
    queue.add(2);
    const worker = new Worker(
      queue.client(),
      async (action) => {
        if (action.id === 2n) {
          throw new Error("boom");
        }
        return { resultRef: `done:${action.id}`, result: { ok: true } };
      },
      options,
    );
    const running = worker.run();
    await until(() => queue.actions.every((a) => a.status !== ActionStatus.PENDING && a.status !== ActionStatus.CLAIMED));
    worker.stop();
    await running;
    assert.equal(queue.actions[0]?.status, ActionStatus.COMPLETED);
    assert.equal(queue.actions[0]?.resultRef, "done:1");
    assert.deepEqual(queue.actions[0]?.result, { ok: true });
    assert.equal(queue.actions[1]?.status, ActionStatus.FAILED);
    assert.equal(queue.actions[1]?.reason, "boom");
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
    const running = worker.run();
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
    const running = worker.run();
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
    const running = worker.run();
    await until(() => queue.actions.every((a) => a.status === ActionStatus.COMPLETED));
    worker.stop();
    await running;
    assert.equal(peak, 2);
  });

  it("stops when its signal aborts", async () => {
    const queue = new FakeQueue();
    const controller = new AbortController();
    const worker = new Worker(queue.client(), async () => {}, { ...options, waitMs: 10_000, signal: controller.signal });
    const running = worker.run();
    await delay(20);
    controller.abort();
    await running;
    assert.equal(worker.stopping, true);
  });
});
