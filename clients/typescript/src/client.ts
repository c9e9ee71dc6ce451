import { randomUUID } from "node:crypto";

import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Duration, Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { CallOptions, Client, Interceptor, Transport } from "@connectrpc/connect";
import { Http2SessionManager, createGrpcTransport } from "@connectrpc/connect-node";

import { ActionqError, WaitTimeoutError } from "./errors.js";
import { BackoffSchema, BackoffStrategy } from "./gen/actionq/v1/action_pb.js";
import type { Backoff, NewActionSchema } from "./gen/actionq/v1/action_pb.js";
import { ErrorReason } from "./gen/actionq/v1/errors_pb.js";
import { SignalMode } from "./gen/actionq/v1/action_pb.js";
import { ActionQueueService, EnqueueRequestSchema } from "./gen/actionq/v1/service_pb.js";
import type {
  CompleteRequestSchema,
  CompleteResponse,
  EmitEventRequestSchema,
  EmitEventResponse,
  EnqueueResponse,
  FailRequestSchema,
  FailResponse,
  HeartbeatRequestSchema,
  HeartbeatResponse,
  RetryRequestSchema,
  RetryResponse,
  SaveCheckpointRequestSchema,
  SaveCheckpointResponse,
  SignalRequestSchema,
  SignalResponse,
  SuspendRequestSchema,
  SuspendResponse,
  WatchEventsRequestSchema,
} from "./gen/actionq/v1/service_pb.js";
import { stringifyJson } from "./json.js";
import type { JsonObject } from "./json.js";
import { decodeAction, decodeCheckpoint, decodeEvent } from "./records.js";
import type { ActionRecord, CheckpointRecord, EventRecord } from "./records.js";
import { retrying, sleep } from "./retry.js";
import type { RetryPolicy } from "./retry.js";
import { resolveSecurity } from "./security.js";
import type { SecurityOptions } from "./security.js";

export { DEFAULT_ADDRESS } from "./security.js";

/** Deadline of every unary call that does not set its own timeoutMs. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Extra time a Claim's (or WaitAction's) deadline gets on top of its wait (timeout). */
export const DEFAULT_CLAIM_MARGIN_MS = 10_000;

/** Enqueue's retries: 4 calls in all, 100 ms → 1 s apart, on UNAVAILABLE or a passed deadline. */
const ENQUEUE_RETRY: RetryPolicy = {
  attempts: 4,
  firstBackoffMs: 100,
  maxBackoffMs: 1_000,
  retryable: new Set([Code.Unavailable, Code.DeadlineExceeded]),
};
/**
 * A followEvents stream that fails with these codes is reopened from the last
 * cursor; so is one the server closed because its reader fell too far behind
 * (RESOURCE_EXHAUSTED, reason WATCHER_TOO_SLOW).
 */
const RESUMABLE = new Set([Code.Unavailable]);
/** How long followEvents waits before reopening a stream by default. */
const FOLLOW_RETRY_DELAY_MS = 1_000;

/**
 * How to reach an actionq server. Every field is optional; the address, TLS
 * and token settings (SecurityOptions) default to the environment.
 */
export interface ClientOptions extends SecurityOptions {
  /** Deadline of unary calls without their own timeoutMs; default 10 s. `<= 0` disables it. */
  timeoutMs?: number;
  /** Claim deadline = the Claim's wait + this margin (WaitAction: its timeout + this margin); default 10 s. */
  claimMarginMs?: number;
  /** Extra interceptors, run after the auth interceptor. */
  interceptors?: Interceptor[];
  /** Calls one `enqueue` may make, retries included; default 4, 1 = no retry. */
  enqueueAttempts?: number;
}

/**
 * One action to enqueue: a NewAction whose payload may be given as an object,
 * its delay in milliseconds and its start time as a Date. `maxAttempts` and
 * `backoff` (see exponentialBackoff / fixedBackoff) shape its retries.
 */
export type NewActionInput = Omit<MessageInitShape<typeof NewActionSchema>, "runAfter"> & {
  /** The payload as an object, written as payload_json losslessly; set this or payloadJson. */
  payload?: JsonObject;
  /** Not claimable before this time (a Date or a Timestamp); unset means now. */
  runAfter?: Date | Timestamp;
  /** Not claimable for this many milliseconds from now (database time); sent as `delay`. */
  delayMs?: number;
};

