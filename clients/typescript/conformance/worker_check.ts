/**
 * Live check of the worker helper, run by conformance.sh after the scenario:
 * enqueues 300 actions of a fresh action type, runs a Worker (concurrency 16,
 * lease 30 s) until each was handled, stops it gracefully, then verifies
 * through the API that every action ended as its handler said (one planned
 * failure, the rest completed, each with the result its handler returned)
 * and that the handler ran once per action. Payloads and results carry an
 * integer beyond 2^53, which must arrive and come back as that bigint.
 *
 * Then the outcomes check: four actions with three attempts each, whose
 * handler rejects one (Reject), fails one for good (NoRetry), fails one with
 * a retry in a minute (RetryIn) and reports progress on the last before
 * completing it. Verified through the API: rejected and failed after one
 * attempt, the third pending again with run_after about a minute after its
 * failure (wait on it times out with WaitTimeoutError), the progress stored
 * on the action while its handler still ran.
 *
 * Then the checkpoints check: a handler saves a checkpoint on attempt 1 and
 * fails with RetryIn(0); attempt 2 reads it and completes with a result made
 * from it. Verified: completed on attempt 2, the checkpoint of attempt 1
 * listed with its bigint intact.
 *
 * Then the waiting check: a handler waits for a signal; the first run is
 * suspended (the action shows `waiting`), the check sends the signal with a
 * payload, and the re-run completes with it. Verified: the signal woke the
 * action, which completed on attempt 1 (waiting uses no attempt) with the
 * payload, after exactly two runs of the handler.
 *
 * Prints one summary line per check; exits non-zero on any failure.
 *
 * Usage: node dist/conformance/worker_check.js   (env as for the runner)
 */
import { randomBytes, randomUUID } from "node:crypto";

import { isDeepStrictEqual } from "node:util";

import { timestampDate } from "@bufbuild/protobuf/wkt";

import {
  ActionStatus,
  ConnectError,
  NoRetry,
  Reject,
  RetryIn,
  WaitTimeoutError,
  Worker,
  createActionQueueClient,
  decodeAction,
  fixedBackoff,
} from "@actionq/client";
import type { Action, ActionQueueClient, JsonObject, JsonValue, WorkerClient } from "@actionq/client";

const COUNT = 300;
const CONCURRENCY = 16;
const DEADLINE_MS = 30_000;
const PLANNED_FAILURE = "conformance: planned failure";
/** 2^53 + 1: a JavaScript number would turn it into 2^53. */
const BEYOND_DOUBLE = 9007199254740993n;

/** The payload of action number i; its handler returns it as the result. */
function payloadOf(i: number): JsonObject {
  return { n: i, big: BEYOND_DOUBLE + BigInt(i) };
}

/** Counts the report RPCs the worker sends, to show which paths ran. */
interface Calls {
  complete: number;
  completeMany: number;
  completedInBatches: number;
  fail: number;
  reject: number;
}

function counting(client: ActionQueueClient, calls: Calls): WorkerClient {
  return {
    claim: (req, options) => client.claim(req, options),
    heartbeat: (req, options) => client.heartbeat(req, options),
    complete: (req, options) => {
      calls.complete++;
      return client.complete(req, options);
    },
    completeMany: (req, options) => {
      calls.completeMany++;
      calls.completedInBatches += req.completions?.length ?? 0;
      return client.completeMany(req, options);
    },
    fail: (req, options) => {
      calls.fail++;
      return client.fail(req, options);
    },
    reject: (req, options) => {
      calls.reject++;
      return client.reject(req, options);
    },
  };
}

