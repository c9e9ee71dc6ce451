/**
 * Runs the actionq conformance scenario (tests/conformance/scenario.json)
 * against the server at ACTIONQ_SERVER and prints `ok <name>` or
 * `FAIL <name>: <why>` per step. Exits 0 iff every step passed.
 *
 * The scenario is read with the client's lossless JSON decoder, so expected
 * payloads and results compare exactly (bigint for integers beyond 2^53);
 * errors are checked by status code and ErrorInfo reason, never by text.
 *
 * Usage: node dist/conformance/runner.js SCENARIO_PATH
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";

import { create } from "@bufbuild/protobuf";

import {
  ActionStatus,
  ActionqError,
  BackoffStrategy,
  CheckpointSchema,
  codeName,
  createActionQueueClient,
  decodeAction,
  decodeCheckpoint,
  decodeEvent,
  decodeWakeUp,
  duration,
  parseJsonObject,
  stringifyJson,
} from "@actionq/client";
import type { Action, ActionQueueClient, JsonObject, JsonValue, NewActionInput } from "@actionq/client";

const WORKER = "conformance-typescript";

interface ScenarioAction {
  ref?: string;
  action_type?: string;
  priority?: number;
  target_ref?: string;
  source_refs?: string[];
  payload?: JsonObject;
  payload_json?: string;
  max_attempts?: number;
  backoff?: { strategy: "fixed" | "exponential"; base_ms: number; max_ms: number; jitter: number };
  delay_ms?: number;
}

interface Step {
  op: string;
  name: string;
  expect_code?: string;
  expect_reason?: string;
  expect_status?: string;
  expect_payload?: JsonObject;
  expect_result?: JsonObject;
  result?: JsonObject;
  actions?: ScenarioAction[];
  max_actions?: number;
  wait_ms?: number;
  lease_ms?: number;
  expect_refs?: string[];
  ref?: string;
  id?: number | bigint | string;
  lease?: "held" | "random";
  result_ref?: string;
  reason?: string;
  validator?: string;
  after_cursor?: string;
  refs?: string[];
  timeout_ms?: number;
  expect_events?: [string, string][];
  retry_delay_ms?: number;
  no_retry?: boolean;
  progress?: JsonObject;
  expect_progress?: JsonObject;
  expect_attempt?: number;
  expect_statuses?: string[];
  step?: string;
  state?: JsonObject;
  expect_steps?: string[];
  expect_states?: JsonObject[];
  expect_attempts?: (number | bigint)[];
  expect_state_fields?: JsonObject[];
  action_type?: string;
  signal?: string;
  payload?: JsonObject;
  mode?: "broadcast" | "one";
  keep_ms?: number;
  expect_suspended?: boolean;
  expect_wake?: JsonObject;
  expect_woken?: string[];
  expect_kept?: boolean;
  /** A denied step: the variable holding the second client's token ("" for none), and its call. */
  token_env?: string;
  call?: string;
}

interface Scenario {
  action_type: string;
  steps: Step[];
}

/** A step that did not go as the scenario says. */
class StepFailure extends Error {}

/** The outcome of one RPC: its status code name, and the response when OK. */
type Outcome<T> = { code: "OK"; value: T } | { code: string; reason: string; message: string };