/** What `enqueue` takes. */
export interface EnqueueInput {
  /** One to 10,000 actions, stored in one transaction. */
  actions: NewActionInput[];
  /**
   * Makes retrying this call safe; default: a fresh UUID per `enqueue` call,
   * reused by its own retries. Pass your own to retry across processes.
   */
  requestId?: string;
}

/** What `complete` takes: a CompleteRequest whose result may be given as an object. */
export type CompleteInput = MessageInitShape<typeof CompleteRequestSchema> & {
  /** The result as an object, written as result_json losslessly; set this or resultJson. */
  result?: JsonObject;
};

/** What `heartbeat` takes: a HeartbeatRequest whose progress may be given as an object. */
export type HeartbeatInput = MessageInitShape<typeof HeartbeatRequestSchema> & {
  /** Progress as an object, written as progress_json losslessly and stored on the action; set this or progressJson. */
  progress?: JsonObject;
};

/** What `saveCheckpoint` takes: a SaveCheckpointRequest whose state may be given as an object. */
export type SaveCheckpointInput = MessageInitShape<typeof SaveCheckpointRequestSchema> & {
  /** The step's state as an object, written as state_json losslessly; set this or stateJson. */
  state?: JsonObject;
};

/**
 * What `signal` takes: a SignalRequest (`name`, `actor`) whose payload may be
 * given as an object, its mode as "broadcast" or "one", and how long it is
 * kept in milliseconds.
 */
export interface SignalInput {
  /** The signal's name (1 to 200 printable characters). */
  name: string;
  /** The payload as an object, written as payload_json losslessly; set this or payloadJson. */
  payload?: JsonObject;
  /** The payload as JSON object text; empty means {}. */
  payloadJson?: string;
  /**
   * "broadcast" (the default): wakes every action waiting for the name, and
   * every later waiter while kept; "one": wakes one waiter, or is kept until one waits.
   */
  mode?: SignalMode | "broadcast" | "one";
  /** Keep the signal this long for later waiters (0 = not kept; unset = 24 h); set this or keep. */
  keepMs?: number;
  keep?: Duration;
  /** Recorded as the event's actor; empty means "operator". */
  actor?: string;
}

/**
 * What `suspend` takes: a SuspendRequest (`id`, `leaseToken`, `step`,
 * `signal`) whose timeout may be given in milliseconds and `until` as a Date.
 */
export interface SuspendInput {
  id: bigint;
  leaseToken: string;
  /** The wait's step name; the wake-up is stored as this step's checkpoint. */
  step: string;
  /** The signal to wait for; empty or unset for a sleep. */
  signal?: string;
  /** Wake after this many milliseconds without the signal (a sleep when there is no signal); set this or timeout. */
  timeoutMs?: number;
  timeout?: Duration;
  /** Wake at this time without the signal. */
  until?: Date | Timestamp;
}

/** What `fail` takes: a FailRequest whose retry delay may be given in milliseconds. */
export type FailInput = MessageInitShape<typeof FailRequestSchema> & {
  /** Retry after this many milliseconds (0 = at once) instead of the backoff policy; set this or retryDelay. */
  retryDelayMs?: number;
};

/** What `retry` takes: a RetryRequest (ids, or a filter), or just the ids. */
export type RetryInput = MessageInitShape<typeof RetryRequestSchema> | readonly (bigint | number)[];

/** What `emitEvent` takes: an EmitEventRequest whose payload may be given as an object. */
export type EmitEventInput = MessageInitShape<typeof EmitEventRequestSchema> & {
  /** The payload as an object, written as payload_json losslessly; set this or payloadJson. */
  payload?: JsonObject;
};

/** What `followEvents` takes: a WatchEventsRequest (filters, `afterCursor`, `fromEnd`). */
export type FollowEventsInput = Omit<MessageInitShape<typeof WatchEventsRequestSchema>, "$typeName">;

/** Options of `followEvents`. */
export interface FollowOptions {
  /** Ends the iteration when aborted. */
  signal?: AbortSignal;
  /** Pause before reopening a stream that ended or broke; default 1 s. */
  retryDelayMs?: number;
}