async function listAll(client: ActionQueueClient, actionType: string, project: string): Promise<Action[]> {
  const actions: Action[] = [];
  let pageToken = "";
  do {
    const page = await client.listActions({ actionType, project, pageSize: 1000, pageToken });
    actions.push(...page.actions);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return actions;
}

async function check(client: ActionQueueClient, project: string, createdBy: string): Promise<string> {
  const actionType = `conformance.worker.${randomBytes(6).toString("hex")}`;
  const enqueued = await client.enqueue({
    actions: Array.from({ length: COUNT }, (_, i) => ({ actionType, project, createdBy, payload: payloadOf(i) })),
  });
  const ids = enqueued.actions.map((item) => item.action?.id ?? 0n);
  if (ids.length !== COUNT || new Set(ids).size !== COUNT || ids.includes(0n)) {
    throw new Error(`enqueue returned ${ids.length} actions (${new Set(ids).size} distinct ids), want ${COUNT}`);
  }
  const failing = ids[Math.floor(COUNT / 3)];
  const payloads = new Map(ids.map((id, i) => [id, payloadOf(i)]));
  const wanted = new Set(ids);

  const runs = new Map<bigint, number>();
  const finished = new Set<bigint>();
  const strangers: bigint[] = [];
  const errors: string[] = [];
  const calls: Calls = { complete: 0, completeMany: 0, completedInBatches: 0, fail: 0, reject: 0 };
  let active = 0;
  let peak = 0;
  let allHandled!: () => void;
  const handled = new Promise<void>((resolve) => (allHandled = resolve));

  const worker = new Worker(
    counting(client, calls),
    async (action) => {
      active++;
      peak = Math.max(peak, active);
      if (!wanted.has(action.id)) {
        strangers.push(action.id);
      }
      runs.set(action.id, (runs.get(action.id) ?? 0) + 1);
      try {
        await new Promise((resolve) => setImmediate(resolve)); // a real await, like a real handler
        if (action.id === failing) {
          throw new Error(PLANNED_FAILURE);
        }
        if (!isDeepStrictEqual(action.payload, payloads.get(action.id))) {
          throw new Error(`payload arrived as ${action.payloadJson}`);
        }
        return { resultRef: `done:${action.id}`, result: action.payload };
      } finally {
        active--;
        finished.add(action.id);
        if (finished.size === COUNT) {
          allHandled();
        }
      }
    },
    {
      name: "conformance-typescript-worker",
      project,
      actionTypes: [actionType],
      concurrency: CONCURRENCY,
      leaseMs: 30_000,
      handleSignals: false,
      onError: (error, context) => errors.push(`${context}: ${ConnectError.from(error).message}`),
    },
  );

  const began = performance.now();
  const running = worker.run();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), DEADLINE_MS)));
  const late = await Promise.race([handled.then(() => false), timedOut, running.then(() => false)]);
  clearTimeout(timer);
  worker.stop();
  await running; // graceful: handlers finish and every report is answered first
  const seconds = (performance.now() - began) / 1000;

  const problems: string[] = [];
  if (late) {
    problems.push(`only ${finished.size} of ${COUNT} actions handled within ${DEADLINE_MS / 1000} s`);
  }
  const repeated = [...runs].filter(([, n]) => n !== 1);
  if (repeated.length > 0) {
    problems.push(`handler ran more than once for ${repeated.length} actions, e.g. ${repeated[0]?.[0]} x${repeated[0]?.[1]}`);
  }
  if (strangers.length > 0) {
    problems.push(`handler got ${strangers.length} actions that were not enqueued here`);
  }
  if (peak > CONCURRENCY) {
    problems.push(`${peak} handlers ran at once, concurrency is ${CONCURRENCY}`);
  }
  if (errors.length > 0) {
    problems.push(`worker reported ${errors.length} errors, first: ${errors[0]}`);
  }
  if (calls.complete !== 0 || calls.completedInBatches !== COUNT - 1 || calls.completeMany >= COUNT - 1) {
    problems.push(
      `want ${COUNT - 1} completions in batches: ${calls.completeMany} CompleteMany carried ${calls.completedInBatches}, ${calls.complete} Complete`,
    );
  }
  if (calls.fail !== 1 || calls.reject !== 0) {
    problems.push(`want 1 Fail call and no Reject, got ${calls.fail} and ${calls.reject}`);
  }

  // The server's view.
  const stored = await listAll(client, actionType, project);
  const byId = new Map(stored.map((action) => [action.id, action]));
  const missing = ids.filter((id) => !byId.has(id));
  if (stored.length !== COUNT || missing.length > 0) {
    problems.push(`ListActions returned ${stored.length} actions, ${missing.length} enqueued ids missing`);
  }
  let completed = 0;
  for (const id of ids) {
    const action = byId.get(id);
    if (!action) {
      continue;
    }
    const status = ActionStatus[action.status];
    if (id === failing) {
      if (action.status !== ActionStatus.FAILED || !action.failureReason.includes(PLANNED_FAILURE)) {
        problems.push(`action ${id} (planned failure) is ${status} with reason ${JSON.stringify(action.failureReason)}, want FAILED`);
      }
    } else if (action.status !== ActionStatus.COMPLETED || action.resultRef !== `done:${id}`) {
      problems.push(`action ${id} is ${status} with result_ref ${JSON.stringify(action.resultRef)}, want COMPLETED done:${id}`);
    } else if (!isDeepStrictEqual(decodeAction(action).result, payloads.get(id))) {
      problems.push(`action ${id} has result ${action.resultJson}, want its payload back`);
    } else {
      completed++;
    }
  }
  const failed = failing === undefined ? undefined : (await client.getAction({ id: failing })).action;
  if (failed?.status !== ActionStatus.FAILED) {
    problems.push(`GetAction(${failing}) says ${failed ? ActionStatus[failed.status] : "no action"}, want FAILED`);
  }

  if (problems.length > 0) {
    throw new Error(problems.slice(0, 10).join("; "));
  }
  return (
    `worker check passed: ${COUNT} actions of ${actionType} handled once each in ${seconds.toFixed(2)} s ` +
    `(concurrency ${CONCURRENCY}, peak ${peak}); ${completed} COMPLETED via ${calls.completeMany} CompleteMany calls, ` +
    `1 FAILED via Fail`
  );
}