class Runner {
  private readonly ids = new Map<string, bigint>();
  private readonly refs = new Map<bigint, string>();
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly client: ActionQueueClient,
    private readonly scenario: Scenario,
    private readonly project: string,
    private readonly createdBy: string,
  ) {}

  async runStep(step: Step): Promise<void> {
    switch (step.op) {
      case "enqueue":
        return this.enqueue(step);
      case "enqueue_retry":
        return this.enqueueRetry(step);
      case "claim":
        return this.claim(step);
      case "heartbeat":
        return this.heartbeat(step);
      case "complete":
        return this.finish(step, (id, leaseToken) =>
          this.client.complete({
            id,
            leaseToken,
            resultRef: step.result_ref ?? "",
            ...(step.result === undefined ? {} : { result: step.result }),
          }),
        );
      case "fail":
        return this.finish(step, (id, leaseToken) =>
          this.client.fail({
            id,
            leaseToken,
            reason: step.reason ?? "",
            noRetry: step.no_retry ?? false,
            ...(step.retry_delay_ms === undefined ? {} : { retryDelayMs: step.retry_delay_ms }),
          }),
        );
      case "reject":
        return this.finish(step, (id, leaseToken) =>
          this.client.reject({ id, leaseToken, reason: step.reason ?? "", validator: step.validator ?? "" }),
        );
      case "cancel":
        return this.finish(step, (id) => this.client.cancel({ id, reason: step.reason ?? "" }));
      case "get":
        return this.finish(step, (id) => this.client.getAction({ id }));
      case "watch":
        return this.watch(step);
      case "retry":
        return this.retry(step);
      case "wait":
        return this.wait(step);
      case "save_checkpoint":
        return this.saveCheckpoint(step);
      case "get_checkpoints":
        return this.getCheckpoints(step);
      case "suspend":
        return this.suspend(step);
      case "signal":
        return this.signal(step);
      case "await_status":
        return this.awaitStatus(step);
      case "denied":
        return this.denied(step);
      default:
        throw new StepFailure(`unknown op ${JSON.stringify(step.op)}`);
    }
  }

  private newActions(step: Step): NewActionInput[] {
    return (step.actions ?? []).map((spec) => ({
      actionType: spec.action_type ?? this.scenario.action_type,
      project: this.project,
      createdBy: this.createdBy,
      priority: spec.priority ?? 0,
      targetRef: spec.target_ref ?? "",
      sourceRefs: spec.source_refs ?? [],
      ...(spec.payload === undefined ? {} : { payload: spec.payload }),
      ...(spec.payload_json === undefined ? {} : { payloadJson: spec.payload_json }),
      maxAttempts: spec.max_attempts ?? 0,
      ...(spec.backoff === undefined
        ? {}
        : {
            backoff: {
              strategy: spec.backoff.strategy === "fixed" ? BackoffStrategy.FIXED : BackoffStrategy.EXPONENTIAL,
              base: duration(spec.backoff.base_ms),
              max: duration(spec.backoff.max_ms),
              jitter: spec.backoff.jitter,
            },
          }),
      ...(spec.delay_ms === undefined ? {} : { delayMs: spec.delay_ms }),
    }));
  }

  private async enqueue(step: Step): Promise<void> {
    const specs = step.actions ?? [];
    const outcome = await call(() => this.client.enqueue({ actions: this.newActions(step) }));
    const response = expectCode(step, outcome);
    if (!response) {
      return;
    }
    if (response.actions.length !== specs.length) {
      throw new StepFailure(`sent ${specs.length} actions, got ${response.actions.length} back`);
    }
    response.actions.forEach((enqueued, i) => {
      const ref = specs[i]?.ref;
      if (ref !== undefined && enqueued.action) {
        this.bind(ref, enqueued.action.id);
      }
      expectAction(step, enqueued.action);
    });
  }

  /**
   * Sends one Enqueue twice under the same request_id, as a retry after a
   * lost reply would: the second answer replays the first (same ids,
   * `replayed`), and the actions exist once.
   */
  private async enqueueRetry(step: Step): Promise<void> {
    const specs = step.actions ?? [];
    const request = { actions: this.newActions(step), requestId: randomUUID() };
    const first = expectCode(step, await call(() => this.client.enqueue(request)));
    if (!first) {
      return;
    }
    const second = expectCode(step, await call(() => this.client.enqueue(request)));
    if (!second) {
      return;
    }
    const firstIds = first.actions.map((item) => item.action?.id);
    const secondIds = second.actions.map((item) => item.action?.id);
    if (first.replayed || !second.replayed) {
      throw new StepFailure(`replayed: first ${first.replayed}, second ${second.replayed}; want false, true`);
    }
    if (firstIds.length !== specs.length || !isDeepStrictEqual(firstIds, secondIds)) {
      throw new StepFailure(`ids ${show(firstIds)} then ${show(secondIds)}, want the same ${specs.length}`);
    }
    specs.forEach((spec, i) => {
      const id = firstIds[i];
      if (spec.ref !== undefined && id !== undefined) {
        this.bind(spec.ref, id);
      }
    });
    // Each action exists once: nothing else in this project carries its payload.
    const stored = await this.listProject();
    for (const spec of specs) {
      const copies = stored.filter((action) => isDeepStrictEqual(decodeAction(action).payload, spec.payload ?? {}));
      if (copies.length !== 1) {
        throw new StepFailure(`payload ${show(spec.payload ?? {})} stored ${copies.length} times, want once`);
      }
    }
  }

  private async listProject(): Promise<Action[]> {
    const actions: Action[] = [];
    let pageToken = "";
    do {
      const page = await this.client.listActions({ project: this.project, pageSize: 1000, pageToken });
      actions.push(...page.actions);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return actions;
  }

  private async claim(step: Step): Promise<void> {
    const outcome = await call(() =>
      this.client.claim({
        worker: WORKER,
        project: this.project,
        actionTypes: [step.action_type ?? this.scenario.action_type],
        maxActions: step.max_actions ?? 1,
        wait: duration(step.wait_ms ?? 0),
        lease: duration(step.lease_ms ?? 30_000),
      }),
    );
    const response = expectCode(step, outcome);
    if (!response) {
      return;
    }
    const got: string[] = [];
    for (const claimed of response.actions) {
      const id = claimed.action?.id ?? 0n;
      const ref = this.refs.get(id) ?? `id:${id}`;
      this.tokens.set(ref, claimed.leaseToken);
      got.push(ref);
    }
    const want = step.expect_refs ?? [];
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      throw new StepFailure(`claimed ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }

  private async heartbeat(step: Step): Promise<void> {
    const id = this.idOf(step);
    const leaseToken = this.leaseOf(step);
    const outcome = await call(() =>
      this.client.heartbeat({
        id,
        leaseToken,
        lease: duration(step.lease_ms ?? 30_000),
        ...(step.progress === undefined ? {} : { progress: step.progress }),
      }),
    );
    const response = expectCode(step, outcome);
    if (response?.cancelled) {
      throw new StepFailure("heartbeat unexpectedly reported the action cancelled");
    }
  }

  /** Runs a call that answers with one action and checks its code and the action's status. */
  private async finish(
    step: Step,
    send: (id: bigint, leaseToken: string) => Promise<{ action?: Action | undefined }>,
  ): Promise<void> {
    const id = this.idOf(step);
    const leaseToken = this.leaseOf(step);
    const response = expectCode(step, await call(() => send(id, leaseToken)));
    if (response) {
      expectAction(step, response.action);
    }
  }

  /** Saves the step's state under the lease it names; on OK the stored checkpoint must match. */
  private async saveCheckpoint(step: Step): Promise<void> {
    const id = this.idOf(step);
    const leaseToken = this.leaseOf(step);
    const state = step.state ?? {};
    const response = expectCode(
      step,
      await call(() => this.client.saveCheckpoint({ id, leaseToken, step: step.step ?? "", state })),
    );
    if (!response) {
      return;
    }
    const saved = decodeCheckpoint(response.checkpoint ?? create(CheckpointSchema));
    if (saved.step !== step.step || saved.actionId !== id || !isDeepStrictEqual(saved.state, state)) {
      throw new StepFailure(`saved ${saved.step} of ${saved.actionId} with ${saved.stateJson}, want ${step.step} of ${id}`);
    }
  }

  /** Reads the ref's checkpoints: steps, decoded states and attempts, in order. */
  private async getCheckpoints(step: Step): Promise<void> {
    const id = this.idOf(step);
    const checkpoints = expectCode(step, await call(() => this.client.checkpoints(id)));
    if (!checkpoints) {
      return;
    }
    const steps = checkpoints.map((checkpoint) => checkpoint.step);
    if (step.expect_steps !== undefined && !isDeepStrictEqual(steps, step.expect_steps)) {
      throw new StepFailure(`checkpoint steps ${JSON.stringify(steps)}, want ${JSON.stringify(step.expect_steps)}`);
    }
    const attempts = checkpoints.map((checkpoint) => checkpoint.attempt);
    if (step.expect_attempts !== undefined && !isDeepStrictEqual(attempts, step.expect_attempts.map(Number))) {
      throw new StepFailure(`checkpoint attempts ${JSON.stringify(attempts)}, want ${step.expect_attempts.join(",")}`);
    }
    if (step.expect_state_fields !== undefined) {
      if (checkpoints.length !== step.expect_state_fields.length) {
        throw new StepFailure(`${checkpoints.length} checkpoints, want ${step.expect_state_fields.length}`);
      }
      checkpoints.forEach((checkpoint, i) =>
        expectFields(`state of ${checkpoint.step}`, checkpoint.state, step.expect_state_fields?.[i] ?? {}),
      );
    }
    const states = checkpoints.map((checkpoint) => checkpoint.state);
    if (step.expect_states !== undefined && !isDeepStrictEqual(states, step.expect_states)) {
      throw new StepFailure(`checkpoint states ${checkpoints.map((c) => c.stateJson).join(", ")}, want ${show(step.expect_states)}`);
    }
  }

  /** Suspends the ref under the lease it names; checks suspended, the action's status and the wake-up. */
  private async suspend(step: Step): Promise<void> {
    const id = this.idOf(step);
    const leaseToken = this.leaseOf(step);
    const response = expectCode(
      step,
      await call(() =>
        this.client.suspend({
          id,
          leaseToken,
          step: step.step ?? "",
          signal: step.signal ?? "",
          ...(step.timeout_ms === undefined ? {} : { timeoutMs: step.timeout_ms }),
        }),
      ),
    );
    if (!response) {
      return;
    }
    if (step.expect_suspended !== undefined && response.suspended !== step.expect_suspended) {
      throw new StepFailure(`suspended ${response.suspended}, want ${step.expect_suspended}`);
    }
    expectAction(step, response.action);
    if (step.expect_wake !== undefined) {
      if (!response.wake) {
        throw new StepFailure(`no wake-up, want ${show(step.expect_wake)}`);
      }
      const wake = decodeWakeUp(response.wake);
      if (wake.step !== step.step) {
        throw new StepFailure(`wake-up of step ${wake.step}, want ${step.step}`);
      }
      expectFields("wake-up", { signal: wake.signal, payload: wake.payload, timed_out: wake.timedOut }, step.expect_wake);
    }
  }

  /** Sends the step's signal; checks which refs it woke and whether it is kept. */
  private async signal(step: Step): Promise<void> {
    const response = expectCode(
      step,
      await call(() =>
        this.client.signal({
          name: step.signal ?? "",
          payload: step.payload ?? {},
          ...(step.mode === undefined ? {} : { mode: step.mode }),
          ...(step.keep_ms === undefined ? {} : { keepMs: step.keep_ms }),
        }),
      ),
    );
    if (!response) {
      return;
    }
    if (step.expect_woken !== undefined) {
      const got = response.woken.map((id) => this.refs.get(id) ?? `id:${id}`).sort();
      const want = [...step.expect_woken].sort();
      if (!isDeepStrictEqual(got, want)) {
        throw new StepFailure(`woke ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
    }
    if (step.expect_kept !== undefined && (response.keptUntil !== undefined) !== step.expect_kept) {
      throw new StepFailure(`kept_until ${response.keptUntil ? "set" : "unset"}, want kept ${step.expect_kept}`);
    }
  }

  /** Polls the ref until its status is expect_status, failing after timeout_ms. */
  /**
   * A second client to the same server with the same TLS settings, with the
   * token in the variable step.token_env ("" sends none), makes step.call,
   * which must fail with step.expect_reason.
   */
  private async denied(step: Step): Promise<void> {
    const variable = step.token_env ?? "";
    const token = variable === "" ? "" : (process.env[variable] ?? "");
    if (variable !== "" && token === "") {
      throw new StepFailure(`$${variable} is not set`);
    }
    const other = createActionQueueClient({ token });
    try {
      let outcome: Outcome<unknown>;
      switch (step.call) {
        case "emit_event":
          outcome = await call(() => other.emitEvent({ eventType: "coordinator_cycle", actor: "conformance", payload: {} }));
          break;
        default:
          throw new StepFailure(`unknown call ${JSON.stringify(step.call)}`);
      }
      if (!("reason" in outcome)) {
        throw new StepFailure(`the call succeeded, expected ${step.expect_reason}`);
      }
      if (outcome.reason !== step.expect_reason) {
        throw new StepFailure(`expected reason ${step.expect_reason}, got ${show(outcome.reason)} (${outcome.code}: ${outcome.message})`);
      }
    } finally {
      other.close();
    }
  }

  private async awaitStatus(step: Step): Promise<void> {
    const id = this.idOf(step);
    const deadline = Date.now() + (step.timeout_ms ?? 10_000);
    for (;;) {
      const { action } = await this.client.getAction({ id });
      const got = action ? statusName(action) : "no action";
      if (got === step.expect_status) {
        return;
      }
      if (Date.now() > deadline) {
        throw new StepFailure(`still ${got} after ${step.timeout_ms} ms, want ${step.expect_status}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50)); // a poll interval, not a synchronisation
    }
  }

  /** Retries the dead actions `refs` by id; on OK each must now have `expect_status`. */
  private async retry(step: Step): Promise<void> {
    const ids = (step.refs ?? []).map((ref) => this.idOfRef(ref));
    const response = expectCode(step, await call(() => this.client.retry(ids)));
    if (!response) {
      return;
    }
    if (!isDeepStrictEqual(response.retriedIds, [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))) {
      throw new StepFailure(`retried ids ${show(response.retriedIds)}, want ${show(ids)}`);
    }
    for (const id of ids) {
      expectAction(step, (await this.client.getAction({ id })).action);
    }
  }

  /** Waits for `refs`: each returned action's status must match `expect_statuses`, in order. */
  private async wait(step: Step): Promise<void> {
    const ids = (step.refs ?? []).map((ref) => this.idOfRef(ref));
    const actions = expectCode(step, await call(() => this.client.wait(ids, step.timeout_ms ?? 10_000)));
    if (!actions) {
      return;
    }
    const got = actions.map((action) => `${this.refs.get(action.id) ?? `id:${action.id}`}:${statusName(action)}`);
    const want = (step.refs ?? []).map((ref, i) => `${ref}:${step.expect_statuses?.[i] ?? "?"}`);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      throw new StepFailure(`actions ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }

  private async watch(step: Step): Promise<void> {
    const want = step.expect_events ?? [];
    const actionIds = (step.refs ?? []).map((ref) => this.idOfRef(ref));
    const abort = new AbortController();
    const timeoutMs = step.timeout_ms ?? 10_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    const got: [string, string][] = [];
    try {
      // Cursors are opaque: the runner passes them on and never orders them.
      const stream = this.client.watchEvents({ afterCursor: step.after_cursor ?? "", actionIds }, { signal: abort.signal });
      for await (const message of stream) {
        for (const event of message.events) {
          decodeEvent(event); // every event payload is a JSON object
          got.push([this.refs.get(event.actionId) ?? `id:${event.actionId}`, event.eventType]);
        }
        if (got.length >= want.length) {
          break;
        }
      }
    } catch (error) {
      if (error instanceof StepFailure) {
        throw error;
      }
      if (!timedOut) {
        throw new StepFailure(`stream failed: ${describe(error)}`);
      }
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
    if (timedOut && got.length < want.length) {
      throw new StepFailure(`timed out after ${timeoutMs} ms with ${got.length} of ${want.length} events: ${JSON.stringify(got)}`);
    }
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      throw new StepFailure(`events ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }

  private bind(ref: string, id: bigint): void {
    this.ids.set(ref, id);
    this.refs.set(id, ref);
  }

  private idOf(step: Step): bigint {
    if (step.id !== undefined) {
      return BigInt(step.id);
    }
    if (step.ref === undefined) {
      throw new StepFailure("step names neither ref nor id");
    }
    return this.idOfRef(step.ref);
  }

  private idOfRef(ref: string): bigint {
    const id = this.ids.get(ref);
    if (id === undefined) {
      throw new StepFailure(`ref ${ref} was never enqueued`);
    }
    return id;
  }

  private leaseOf(step: Step): string {
    switch (step.lease) {
      case undefined:
        return "";
      case "random":
        return randomUUID();
      case "held": {
        const token = step.ref === undefined ? undefined : this.tokens.get(step.ref);
        if (token === undefined) {
          throw new StepFailure(`no lease held for ref ${step.ref}`);
        }
        return token;
      }
      default:
        throw new StepFailure(`unknown lease ${JSON.stringify(step.lease)}`);
    }
  }
}

async function call<T>(send: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { code: "OK", value: await send() };
  } catch (error) {
    const failure = ActionqError.from(error);
    return { code: codeName(failure.code), reason: failure.reasonName, message: failure.rawMessage };
  }
}

/** Checks the status code and reason; returns the response when the call succeeded as expected. */
function expectCode<T>(step: Step, outcome: Outcome<T>): T | undefined {
  const want = step.expect_code ?? "OK";
  if (outcome.code !== want) {
    const detail = "message" in outcome ? ` (${outcome.reason || "no reason"}: ${outcome.message})` : "";
    throw new StepFailure(`expected ${want}, got ${outcome.code}${detail}`);
  }
  if ("reason" in outcome && step.expect_reason !== undefined && outcome.reason !== step.expect_reason) {
    throw new StepFailure(`expected reason ${step.expect_reason}, got ${show(outcome.reason)} (${outcome.message})`);
  }
  return "value" in outcome ? outcome.value : undefined;
}

/** "completed" for ActionStatus.COMPLETED. */
function statusName(action: Action): string {
  return (ActionStatus[action.status] ?? String(action.status)).toLowerCase();
}

/** Checks the action's status, attempt, payload, result and progress as the step expects them. */
function expectAction(step: Step, action: Action | undefined): void {
  if (step.expect_status !== undefined) {
    const got = action ? statusName(action) : "no action";
    if (got !== step.expect_status) {
      throw new StepFailure(`status ${got}, want ${step.expect_status}`);
    }
  }
  if (step.expect_attempt !== undefined && action?.attempt !== step.expect_attempt) {
    throw new StepFailure(`attempt ${action?.attempt}, want ${step.expect_attempt}`);
  }
  if (step.expect_payload === undefined && step.expect_result === undefined && step.expect_progress === undefined) {
    return;
  }
  if (!action) {
    throw new StepFailure("no action in the response");
  }
  const record = decodeAction(action);
  if (step.expect_payload !== undefined && !isDeepStrictEqual(record.payload, step.expect_payload)) {
    throw new StepFailure(`payload ${action.payloadJson}, want ${show(step.expect_payload)}`);
  }
  if (step.expect_result !== undefined && !isDeepStrictEqual(record.result, step.expect_result)) {
    throw new StepFailure(`result ${show(action.resultJson)}, want ${show(step.expect_result)}`);
  }
  if (step.expect_progress !== undefined && !isDeepStrictEqual(record.progress, step.expect_progress)) {
    throw new StepFailure(`progress ${show(action.progressJson)}, want ${show(step.expect_progress)}`);
  }
}

/** Checks that each key of `want` equals the key of `got` (other keys of `got` are not compared). */
function expectFields(what: string, got: JsonObject, want: JsonObject): void {
  for (const [key, value] of Object.entries(want)) {
    if (!(key in got)) {
      throw new StepFailure(`${what} ${show(got)} has no ${key}`);
    }
    if (!isDeepStrictEqual(got[key], value)) {
      throw new StepFailure(`${what}: ${key} is ${show(got[key])}, want ${show(value)}`);
    }
  }
}

function show(value: JsonValue | bigint | undefined | (bigint | undefined)[]): string {
  return value === undefined ? "undefined" : stringifyJson(value as JsonValue);
}

function describe(error: unknown): string {
  if (error instanceof ActionqError) {
    return `${codeName(error.code)}${error.reasonName ? ` (${error.reasonName})` : ""}: ${error.rawMessage}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Replaces $PROJECT and $CREATED_BY in every string of the scenario. */
function substitute(value: unknown, project: string, createdBy: string): unknown {
  if (typeof value === "string") {
    return value.replaceAll("$PROJECT", project).replaceAll("$CREATED_BY", createdBy);
  }
  if (Array.isArray(value)) {
    return value.map((item) => substitute(item, project, createdBy));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, project, createdBy)]),
    );
  }
  return value;
}

async function main(argv: string[]): Promise<number> {
  const path = argv[0];
  if (!path) {
    console.error("usage: runner.js SCENARIO_PATH");
    return 2;
  }
  const project = process.env["ACTIONQ_CONFORMANCE_PROJECT"] || `conf-typescript-${randomUUID().slice(0, 8)}`;
  const createdBy = process.env["ACTIONQ_CONFORMANCE_CREATED_BY"] || "human:conformance-typescript";
  const scenario = substitute(parseJsonObject(readFileSync(path, "utf8")), project, createdBy) as unknown as Scenario;

  const client = createActionQueueClient();
  const runner = new Runner(client, scenario, project, createdBy);
  let failed = 0;
  try {
    for (const step of scenario.steps) {
      try {
        await runner.runStep(step);
        console.log(`ok ${step.name}`);
      } catch (error) {
        failed++;
        console.log(`FAIL ${step.name}: ${describe(error)}`);
      }
    }
  } finally {
    client.close();
  }
  console.error(`${scenario.steps.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