/** The generated client, every RPC as the service defines it. */
type GeneratedClient = Client<typeof ActionQueueService>;

/**
 * A connected actionq client: one method per RPC of ActionQueueService in
 * camelCase (`enqueue`, `claim`, `heartbeat`, `watchEvents`, …), each taking
 * the request and optional CallOptions (`timeoutMs`, `signal`, `headers`).
 *
 * Every call fails with an ActionqError (a ConnectError with the server's
 * ErrorInfo decoded). `enqueue`, `complete` and `emitEvent` also take JSON as
 * objects (`payload`, `result`), and `enqueue` retries safely; JSON in
 * responses stays text (`payloadJson`, `resultJson`): decode it with
 * decodeAction / decodeEvent.
 */
export type ActionQueueClient = Omit<
  GeneratedClient,
  "enqueue" | "complete" | "emitEvent" | "heartbeat" | "fail" | "retry" | "saveCheckpoint" | "signal" | "suspend"
> & {
  /**
   * Enqueues actions under a request_id (a fresh UUID unless given) and, if
   * the call fails with UNAVAILABLE or DEADLINE_EXCEEDED, sends it again with
   * the same request_id (4 attempts in all by default, backoff 100 ms → 1 s):
   * the server then answers with the first call's actions and
   * `replayed = true` instead of storing them twice.
   */
  enqueue(request: EnqueueInput, options?: CallOptions): Promise<EnqueueResponse>;
  /** Completes a claimed action; `result` is written as result_json. */
  complete(request: CompleteInput, options?: CallOptions): Promise<CompleteResponse>;
  /** Appends a coordinator event; `payload` is written as payload_json. */
  emitEvent(request: EmitEventInput, options?: CallOptions): Promise<EmitEventResponse>;
  /** Extends a lease; `progress` is written as progress_json (stored on the action, event action_progress). */
  heartbeat(request: HeartbeatInput, options?: CallOptions): Promise<HeartbeatResponse>;
  /**
   * Saves a step's state for a claimed action under its lease (`id`,
   * `leaseToken`, `step`); `state` is written as state_json. Saving a step
   * again replaces it; a stale lease throws FAILED_PRECONDITION / STALE_LEASE.
   */
  saveCheckpoint(request: SaveCheckpointInput, options?: CallOptions): Promise<SaveCheckpointResponse>;
  /**
   * The checkpoints of action `id` from every attempt, oldest step first,
   * with `state` decoded (`step`, `attempt` that saved it, `createdAt`,
   * `updatedAt`).
   */
  checkpoints(id: bigint | number, options?: CallOptions): Promise<CheckpointRecord[]>;
  /**
   * Sends a named signal: wakes the actions waiting for `name` (all of them,
   * or one with `mode: "one"`) and keeps it for later waiters (`keepMs`,
   * default 24 h). Resolves to the signal's id, the woken ids, and
   * `keptUntil` when it is kept.
   */
  signal(request: SignalInput, options?: CallOptions): Promise<SignalResponse>;
  /**
   * Parks a claimed action (`id`, `leaseToken`) until `signal` arrives or
   * `timeoutMs` / `until` passes, the wait named `step`. `suspended` true:
   * the action is waiting and the lease given up; false: `wake` is the
   * outcome at once (the step woke before, or a kept signal matched). Worker
   * handlers use `context.waitForSignal` / `context.sleep` instead.
   */
  suspend(request: SuspendInput, options?: CallOptions): Promise<SuspendResponse>;
  /** Records a failed attempt; `retryDelayMs` / `noRetry` choose when (or whether) it is retried. */
  fail(request: FailInput, options?: CallOptions): Promise<FailResponse>;
  /**
   * Puts dead actions (failed, rejected, cancelled) back to pending with
   * fresh attempts: these ids (`retry([id1, id2])`), or a RetryRequest with
   * ids or a filter (`retry({ actionType: "t", limit: 100 })`).
   */
  retry(request: RetryInput, options?: CallOptions): Promise<RetryResponse>;
  /**
   * Waits until every one of `ids` is in a terminal status (completed,
   * failed, rejected, cancelled) and returns them decoded, in the order
   * asked. The server holds the call open (no polling); after `timeoutMs` it
   * throws a WaitTimeoutError (DEADLINE_EXCEEDED / WAIT_TIMEOUT). The call's
   * own deadline is `timeoutMs` plus the claim margin.
   */
  wait(ids: readonly (bigint | number)[], timeoutMs: number, options?: CallOptions): Promise<ActionRecord[]>;
  /**
   * Every event after `afterCursor` ("" = the start of the log; `fromEnd`:
   * only new ones), decoded, until the caller stops iterating or `signal`
   * aborts. When the stream ends or breaks with UNAVAILABLE (a server
   * restart, a database outage) it reopens from the last cursor the server
   * gave, so nothing is lost or repeated.
   */
  followEvents(request?: FollowEventsInput, options?: FollowOptions): AsyncGenerator<EventRecord, void, undefined>;
  /** The base URL the client talks to, e.g. `http://127.0.0.1:50051`. */
  readonly baseUrl: string;
  /** Closes the HTTP/2 connection; calls in flight fail with CANCELED. */
  close(): void;
};

