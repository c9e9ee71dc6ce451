/**
 * Unit tests of ActionqError: errors with google.rpc details answered by a
 * real gRPC server (Connect's Node adapter on HTTP/2, so the details travel
 * in the grpc-status-details-bin trailer, as from the actionq server) and
 * read through createActionQueueClient.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";

import {
  ActionQueueService,
  ActionqError,
  ERROR_DOMAIN,
  ErrorReason,
  createActionQueueClient,
  hasReason,
} from "@actionq/client";
import type { ActionQueueClient } from "@actionq/client";

import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";

/** The error the server answers with, set by each test. */
let answer: ConnectError = new ConnectError("not set", Code.Internal);

function errorInfo(reason: string, metadata: Record<string, string> = {}, domain = ERROR_DOMAIN) {
  return { desc: ErrorInfoSchema, value: { domain, reason, metadata } };
}

const impl: Partial<ServiceImpl<typeof ActionQueueService>> = {
  getAction: () => {
    throw answer;
  },
  async *watchEvents() {
    yield { events: [], cursor: "c1" };
    throw answer;
  },
};

async function catchError(call: () => Promise<unknown>): Promise<ActionqError> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof ActionqError, `expected an ActionqError, got ${String(error)}`);
    return error;
  }
  assert.fail("the call succeeded");
}

describe("ActionqError from a gRPC server", () => {
  let server: http2.Http2Server;
  let client: ActionQueueClient;

  before(async () => {
    server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(ActionQueueService, impl) }));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    client = createActionQueueClient({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
  });

  after(() => {
    client.close();
    server.close();
  });

  it("carries code, reason, message and metadata, and stays a ConnectError", async () => {
    answer = new ConnectError("stale lease for action 42", Code.FailedPrecondition, undefined, [
      errorInfo("STALE_LEASE", { action_id: "42" }),
    ]);
    const error = await catchError(() => client.getAction({ id: 42n }));
    assert.equal(error.code, Code.FailedPrecondition);
    assert.equal(error.reason, ErrorReason.STALE_LEASE);
    assert.equal(error.reasonName, "STALE_LEASE");
    assert.equal(error.rawMessage, "stale lease for action 42");
    assert.equal(error.message, "[failed_precondition] stale lease for action 42");
    assert.deepEqual(error.errorMetadata, { action_id: "42" });
    assert.equal(error.field, undefined);
    assert.ok(error instanceof ConnectError);
    assert.equal(ConnectError.from(error), error, "Connect keeps it as it is");
    assert.equal(ActionqError.from(error), error);
    assert.equal(hasReason(error, ErrorReason.STALE_LEASE), true);
    assert.equal(hasReason(error, ErrorReason.ILLEGAL_TRANSITION), false);
  });

  it("names the field from ErrorInfo metadata and lists BadRequest's violations", async () => {
    answer = new ConnectError("actions[0].action_type: is required", Code.InvalidArgument, undefined, [
      errorInfo("INVALID_FIELD", { field: "actions[0].action_type" }),
      {
        desc: BadRequestSchema,
        value: { fieldViolations: [{ field: "actions[0].action_type", description: "is required" }] },
      },
    ]);
    const error = await catchError(() => client.getAction({ id: 1n }));
    assert.equal(error.code, Code.InvalidArgument);
    assert.equal(error.reason, ErrorReason.INVALID_FIELD);
    assert.equal(error.field, "actions[0].action_type");
    assert.deepEqual(error.fieldViolations, [{ field: "actions[0].action_type", description: "is required" }]);
  });

  it("reads RetryInfo's delay", async () => {
    answer = new ConnectError("over the rate limit", Code.ResourceExhausted, undefined, [
      errorInfo("RATE_LIMITED"),
      { desc: RetryInfoSchema, value: { retryDelay: { seconds: 1n, nanos: 500_000_000 } } },
    ]);
    const error = await catchError(() => client.getAction({ id: 1n }));
    assert.equal(error.reason, ErrorReason.RATE_LIMITED);
    assert.equal(error.retryDelayMs, 1500);
  });

  it("reads the limit reasons LIMIT_EXCEEDED and WATCHER_TOO_SLOW with their metadata", async () => {
    answer = new ConnectError("too many streams", Code.ResourceExhausted, undefined, [
      errorInfo("LIMIT_EXCEEDED", { limit: "ACTIONQ_MAX_STREAMS_PER_PRINCIPAL", value: "8" }),
    ]);
    const limit = await catchError(() => client.getAction({ id: 1n }));
    assert.equal(limit.reason, ErrorReason.LIMIT_EXCEEDED);
    assert.equal(limit.code, Code.ResourceExhausted);
    assert.equal(limit.errorMetadata["limit"], "ACTIONQ_MAX_STREAMS_PER_PRINCIPAL");
    answer = new ConnectError("watcher too slow", Code.ResourceExhausted, undefined, [errorInfo("WATCHER_TOO_SLOW", { cursor: "c9" })]);
    const slow = await catchError(() => client.getAction({ id: 1n }));
    assert.equal(slow.reason, ErrorReason.WATCHER_TOO_SLOW);
    assert.equal(slow.errorMetadata["cursor"], "c9");
  });

  it("keeps a reason this client does not know by name, with the code to branch on", async () => {
    answer = new ConnectError("queue paused", Code.FailedPrecondition, undefined, [errorInfo("QUEUE_PAUSED")]);
    const error = await catchError(() => client.getAction({ id: 1n }));
    assert.equal(error.reason, ErrorReason.UNSPECIFIED);
    assert.equal(error.reasonName, "QUEUE_PAUSED");
    assert.equal(error.code, Code.FailedPrecondition);
  });

  it("has no reason without actionq's ErrorInfo", async () => {
    for (const details of [[], [errorInfo("STALE_LEASE", {}, "example.com")]]) {
      answer = new ConnectError("from elsewhere", Code.Internal, undefined, details);
      const error = await catchError(() => client.getAction({ id: 1n }));
      assert.equal(error.reason, ErrorReason.UNSPECIFIED);
      assert.equal(error.reasonName, "");
      assert.equal(error.code, Code.Internal);
    }
  });

  it("is what a stream throws mid-way", async () => {
    answer = new ConnectError("server draining", Code.Unavailable, undefined, [errorInfo("SHUTTING_DOWN")]);
    const cursors: string[] = [];
    const error = await catchError(async () => {
      for await (const message of client.watchEvents({})) {
        cursors.push(message.cursor);
      }
    });
    assert.deepEqual(cursors, ["c1"]);
    assert.equal(error.code, Code.Unavailable);
    assert.equal(error.reason, ErrorReason.SHUTTING_DOWN);
  });
});

