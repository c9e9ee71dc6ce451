/**
 * Unit tests of the client's durable-execution calls over connect's
 * in-memory router transport: wait (its deadline, its typed timeout, the
 * actions decoded in order), retry by ids or filter, heartbeat progress and
 * fail's retry delay as sent, enqueue's retry policy and schedule fields, and
 * the new error reasons decoded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { timestampDate } from "@bufbuild/protobuf/wkt";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";

import {
  ActionQueueService,
  ActionStatus,
  ActionqError,
  BackoffStrategy,
  ERROR_DOMAIN,
  ErrorReason,
  SignalMode,
  WaitTimeoutError,
  duration,
  exponentialBackoff,
  fixedBackoff,
  wrapClient,
} from "@actionq/client";
import type {
  EnqueueRequest,
  FailRequest,
  HeartbeatRequest,
  SaveCheckpointRequest,
  RetryRequest,
  SignalRequest,
  SuspendRequest,
  WaitActionRequest,
} from "@actionq/client";

import { ErrorInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";

function clientFor(impl: Partial<ServiceImpl<typeof ActionQueueService>>, timeoutMs?: number) {
  const transport = createRouterTransport(({ service }) => service(ActionQueueService, impl));
  return wrapClient(transport, timeoutMs === undefined ? {} : { timeoutMs });
}

function refusal(code: Code, reason: string, metadata: Record<string, string> = {}) {
  return new ConnectError("refused", code, undefined, [
    { desc: ErrorInfoSchema, value: { domain: ERROR_DOMAIN, reason, metadata } },
  ]);
}

describe("wait", () => {
  it("sends ids and timeout, gives the call timeout + margin, and returns the actions decoded in order", async () => {
    let request: WaitActionRequest | undefined;
    let deadlineMs: number | undefined;
    const client = clientFor({
      waitAction: (req, ctx) => {
        request = req;
        deadlineMs = ctx.timeoutMs();
        return {
          actions: req.ids.map((id) => ({
            id,
            status: ActionStatus.COMPLETED,
            resultJson: `{"id": ${id}, "big": 9007199254740993}`,
            progressJson: id === 2n ? '{"done": 3}' : "",
          })),
        };
      },
    });
    const actions = await client.wait([2n, 1, 2n], 25_000);
    assert.deepEqual(request?.ids, [2n, 1n, 2n]);
    assert.equal(request?.timeout ? durationMs(request.timeout) : undefined, 25_000);
    // 25 s + the 10 s margin (minus the time the call took to arrive).
    assert.ok(deadlineMs !== undefined && deadlineMs > 30_000 && deadlineMs <= 35_000, `deadline ${deadlineMs}`);
    assert.deepEqual(
      actions.map((action) => [action.id, action.result, action.progress]),
      [
        [2n, { id: 2, big: 9007199254740993n }, { done: 3 }],
        [1n, { id: 1, big: 9007199254740993n }, undefined],
        [2n, { id: 2, big: 9007199254740993n }, { done: 3 }],
      ],
    );
  });

  it("throws a WaitTimeoutError for DEADLINE_EXCEEDED / WAIT_TIMEOUT, an ActionqError otherwise", async () => {
    let answer = refusal(Code.DeadlineExceeded, "WAIT_TIMEOUT");
    const client = clientFor({
      waitAction: () => {
        throw answer;
      },
    });
    const timeout = await client.wait([1n], 10).catch((e: unknown) => e);
    assert.ok(timeout instanceof WaitTimeoutError);
    assert.ok(timeout instanceof ActionqError);
    assert.equal(timeout.code, Code.DeadlineExceeded);
    assert.equal(timeout.reason, ErrorReason.WAIT_TIMEOUT);

    answer = refusal(Code.NotFound, "ACTION_NOT_FOUND", { action_id: "7" });
    const missing = await client.wait([7n], 10).catch((e: unknown) => e);
    assert.ok(missing instanceof ActionqError);
    assert.ok(!(missing instanceof WaitTimeoutError));
    assert.equal(missing.reason, ErrorReason.ACTION_NOT_FOUND);
    assert.deepEqual(missing.errorMetadata, { action_id: "7" });
  });

  it("refuses a negative timeout before calling", async () => {
    let calls = 0;
    const client = clientFor({
      waitAction: () => {
        calls++;
        return {};
      },
    });
    await assert.rejects(client.wait([1n], -1), RangeError);
    assert.equal(calls, 0);
  });

  it("gives a raw waitAction the same deadline", async () => {
    let deadlineMs: number | undefined;
    const client = clientFor({
      waitAction: (_req, ctx) => {
        deadlineMs = ctx.timeoutMs();
        return {};
      },
    });
    await client.waitAction({ ids: [1n], timeout: { seconds: 40n } });
    assert.ok(deadlineMs !== undefined && deadlineMs > 45_000 && deadlineMs <= 50_000, `deadline ${deadlineMs}`);
  });
});

describe("retry", () => {
  it("takes a list of ids or a RetryRequest with a filter", async () => {
    const requests: RetryRequest[] = [];
    const client = clientFor({
      retry: (req) => {
        requests.push(req);
        return { retriedIds: req.ids, more: false };
      },
    });
    const byIds = await client.retry([3n, 4]);
    assert.deepEqual(byIds.retriedIds, [3n, 4n]);
    await client.retry({ statuses: [ActionStatus.FAILED, ActionStatus.REJECTED], actionType: "email.send", limit: 50 });
    assert.deepEqual(requests[1]?.ids, []);
    assert.deepEqual(requests[1]?.statuses, [ActionStatus.FAILED, ActionStatus.REJECTED]);
    assert.equal(requests[1]?.actionType, "email.send");
    assert.equal(requests[1]?.limit, 50);
  });
});

describe("heartbeat and fail", () => {
  it("write progress as exact JSON text and retryDelayMs as a Duration", async () => {
    const heartbeats: HeartbeatRequest[] = [];
    const fails: FailRequest[] = [];
    const client = clientFor({
      heartbeat: (req) => {
        heartbeats.push(req);
        return {};
      },
      fail: (req) => {
        fails.push(req);
        return {};
      },
    });
    await client.heartbeat({ id: 1n, leaseToken: "t", progress: { done: 9007199254740993n, of: 2n ** 64n } });
    await client.heartbeat({ id: 1n, leaseToken: "t" });
    assert.deepEqual(
      heartbeats.map((req) => req.progressJson),
      ['{"done":9007199254740993,"of":18446744073709551616}', ""],
    );
    await assert.rejects(client.heartbeat({ id: 1n, leaseToken: "t", progress: {}, progressJson: "{}" }), TypeError);

    await client.fail({ id: 1n, leaseToken: "t", reason: "later", retryDelayMs: 1_500 });
    await client.fail({ id: 1n, leaseToken: "t", reason: "now", retryDelayMs: 0 });
    await client.fail({ id: 1n, leaseToken: "t", reason: "never", noRetry: true });
    assert.deepEqual(
      fails.map((req) => [req.reason, req.retryDelay ? durationMs(req.retryDelay) : undefined, req.noRetry]),
      [
        ["later", 1_500, false],
        ["now", 0, false],
        ["never", undefined, true],
      ],
    );
    await assert.rejects(
      client.fail({ id: 1n, leaseToken: "t", reason: "x", retryDelayMs: 1, retryDelay: { seconds: 1n } }),
      TypeError,
    );
  });
});

describe("enqueue's retry policy and schedule", () => {
  it("sends maxAttempts, backoff, delayMs and runAfter", async () => {
    let request: EnqueueRequest | undefined;
    const client = clientFor({
      enqueue: (req) => {
        request = req;
        return { actions: [] };
      },
    });
    const at = new Date("2026-12-01T09:00:00Z");
    await client.enqueue({
      actions: [
        { actionType: "t", project: "p", maxAttempts: 5, backoff: exponentialBackoff(2_000, 600_000, 0.1), delayMs: 1_500 },
        { actionType: "t", project: "p", backoff: fixedBackoff(30_000), runAfter: at },
      ],
    });
    const [first, second] = request?.actions ?? [];
    assert.equal(first?.maxAttempts, 5);
    assert.equal(first?.backoff?.strategy, BackoffStrategy.EXPONENTIAL);
    assert.deepEqual(
      [first?.backoff?.base, first?.backoff?.max].map((d) => (d ? durationMs(d) : undefined)),
      [2_000, 600_000],
    );
    assert.equal(first?.backoff?.jitter, 0.1);
    assert.equal(first?.delay ? durationMs(first.delay) : undefined, 1_500);
    assert.equal(first?.runAfter, undefined);
    assert.equal(second?.backoff?.strategy, BackoffStrategy.FIXED);
    assert.equal(second?.backoff?.base ? durationMs(second.backoff.base) : undefined, 30_000);
    assert.equal(second?.runAfter ? timestampDate(second.runAfter).toISOString() : undefined, at.toISOString());
    await assert.rejects(
      client.enqueue({ actions: [{ actionType: "t", project: "p", delayMs: 1, delay: { seconds: 1n } }] }),
      TypeError,
    );
  });
});

describe("the durable-execution error reasons", () => {
  it("decode by name", async () => {
    const cases: [Code, string, ErrorReason][] = [
      [Code.AlreadyExists, "IDEMPOTENCY_KEY_CONFLICT", ErrorReason.IDEMPOTENCY_KEY_CONFLICT],
      [Code.FailedPrecondition, "QUEUE_NOT_FOUND", ErrorReason.QUEUE_NOT_FOUND],
      [Code.OutOfRange, "CURSOR_EXPIRED", ErrorReason.CURSOR_EXPIRED],
      [Code.DeadlineExceeded, "WAIT_TIMEOUT", ErrorReason.WAIT_TIMEOUT],
      [Code.NotFound, "SCHEDULE_NOT_FOUND", ErrorReason.SCHEDULE_NOT_FOUND],
      [Code.AlreadyExists, "SCHEDULE_EXISTS", ErrorReason.SCHEDULE_EXISTS],
    ];
    for (const [code, name, reason] of cases) {
      const client = clientFor({
        getAction: () => {
          throw refusal(code, name, { oldest_cursor: "c9" });
        },
      });
      const error = await client.getAction({ id: 1n }).catch((e: unknown) => e);
      assert.ok(error instanceof ActionqError);
      assert.equal(error.reason, reason, name);
      assert.equal(error.reasonName, name);
      assert.equal(error.code, code);
      assert.equal(error.errorMetadata["oldest_cursor"], "c9");
    }
  });
});

describe("checkpoints", () => {
  it("write state as exact JSON text and decode every checkpoint's state", async () => {
    const saved: SaveCheckpointRequest[] = [];
    const client = clientFor({
      saveCheckpoint: (req) => {
        saved.push(req);
        return { checkpoint: { actionId: req.id, step: req.step, stateJson: req.stateJson, attempt: 1 } };
      },
      getCheckpoints: (req) => ({
        checkpoints: [
          { actionId: req.id, step: "download", stateJson: '{"bytes":9007199254740993}', attempt: 1 },
          { actionId: req.id, step: "empty", stateJson: "", attempt: 2 },
        ],
      }),
    });
    await client.saveCheckpoint({ id: 7n, leaseToken: "t", step: "download", state: { bytes: 9007199254740993n } });
    assert.equal(saved[0]?.stateJson, '{"bytes":9007199254740993}');
    await assert.rejects(client.saveCheckpoint({ id: 7n, leaseToken: "t", step: "s", state: {}, stateJson: "{}" }), TypeError);
    const checkpoints = await client.checkpoints(7);
    assert.deepEqual(
      checkpoints.map((c) => [c.actionId, c.step, c.attempt, c.state]),
      [
        [7n, "download", 1, { bytes: 9007199254740993n }],
        [7n, "empty", 2, {}],
      ],
    );
  });
});

describe("signals", () => {
  it("send the payload exactly, the mode and the keep; suspend sends the timeout", async () => {
    const signals: SignalRequest[] = [];
    let suspend: SuspendRequest | undefined;
    const client = clientFor({
      signal: (req) => {
        signals.push(req);
        return { signalId: 3n, woken: [5n] };
      },
      suspend: (req) => {
        suspend = req;
        return { suspended: false, wake: { step: req.step, signal: req.signal, payloadJson: '{"k":1}', signalId: 3n } };
      },
    });
    const sent = await client.signal({ name: "s", payload: { n: 9007199254740993n } });
    await client.signal({ name: "s", mode: "one", keepMs: 0 });
    await client.signal({ name: "s", mode: SignalMode.ONE, keepMs: 1500, actor: "me" });
    assert.deepEqual(sent.woken, [5n]);
    assert.deepEqual(
      signals.map((r) => [r.name, r.payloadJson, r.mode, r.keep ? durationMs(r.keep) : undefined, r.actor]),
      [
        ["s", '{"n":9007199254740993}', SignalMode.BROADCAST, undefined, ""],
        ["s", "", SignalMode.ONE, 0, ""],
        ["s", "", SignalMode.ONE, 1500, "me"],
      ],
    );
    const response = await client.suspend({ id: 9n, leaseToken: "t", step: "w", signal: "s", timeoutMs: 250 });
    assert.equal(response.wake?.payloadJson, '{"k":1}');
    assert.deepEqual(
      [suspend?.id, suspend?.leaseToken, suspend?.step, suspend?.signal, suspend?.timeout ? durationMs(suspend.timeout) : 0],
      [9n, "t", "w", "s", 250],
    );
    await assert.rejects(client.signal({ name: "s", keepMs: 1, keep: duration(1000) }), TypeError);
  });
});