/**
 * Creates a client for the actionq server at `options.address`.
 *
 * Unary calls get a default deadline (10 s), Claim gets its wait plus a margin
 * so a long poll is never cut short, and WatchEvents has no deadline: it runs
 * until its AbortSignal fires.
 */
export function createActionQueueClient(options: ClientOptions = {}): ActionQueueClient {
  const { baseUrl, token, nodeOptions } = resolveSecurity(options);
  const interceptors: Interceptor[] = [];
  if (token) {
    interceptors.push(bearerAuth(token));
  }
  interceptors.push(...(options.interceptors ?? []));

  const sessionManager = new Http2SessionManager(baseUrl, undefined, nodeOptions);
  const transport = createGrpcTransport({ baseUrl, interceptors, sessionManager });
  return Object.assign(wrapClient(transport, options), {
    baseUrl,
    close: () => sessionManager.abort(),
  });
}

/**
 * The client's behaviour over any transport (a real one, or connect's router
 * transport in tests): default deadlines, typed errors, JSON objects in,
 * Enqueue retries, followEvents.
 */
export function wrapClient(
  transport: Transport,
  options: Pick<ClientOptions, "timeoutMs" | "claimMarginMs" | "enqueueAttempts"> = {},
): Omit<ActionQueueClient, "baseUrl" | "close"> {
  const generated = createClient(
    ActionQueueService,
    withTypedErrors(
      withDefaultDeadlines(
        transport,
        options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        options.claimMarginMs ?? DEFAULT_CLAIM_MARGIN_MS,
      ),
    ),
  );
  const enqueuePolicy: RetryPolicy = { ...ENQUEUE_RETRY, attempts: options.enqueueAttempts ?? ENQUEUE_RETRY.attempts };
  return {
    ...generated,
    enqueue: async (request, callOptions) => {
      const message = create(EnqueueRequestSchema, {
        actions: request.actions.map(newAction),
        requestId: request.requestId || randomUUID(),
      });
      return retrying(() => generated.enqueue(message, callOptions), enqueuePolicy, undefined, callOptions?.signal);
    },
    complete: async (request, callOptions) => generated.complete(withJson(request, "result", "resultJson"), callOptions),
    emitEvent: async (request, callOptions) =>
      generated.emitEvent(withJson(request, "payload", "payloadJson"), callOptions),
    heartbeat: async (request, callOptions) =>
      generated.heartbeat(withJson(request, "progress", "progressJson"), callOptions),
    fail: async (request, callOptions) => generated.fail(withRetryDelay(request), callOptions),
    saveCheckpoint: async (request, callOptions) =>
      generated.saveCheckpoint(withJson(request, "state", "stateJson"), callOptions),
    checkpoints: async (id, callOptions) =>
      (await generated.getCheckpoints({ id: BigInt(id) }, callOptions)).checkpoints.map(decodeCheckpoint),
    signal: async (request, callOptions) => generated.signal(signalRequest(request), callOptions),
    suspend: async (request, callOptions) => generated.suspend(suspendRequest(request), callOptions),
    retry: async (request, callOptions) =>
      generated.retry(isIdList(request) ? { ids: request.map((id) => BigInt(id)) } : request, callOptions),
    wait: async (ids, timeoutMs, callOptions) => {
      if (!(timeoutMs >= 0)) {
        throw new RangeError("wait: timeoutMs must be a number of milliseconds, 0 or more");
      }
      try {
        const response = await generated.waitAction(
          { ids: ids.map((id) => BigInt(id)), timeout: duration(timeoutMs) },
          callOptions,
        );
        return response.actions.map(decodeAction);
      } catch (error) {
        const failure = ActionqError.from(error);
        throw failure.reason === ErrorReason.WAIT_TIMEOUT ? new WaitTimeoutError(failure) : failure;
      }
    },
    followEvents: (request = {}, followOptions = {}) => followEvents(generated, request, followOptions),
  };
}

