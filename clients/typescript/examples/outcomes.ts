import { NoRetry, Reject, RetryIn, Worker, WaitTimeoutError } from "@actionq/client";
import { createActionQueueClient, exponentialBackoff } from "@actionq/client";

const client = createActionQueueClient();
const { actions } = await client.enqueue({
  actions: [{ actionType: "report.build", project: "demo", payload: { month: "2026-11" },
    maxAttempts: 5, backoff: exponentialBackoff(2_000, 600_000, 0.1), delayMs: 1_000 }],
});
const worker = new Worker(client, async (action, { progress, attempt }) => {
  if (typeof action.payload["month"] !== "string") throw new Reject("month missing"); // rejected, never retried
  if (action.payload["month"] < "2020") throw new NoRetry("archived"); // failed now, attempts left or not
  if (attempt === 1) throw new RetryIn(30_000, "cold cache"); // retry in 30 s instead of the backoff
  await progress({ step: 1, of: 2 }); // stored on the action, an action_progress event
  return { resultRef: "s3://reports/2026-11.pdf", result: { pages: 12 } };
}, { name: "reports", actionTypes: ["report.build"], handleSignals: false });
const running = worker.run();
try {
  const [done] = await client.wait(actions.map((a) => a.action!.id), 120_000); // held by the server, no polling
  console.log(done?.status, done?.result, done?.progress);
} catch (err) {
  if (!(err instanceof WaitTimeoutError)) throw err; // DEADLINE_EXCEEDED / WAIT_TIMEOUT: still running
}
worker.stop();
await running;
await client.retry({ actionType: "report.build", limit: 100 }); // dead letters back to pending (or retry([id, …]))
client.close();
