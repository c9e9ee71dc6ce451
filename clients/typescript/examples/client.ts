import { ActionqError, ErrorReason, createActionQueueClient, decodeAction, duration } from "@actionq/client";

const client = createActionQueueClient({
  address: "127.0.0.1:50051", // default: env ACTIONQ_SERVER, else 127.0.0.1:50051
  tls: false, // default: plaintext HTTP/2
  token: process.env["ACTIONQ_TOKEN"], // optional: sends `authorization: Bearer <token>`
  timeoutMs: 10_000, // default deadline of unary calls
});

// Payloads are objects; integers beyond 2^53 are bigint and keep every digit.
// enqueue sends a fresh request_id and retries safely while the server is unreachable.
const { actions } = await client.enqueue({
  actions: [{ actionType: "example.count", project: "demo", payload: { text: "hello", userId: 9007199254740993n } }],
});
console.log("enqueued", actions[0]?.action?.id); // int64 fields are bigint

const claimed = await client.claim({ worker: "w1", actionTypes: ["example.count"], wait: duration(20_000) });
for (const { action, leaseToken } of claimed.actions) {
  const { id, payload } = decodeAction(action!); // payload_json → object, losslessly
  await client.complete({ id, leaseToken, resultRef: "done", result: { length: String(payload["text"]).length } });
}
try {
  await client.getAction({ id: 42n });
} catch (err) {
  if (!(err instanceof ActionqError && err.reason === ErrorReason.ACTION_NOT_FOUND)) throw err;
}
client.close();