/** Converts milliseconds to a google.protobuf.Duration (for `lease`, `wait`, `delay`, …). */
export function duration(ms: number): Duration {
  return durationFromMs(ms);
}

/**
 * A retry policy whose delay after attempt n is baseMs * 2^(n-1), at most
 * maxMs, with a random `jitter` fraction (0 to 1) taken off.
 */
export function exponentialBackoff(baseMs: number, maxMs: number, jitter = 0): Backoff {
  return create(BackoffSchema, {
    strategy: BackoffStrategy.EXPONENTIAL,
    base: duration(baseMs),
    max: duration(maxMs),
    jitter,
  });
}

/** A retry policy that waits `delayMs` before every retry, with a random `jitter` fraction (0 to 1) taken off. */
export function fixedBackoff(delayMs: number, jitter = 0): Backoff {
  return create(BackoffSchema, { strategy: BackoffStrategy.FIXED, base: duration(delayMs), jitter });
}

/** A NewAction from its input: payload as JSON text, delayMs as `delay`, a Date as a Timestamp. */
function newAction(input: NewActionInput): MessageInitShape<typeof NewActionSchema> {
  const { runAfter, delayMs, ...rest } = withJson(input, "payload", "payloadJson");
  const action: Record<string, unknown> = rest;
  if (runAfter !== undefined) {
    action["runAfter"] = runAfter instanceof Date ? timestampFromDate(runAfter) : runAfter;
  }
  if (delayMs !== undefined) {
    if (rest.delay !== undefined) {
      throw new TypeError("set delayMs or delay, not both");
    }
    action["delay"] = duration(delayMs);
  }
  return action as MessageInitShape<typeof NewActionSchema>;
}

function withRetryDelay(input: FailInput): MessageInitShape<typeof FailRequestSchema> {
  const { retryDelayMs, ...rest } = input;
  if (retryDelayMs === undefined) {
    return rest;
  }
  if (rest.retryDelay !== undefined) {
    throw new TypeError("set retryDelayMs or retryDelay, not both");
  }
  return { ...rest, retryDelay: duration(retryDelayMs) };
}

function signalRequest(input: SignalInput): MessageInitShape<typeof SignalRequestSchema> {
  const { mode, keepMs, ...rest } = withJson(input, "payload", "payloadJson");
  const request: Record<string, unknown> = {
    ...rest,
    mode: mode === "one" ? SignalMode.ONE : mode === "broadcast" || mode === undefined ? SignalMode.BROADCAST : mode,
  };
  if (keepMs !== undefined) {
    if (rest.keep !== undefined) {
      throw new TypeError("set keepMs or keep, not both");
    }
    request["keep"] = duration(keepMs);
  }
  return request as MessageInitShape<typeof SignalRequestSchema>;
}

function suspendRequest(input: SuspendInput): MessageInitShape<typeof SuspendRequestSchema> {
  const { timeoutMs, until, ...rest } = input;
  const request: Record<string, unknown> = { ...rest };
  if (until !== undefined) {
    request["until"] = until instanceof Date ? timestampFromDate(until) : until;
  }
  if (timeoutMs !== undefined) {
    if (rest.timeout !== undefined) {
      throw new TypeError("set timeoutMs or timeout, not both");
    }
    request["timeout"] = duration(timeoutMs);
  }
  return request as MessageInitShape<typeof SuspendRequestSchema>;
}

function isIdList(request: RetryInput): request is readonly (bigint | number)[] {
  return Array.isArray(request);
}

function bearerAuth(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}

/**
 * Gives unary calls that set no timeoutMs a default deadline; Claim's is its
 * wait plus a margin, WaitAction's its timeout plus that margin. Streaming
 * calls keep whatever the caller passed.
 */
