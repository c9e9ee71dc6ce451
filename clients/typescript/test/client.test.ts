/**
 * Unit tests of the client's own behaviour over connect's in-memory router
 * transport: Enqueue's request_id and bounded retries, JSON objects written
 * losslessly into payload_json / result_json, and followEvents resuming from
 * the last cursor.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";

import { ActionQueueService, ActionqError, ErrorReason, wrapClient } from "@actionq/client";
import type { EmitEventRequest, EnqueueRequest, EventRecord, WatchEventsRequest } from "@actionq/client";

import { ErrorInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";

function clientFor(impl: Partial<ServiceImpl<typeof ActionQueueService>>, enqueueAttempts?: number) {
  const transport = createRouterTransport(({ service }) => service(ActionQueueService, impl));
  return wrapClient(transport, enqueueAttempts === undefined ? {} : { enqueueAttempts });
}

/** An Enqueue that fails `failures` times with `code`, then stores; records every request. */
function flakyEnqueue(failures: number, code = Code.Unavailable) {
  const requests: EnqueueRequest[] = [];
  const impl: Partial<ServiceImpl<typeof ActionQueueService>> = {
    enqueue: (request) => {
      requests.push(request);
      if (requests.length <= failures) {
        throw new ConnectError("try again", code);
      }
      return {
        actions: request.actions.map((_, i) => ({ action: { id: BigInt(i + 1) } })),
        replayed: requests.length > 1,
      };
    },
  };
  return { requests, impl };
}

describe("enqueue", () => {
  it("retries UNAVAILABLE and DEADLINE_EXCEEDED with the same fresh request_id", async () => {
    const { requests, impl } = flakyEnqueue(2);
    const client = clientFor(impl);
    const response = await client.enqueue({ actions: [{ actionType: "t", project: "p" }] });
    assert.equal(requests.length, 3);
    const id = requests[0]?.requestId ?? "";
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(
      requests.map((request) => request.requestId),
      [id, id, id],
    );
    assert.equal(response.replayed, true);

    const late = flakyEnqueue(1, Code.DeadlineExceeded);
    await clientFor(late.impl).enqueue({ actions: [{ actionType: "t", project: "p" }] });
    assert.equal(late.requests.length, 2);
  });

  it("sends a new request_id per call, or the caller's own", async () => {
    const { requests, impl } = flakyEnqueue(0);
    const client = clientFor(impl);
    await client.enqueue({ actions: [{ actionType: "t", project: "p" }] });
    await client.enqueue({ actions: [{ actionType: "t", project: "p" }] });
    await client.enqueue({ actions: [{ actionType: "t", project: "p" }], requestId: "order-1042" });
    const [first, second, third] = requests.map((request) => request.requestId);
    assert.ok(first && second && first !== second);
    assert.equal(third, "order-1042");
  });

  it("gives up after 4 calls and throws the last error", async () => {
    const { requests, impl } = flakyEnqueue(100);
    const error = await clientFor(impl)
      .enqueue({ actions: [{ actionType: "t", project: "p" }] })
      .catch((e: unknown) => e);
    assert.ok(error instanceof ActionqError);
    assert.equal(error.code, Code.Unavailable);
    assert.equal(requests.length, 4);
    assert.equal(new Set(requests.map((request) => request.requestId)).size, 1);
  });

  it("does not retry other errors, nor when enqueueAttempts is 1", async () => {
    const refused = flakyEnqueue(1, Code.InvalidArgument);
    await assert.rejects(clientFor(refused.impl).enqueue({ actions: [] }), { code: Code.InvalidArgument });
    assert.equal(refused.requests.length, 1);

    const once = flakyEnqueue(1);
    await assert.rejects(clientFor(once.impl, 1).enqueue({ actions: [] }), { code: Code.Unavailable });
    assert.equal(once.requests.length, 1);
  });

  it("stops retrying when the caller aborts", async () => {
    const { requests, impl } = flakyEnqueue(100);
    const controller = new AbortController();
    const client = clientFor({
      enqueue: (request, context) => {
        controller.abort();
        return impl.enqueue!(request, context);
      },
    });
    await assert.rejects(client.enqueue({ actions: [] }, { signal: controller.signal }));
    assert.equal(requests.length, 1);
  });

  it("writes payload objects as exact JSON text, and passes payloadJson through", async () => {
    const { requests, impl } = flakyEnqueue(0);
    await clientFor(impl).enqueue({
      actions: [
        { actionType: "t", project: "p", payload: { id: 9007199254740993n, min: -(2n ** 63n), f: 0.5, s: "日本" } },
        { actionType: "t", project: "p", payloadJson: "[1, 2]" },
        { actionType: "t", project: "p" },
      ],
    });
    const texts = requests[0]?.actions.map((action) => action.payloadJson);
    assert.deepEqual(texts, ['{"id":9007199254740993,"min":-9223372036854775808,"f":0.5,"s":"日本"}', "[1, 2]", ""]);
  });

  it("refuses a payload given both ways, and one JSON cannot hold", async () => {
    const { requests, impl } = flakyEnqueue(0);
    const client = clientFor(impl);
    await assert.rejects(
      client.enqueue({ actions: [{ actionType: "t", project: "p", payload: {}, payloadJson: "{}" }] }),
      TypeError,
    );
    await assert.rejects(client.enqueue({ actions: [{ actionType: "t", project: "p", payload: { x: Infinity } }] }), TypeError);
    assert.equal(requests.length, 0);
  });
});