/** How far the outcomes check asks RetryIn to put the retry. */
const RETRY_IN_MS = 60_000;
/** Slack for comparing the server's run_after with this process's clock (same machine, or near). */
const CLOCK_SLACK_MS = 5_000;
const OUTCOMES = ["reject", "no_retry", "retry_in", "progress"] as const;
type OutcomeKind = (typeof OUTCOMES)[number];

async function checkOutcomes(client: ActionQueueClient, project: string, createdBy: string): Promise<string> {
  const actionType = `conformance.outcomes.${randomBytes(6).toString("hex")}`;
  const progress: JsonObject = { step: 2, of: 3, big: BEYOND_DOUBLE };
  const enqueued = await client.enqueue({
    actions: OUTCOMES.map((kind) => ({
      actionType,
      project,
      createdBy,
      targetRef: kind,
      payload: { kind },
      maxAttempts: 3,
      backoff: fixedBackoff(0), // a retry the handler does not time would be due at once
    })),
  });
  const idOf = new Map<OutcomeKind, bigint>(OUTCOMES.map((kind, i) => [kind, enqueued.actions[i]?.action?.id ?? 0n]));
  const problems: string[] = [];
  const runs = new Map<OutcomeKind, number>();
  const errors: string[] = [];
  let retryAskedAt = 0;
  let seenWhileRunning: { status: string; progress: JsonValue | undefined } | undefined;
  let allHandled!: () => void;
  const handled = new Promise<void>((resolve) => (allHandled = resolve));

  const worker = new Worker(
    client,
    async (action, context) => {
      const kind = action.payload["kind"] as OutcomeKind;
      runs.set(kind, (runs.get(kind) ?? 0) + 1);
      try {
        switch (kind) {
          case "reject":
            throw new Reject("conformance: rejected on purpose");
          case "no_retry":
            throw new NoRetry("conformance: failed for good on purpose");
          case "retry_in":
            retryAskedAt = Date.now();
            throw new RetryIn(RETRY_IN_MS, "conformance: retry in a minute");
          case "progress": {
            await context.progress(progress);
            const stored = (await client.getAction({ id: action.id })).action;
            seenWhileRunning = stored && {
              status: ActionStatus[stored.status] ?? "?",
              progress: decodeAction(stored).progress,
            };
            return { resultRef: "progressed" };
          }
          default:
            throw new Error(`unexpected payload ${action.payloadJson}`);
        }
      } finally {
        if ([...runs.values()].reduce((sum, n) => sum + n, 0) >= OUTCOMES.length) {
          allHandled();
        }
      }
    },
    {
      name: "conformance-typescript-outcomes",
      project,
      actionTypes: [actionType],
      concurrency: OUTCOMES.length,
      handleSignals: false,
      onError: (error, context) => errors.push(`${context}: ${ConnectError.from(error).message}`),
    },
  );
  const running = worker.run();
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([
    handled.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), DEADLINE_MS))),
  ]);
  clearTimeout(timer);
  worker.stop();
  await running; // every report sent and answered
  const reportedBy = Date.now();
  if (late) {
    return `outcomes: handled ${JSON.stringify(Object.fromEntries(runs))} of 4 within ${DEADLINE_MS / 1000} s`;
  }
  if (errors.length > 0) {
    problems.push(`worker reported ${errors.length} errors, first: ${errors[0]}`);
  }
  for (const kind of OUTCOMES) {
    if (runs.get(kind) !== 1) {
      problems.push(`handler ran ${runs.get(kind) ?? 0} times for ${kind}, want once`);
    }
  }

  // The dead and the completed are terminal: wait returns them at once, in order.
  const finished = await client.wait([idOf.get("reject") ?? 0n, idOf.get("no_retry") ?? 0n, idOf.get("progress") ?? 0n], 10_000);
  const want: [OutcomeKind, ActionStatus, string][] = [
    ["reject", ActionStatus.REJECTED, "conformance: rejected on purpose"],
    ["no_retry", ActionStatus.FAILED, "conformance: failed for good on purpose"],
    ["progress", ActionStatus.COMPLETED, ""],
  ];
  want.forEach(([kind, status, reason], i) => {
    const action = finished[i];
    if (!action || action.id !== idOf.get(kind) || action.status !== status || action.attempt !== 1 || !action.failureReason.includes(reason)) {
      problems.push(
        `${kind}: ${action ? `${ActionStatus[action.status]} after attempt ${action.attempt} (${JSON.stringify(action.failureReason)})` : "missing"}, want ${ActionStatus[status]} after attempt 1 of 3`,
      );
    }
  });
  if (!seenWhileRunning || seenWhileRunning.status !== "CLAIMED" || !isDeepStrictEqual(seenWhileRunning.progress, progress)) {
    problems.push(`progress: while the handler ran GetAction said ${stringify(seenWhileRunning)}, want CLAIMED with ${stringify(progress)}`);
  }

  // RetryIn: pending again, due a minute after the failure, so waiting on it times out.
  const retryId = idOf.get("retry_in") ?? 0n;
  const waited = await client.wait([retryId], 200).catch((error: unknown) => error);
  if (!(waited instanceof WaitTimeoutError)) {
    problems.push(`retry_in: wait(200 ms) gave ${waited instanceof Error ? waited.message : stringify(waited)}, want a WaitTimeoutError`);
  }
  const retried = (await client.getAction({ id: retryId })).action;
  const runAfter = retried?.runAfter ? timestampDate(retried.runAfter).getTime() : 0;
  const earliest = retryAskedAt + RETRY_IN_MS - CLOCK_SLACK_MS;
  const latest = reportedBy + RETRY_IN_MS + CLOCK_SLACK_MS;
  if (retried?.status !== ActionStatus.PENDING || retried.attempt !== 1 || runAfter < earliest || runAfter > latest) {
    problems.push(
      `retry_in: ${retried ? ActionStatus[retried.status] : "missing"} after attempt ${retried?.attempt}, run_after ${new Date(runAfter).toISOString()}; want PENDING after attempt 1, run_after between ${new Date(earliest).toISOString()} and ${new Date(latest).toISOString()}`,
    );
  }
  await client.cancel({ id: retryId, reason: "conformance: done" });

  if (problems.length > 0) {
    throw new Error(problems.join("; "));
  }
  return (
    `worker outcomes check passed: Reject → REJECTED, NoRetry → FAILED (attempt 1 of 3), ` +
    `RetryIn(${RETRY_IN_MS / 1000} s) → PENDING with run_after ${((runAfter - retryAskedAt) / 1000).toFixed(1)} s after the failure, ` +
    `progress stored on the action while its handler ran; wait returned the finished ones and timed out on the pending one`
  );
}

