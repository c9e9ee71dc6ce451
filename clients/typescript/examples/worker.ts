import { createActionQueueClient, Worker } from "@actionq/client";

const client = createActionQueueClient(); // ACTIONQ_SERVER (else 127.0.0.1:50051); TLS and token from ACTIONQ_*
const worker = new Worker(client, async (action, { signal }) => {
  const text = String(action.payload["text"] ?? ""); // payload: the decoded JSON object
  signal.throwIfAborted(); // set when an operator cancels the action
  return { resultRef: `length:${text.length}`, result: { length: text.length } };
}, { name: "example-worker", actionTypes: ["example.count"], concurrency: 4 });
await worker.run(); // until SIGINT/SIGTERM or worker.stop(); in-flight work finishes
client.close();