describe("complete and emitEvent", () => {
  it("write result and payload objects as JSON text", async () => {
    let resultJson = "";
    let emitted: EmitEventRequest | undefined;
    const client = clientFor({
      complete: (request) => {
        resultJson = request.resultJson;
        return {};
      },
      emitEvent: (request) => {
        emitted = request;
        return {};
      },
    });
    await client.complete({ id: 1n, leaseToken: "t", result: { n: 2n ** 64n - 1n } });
    assert.equal(resultJson, '{"n":18446744073709551615}');
    await client.emitEvent({ eventType: "coordinator_cycle", actor: "a", payload: { backlog: 3 } });
    assert.equal(emitted?.payloadJson, '{"backlog":3}');
  });
});

describe("followEvents", () => {
  it("yields decoded events and resumes from the last cursor after UNAVAILABLE or a clean end", async () => {
    const requests: WatchEventsRequest[] = [];
    const event = (n: number) => ({ id: BigInt(n), cursor: `c${n}`, eventType: "e", payloadJson: `{"n": ${n}, "big": 9007199254740993}` });
    const client = clientFor({
      async *watchEvents(request) {
        requests.push(request);
        switch (requests.length) {
          case 1:
            yield { events: [event(1), event(2)], cursor: "c2" };
            // The filters skipped events after 2: the cursor moves past them.
            yield { events: [], cursor: "c5" };
            throw new ConnectError("database down", Code.Unavailable, undefined, undefined);
          case 2:
            yield { events: [event(6)], cursor: "c6" }; // then a clean end, as a draining server's
            return;
          default:
            yield { events: [event(7)], cursor: "c7" };
        }
      },
    });
    const got: EventRecord[] = [];
    for await (const record of client.followEvents({ afterCursor: "c0", eventTypes: ["e"] }, { retryDelayMs: 1 })) {
      got.push(record);
      if (got.length === 4) {
        break;
      }
    }
    assert.deepEqual(
      got.map((record) => record.payload["n"]),
      [1, 2, 6, 7],
    );
    assert.equal(got[0]?.payload["big"], 9007199254740993n);
    assert.deepEqual(
      requests.map((request) => [request.afterCursor, request.eventTypes]),
      [
        ["c0", ["e"]],
        ["c5", ["e"]],
        ["c6", ["e"]],
      ],
    );
  });

  it("starts at the log's end when fromEnd, and throws errors it cannot resume from", async () => {
    const requests: WatchEventsRequest[] = [];
    const client = clientFor({
      getQueueStats: () => ({ latestEventCursor: "end" }),
      async *watchEvents(request) {
        requests.push(request);
        throw new ConnectError("bad filter", Code.InvalidArgument);
      },
    });
    const iterate = async () => {
      for await (const _ of client.followEvents({ fromEnd: true })) {
        // nothing arrives
      }
    };
    await assert.rejects(iterate(), (error: unknown) => error instanceof ActionqError && error.code === Code.InvalidArgument);
    assert.equal(requests[0]?.afterCursor, "end");
    assert.equal(requests[0]?.fromEnd, false);
  });

  it("resumes from the last cursor when the server closed a watcher as too slow", async () => {
    const requests: WatchEventsRequest[] = [];
    const client = clientFor({
      async *watchEvents(request) {
        requests.push(request);
        if (requests.length === 1) {
          yield { events: [{ id: 1n, cursor: "c1", payloadJson: "{}" }], cursor: "c1" };
          throw new ConnectError("watcher too slow", Code.ResourceExhausted, undefined, [
            { desc: ErrorInfoSchema, value: { domain: "actionq.dev", reason: "WATCHER_TOO_SLOW", metadata: { cursor: "c1" } } },
          ]);
        }
        yield { events: [{ id: 2n, cursor: "c2", payloadJson: "{}" }], cursor: "c2" };
      },
    });
    const got: bigint[] = [];
    for await (const record of client.followEvents({}, { retryDelayMs: 1 })) {
      got.push(record.id);
      if (got.length === 2) {
        break;
      }
    }
    assert.deepEqual(got, [1n, 2n]);
    assert.deepEqual(
      requests.map((request) => request.afterCursor),
      ["", "c1"],
    );
  });

  it("does not resume after another RESOURCE_EXHAUSTED (a limit reached)", async () => {
    const client = clientFor({
      async *watchEvents() {
        throw new ConnectError("too many streams", Code.ResourceExhausted, undefined, [
          { desc: ErrorInfoSchema, value: { domain: "actionq.dev", reason: "LIMIT_EXCEEDED", metadata: { limit: "ACTIONQ_MAX_STREAMS" } } },
        ]);
      },
    });
    const iterate = async () => {
      for await (const _ of client.followEvents({}, { retryDelayMs: 1 })) {
        // nothing arrives
      }
    };
    await assert.rejects(iterate(), (error: unknown) => error instanceof ActionqError && error.reason === ErrorReason.LIMIT_EXCEEDED);
  });

  it("ends when its signal aborts", async () => {
    const controller = new AbortController();
    const client = clientFor({
      async *watchEvents(_request, context) {
        yield { events: [{ id: 1n, cursor: "c1", payloadJson: "{}" }], cursor: "c1" };
        await new Promise((resolve) => context.signal.addEventListener("abort", resolve, { once: true }));
      },
    });
    let count = 0;
    for await (const _ of client.followEvents({}, { signal: controller.signal })) {
      count++;
      controller.abort();
    }
    assert.equal(count, 1);
  });
});

describe("typed errors on every call", () => {
  it("turns a refusal into an ActionqError with its reason", async () => {
    const client = clientFor({
      cancel: () => {
        throw new ConnectError("not cancellable", Code.FailedPrecondition);
      },
    });
    const error = await client.cancel({ id: 1n }).catch((e: unknown) => e);
    assert.ok(error instanceof ActionqError);
    assert.equal(error.reason, ErrorReason.UNSPECIFIED);
    assert.equal(error.code, Code.FailedPrecondition);
  });
});