/**
 * The checkpoints check: one action whose handler saves a checkpoint on
 * attempt 1 and fails with a retry in 0 ms, and on attempt 2 reads it back
 * and completes with a result made from it. Verified on the server: completed
 * on attempt 2 with that result, and GetCheckpoints lists the step attempt 1
 * saved, its state intact.
 */
async function checkCheckpoints(client: ActionQueueClient, project: string, createdBy: string): Promise<string> {
  const actionType = `conformance.checkpoints.${randomBytes(6).toString("hex")}`;
  const state: JsonObject = { n: BEYOND_DOUBLE, etag: "x1" };
  const enqueued = await client.enqueue({
    actions: [{ actionType, project, createdBy, targetRef: "checkpointed", maxAttempts: 3 }],
  });
  const id = enqueued.actions[0]?.action?.id ?? 0n;
  const problems: string[] = [];
  const errors: string[] = [];
  const worker = new Worker(
    client,
    async (_action, context) => {
      if (context.attempt === 1) {
        await context.saveCheckpoint("fetch", state);
        throw new RetryIn(0, "conformance: crash after the first step");
      }
      const fetched = (await context.checkpoints()).find((checkpoint) => checkpoint.step === "fetch");
      if (!fetched) {
        problems.push(`attempt ${context.attempt} found no checkpoint`);
        throw new NoRetry("no checkpoint");
      }
      return { resultRef: "resumed", result: { n: fetched.state["n"] ?? null, resumed_on: context.attempt } };
    },
    {
      name: "conformance-typescript-checkpoints",
      project,
      actionTypes: [actionType],
      handleSignals: false,
      waitMs: 1000,
      onError: (error, where) => errors.push(`${where}: ${ConnectError.from(error).message}`),
    },
  );
  const running = worker.run();
  let finished: Action | undefined;
  try {
    finished = (await client.wait([id], 20_000))[0];
  } finally {
    worker.stop();
    await running;
  }
  problems.push(...errors);
  const result = finished && decodeAction(finished).result;
  const want = { n: BEYOND_DOUBLE, resumed_on: 2 };
  if (finished?.status !== ActionStatus.COMPLETED || finished.attempt !== 2 || !isDeepStrictEqual(result, want)) {
    problems.push(
      `the action is ${finished ? ActionStatus[finished.status] : "missing"} on attempt ${finished?.attempt} ` +
        `with result ${stringify(result)}, want COMPLETED on attempt 2 with ${stringify(want)}`,
    );
  }
  const saved = await client.checkpoints(id);
  const listed = saved.map((checkpoint) => [checkpoint.step, checkpoint.attempt, checkpoint.state]);
  if (!isDeepStrictEqual(listed, [["fetch", 1, state]])) {
    problems.push(`GetCheckpoints lists ${stringify(listed)}, want fetch saved by attempt 1 with ${stringify(state)}`);
  }
  if (problems.length > 0) {
    throw new Error(`checkpoints: ${problems.join("; ")}`);
  }
  return `worker checkpoints check passed: attempt 1 saved "fetch", attempt 2 resumed from it and completed (${actionType})`;
}