function withDefaultDeadlines(inner: Transport, timeoutMs: number, claimMarginMs: number): Transport {
  return {
    unary: (method, signal, callTimeoutMs, header, input, contextValues) => {
      let effective = callTimeoutMs;
      if (effective === undefined) {
        effective = timeoutMs;
        const holds = method.parent.typeName === ActionQueueService.typeName ? HELD_FIELD[method.name] : undefined;
        if (holds) {
          effective = Math.max(timeoutMs, durationFieldMs(input, holds) + claimMarginMs);
        }
      }
      return inner.unary(method, signal, effective, header, input, contextValues);
    },
    stream: (method, signal, callTimeoutMs, header, input, contextValues) =>
      inner.stream(method, signal, callTimeoutMs, header, input, contextValues),
  };
}

/** The RPCs the server may hold open, and the request field saying for how long. */
const HELD_FIELD: Readonly<Record<string, string>> = { Claim: "wait", WaitAction: "timeout" };

function durationFieldMs(input: unknown, field: string): number {
  const value = (input as Record<string, { seconds?: bigint | number; nanos?: number } | undefined>)[field];
  if (!value) {
    return 0;
  }
  return Number(value.seconds ?? 0) * 1000 + Math.ceil((value.nanos ?? 0) / 1_000_000);
}

/**
 * Sets `textKey` to the JSON text of the object under `objectKey` (if any)
 * and drops `objectKey`: `{ payload: {...} }` → `{ payloadJson: "{...}" }`.
 */
function withJson<T extends object>(input: T, objectKey: string, textKey: string): T {
  const { [objectKey]: value, ...rest } = input as Record<string, unknown>;
  if (value === undefined) {
    return rest as T;
  }
  if (rest[textKey]) {
    throw new TypeError(`set ${objectKey} or ${textKey}, not both`);
  }
  return { ...rest, [textKey]: stringifyJson(value as JsonObject) } as T;
}

/** Makes every call fail with an ActionqError, also mid-stream. */
function withTypedErrors(inner: Transport): Transport {
  return {
    async unary(method, signal, timeoutMs, header, input, contextValues) {
      try {
        return await inner.unary(method, signal, timeoutMs, header, input, contextValues);
      } catch (error) {
        throw ActionqError.from(error);
      }
    },
    async stream(method, signal, timeoutMs, header, input, contextValues) {
      try {
        const response = await inner.stream(method, signal, timeoutMs, header, input, contextValues);
        return { ...response, message: typedErrors(response.message) };
      } catch (error) {
        throw ActionqError.from(error);
      }
    },
  };
}

async function* typedErrors<T>(messages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    throw ActionqError.from(error);
  }
}

async function* followEvents(
  client: GeneratedClient,
  request: FollowEventsInput,
  options: FollowOptions,
): AsyncGenerator<EventRecord, void, undefined> {
  const { fromEnd, afterCursor, ...filters } = request;
  // Aborted when the caller's signal fires or the caller stops iterating;
  // Connect's stream iterators have no return(), so this is what closes them.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) {
    return;
  }
  try {
    let cursor = afterCursor ?? "";
    if (fromEnd) {
      cursor = (await client.getQueueStats({}, { signal: stop.signal })).latestEventCursor;
    }
    while (!stop.signal.aborted) {
      try {
        for await (const message of client.watchEvents({ ...filters, afterCursor: cursor }, { signal: stop.signal })) {
          for (const event of message.events) {
            yield decodeEvent(event);
            cursor = event.cursor || cursor;
          }
          cursor = message.cursor || cursor;
        }
      } catch (error) {
        if (stop.signal.aborted) {
          return;
        }
        const refusal = ActionqError.from(error);
        if (!RESUMABLE.has(refusal.code) && refusal.reason !== ErrorReason.WATCHER_TOO_SLOW) {
          throw error;
        }
      }
      // The stream ended (a draining server ends it cleanly) or broke: resume.
      await sleep(options.retryDelayMs ?? FOLLOW_RETRY_DELAY_MS, stop.signal);
    }
  } finally {
    stop.abort();
    options.signal?.removeEventListener("abort", onAbort);
  }
}