describe("ActionqError without a server", () => {
  it("is UNAVAILABLE with no reason", async () => {
    const probe = http2.createServer();
    probe.listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, "close");
    const client = createActionQueueClient({ address: `127.0.0.1:${port}` });
    try {
      const error = await catchError(() => client.getAction({ id: 1n }));
      assert.equal(error.code, Code.Unavailable);
      assert.equal(error.reason, ErrorReason.UNSPECIFIED);
      assert.equal(error.reasonName, "");
    } finally {
      client.close();
    }
  });
});

describe("ActionqError.fromItemFailure", () => {
  it("turns a CompleteMany refusal into the error Complete would have thrown", () => {
    const error = ActionqError.fromItemFailure({
      $typeName: "actionq.v1.ItemFailure",
      id: 9n,
      code: "FAILED_PRECONDITION",
      message: "stale lease",
      reason: "STALE_LEASE",
    });
    assert.equal(error.code, Code.FailedPrecondition);
    assert.equal(error.reason, ErrorReason.STALE_LEASE);
    assert.equal(error.rawMessage, "stale lease");
    assert.deepEqual(error.errorMetadata, { action_id: "9" });
  });

  it("hasReason reads a plain ConnectError's details too", () => {
    const plain = new ConnectError("stale", Code.FailedPrecondition, undefined, [errorInfo("STALE_LEASE")]);
    assert.equal(hasReason(plain, ErrorReason.STALE_LEASE), true);
    assert.equal(hasReason(plain, ErrorReason.CHAIN_TOO_DEEP), false);
    assert.equal(hasReason(new Error("STALE_LEASE"), ErrorReason.STALE_LEASE), false);
  });

  it("maps CANCELLED and unknown code names", () => {
    const failure = { $typeName: "actionq.v1.ItemFailure", id: 1n, message: "m", reason: "" } as const;
    assert.equal(ActionqError.fromItemFailure({ ...failure, code: "CANCELLED" }).code, Code.Canceled);
    assert.equal(ActionqError.fromItemFailure({ ...failure, code: "NO_SUCH_CODE" }).code, Code.Unknown);
  });
});