/** The waiting check (see the module comment). */
async function checkWaiting(client: ActionQueueClient, project: string, createdBy: string): Promise<string> {
  const suffix = randomBytes(6).toString("hex");
  const actionType = `conformance.waiting.${suffix}`;
  const signal = `workercheck:${project}:${suffix}`;
  const enqueued = await client.enqueue({ actions: [{ actionType, project, createdBy, targetRef: "waits" }] });
  const id = enqueued.actions[0]?.action?.id ?? 0n;
  const problems: string[] = [];
  let runs = 0;
  const worker = new Worker(
    client,
    async (_action, context) => {
      runs++;
      const wake = await context.waitForSignal(signal); // throws Suspended on the first run
      return { resultRef: wake.step, result: { payload: wake.payload, timed_out: wake.timedOut } };
    },
    {
      name: "conformance-typescript-waiting",
      project,
      actionTypes: [actionType],
      handleSignals: false,
      waitMs: 1000,
      onError: (error, where) => problems.push(`${where}: ${ConnectError.from(error).message}`),
    },
  );
  const running = worker.run();
  let finished: Action | undefined;
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { action } = await client.getAction({ id });
      if (action?.status === ActionStatus.WAITING) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`waiting: the action is ${action ? ActionStatus[action.status] : "missing"}, never WAITING`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20)); // poll interval
    }
    const sent = await client.signal({ name: signal, payload: { approved_by: "alice", n: BEYOND_DOUBLE } });
    if (!sent.woken.includes(id)) {
      problems.push(`the signal woke ${stringify(sent.woken)}, not ${id}`);
    }
    finished = (await client.wait([id], 20_000))[0];
  } finally {
    worker.stop();
    await running;
  }
  const result = finished && decodeAction(finished).result;
  const want = { payload: { approved_by: "alice", n: BEYOND_DOUBLE }, timed_out: false };
  if (
    finished?.status !== ActionStatus.COMPLETED ||
    finished.attempt !== 1 ||
    finished.resultRef !== `signal:${signal}` ||
    !isDeepStrictEqual(result, want)
  ) {
    problems.push(
      `the action is ${finished ? ActionStatus[finished.status] : "missing"} on attempt ${finished?.attempt} ` +
        `with result ${stringify(result)} (${finished?.resultRef}), want COMPLETED on attempt 1 with ${stringify(want)}`,
    );
  }
  if (runs !== 2) {
    problems.push(`the handler ran ${runs} times, want 2 (suspended, then woken)`);
  }
  if (problems.length > 0) {
    throw new Error(`waiting: ${problems.join("; ")}`);
  }
  return `worker waiting check passed: the handler suspended on "${signal}", the signal woke it and the re-run completed with its payload`;
}

function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item));
}

async function main(): Promise<number> {
  const project = process.env["ACTIONQ_CONFORMANCE_PROJECT"] || `conf-typescript-${randomUUID().slice(0, 8)}`;
  const createdBy = process.env["ACTIONQ_CONFORMANCE_CREATED_BY"] || "human:conformance-typescript";
  const client = createActionQueueClient();
  try {
    console.log(await check(client, project, createdBy));
    console.log(await checkOutcomes(client, project, createdBy));
    console.log(await checkCheckpoints(client, project, createdBy));
    console.log(await checkWaiting(client, project, createdBy));
    return 0;
  } catch (error) {
    console.log(`worker check failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    client.close();
  }
}

process.exitCode = await main();
