import { createActionQueueClient, duration, Code, ConnectError } from "@actionq/client";

const client = createActionQueueClient({
  address: "127.0.0.1:50051", // default: env ACTIONQ_SERVER, else 127.0.0.1:50051
  tls: false, // default: plaintext HTTP/2
  token: process.env["ACTIONQ_TOKEN"], // optional: sends `authorization: Bearer <token>`
  timeoutMs: 10_000, // default deadline of unary calls
});

const { actions } = await client.enqueue({
  actions: [{ actionType: "example.count", project: "demo", payload: { text: "hello" } }],
});
console.log("enqueued", actions[0]?.action?.id); // int64 fields are bigint

const claimed = await client.claim({ worker: "w1", actionTypes: ["example.count"], wait: duration(20_000) });
for (const { action, leaseToken } of claimed.actions) {
  await client.complete({ id: action!.id, leaseToken, resultRef: "done" });
}
try {
  await client.getAction({ id: 42n });
} catch (err) {
  if (ConnectError.from(err).code !== Code.NotFound) throw err;
}
client.close();
