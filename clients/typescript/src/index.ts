/**
 * actionq client for TypeScript: the generated actionq.v1 messages and
 * service descriptor, a client constructor, lossless JSON for payloads and
 * results, typed errors and a worker helper.
 */
export {
  DEFAULT_ADDRESS,
  DEFAULT_CLAIM_MARGIN_MS,
  DEFAULT_TIMEOUT_MS,
  createActionQueueClient,
  duration,
  exponentialBackoff,
  fixedBackoff,
  wrapClient,
} from "./client.js";
export type {
  ActionQueueClient,
  ClientOptions,
  CompleteInput,
  EmitEventInput,
  EnqueueInput,
  FailInput,
  FollowEventsInput,
  FollowOptions,
  HeartbeatInput,
  NewActionInput,
  RetryInput,
  SaveCheckpointInput,
  SignalInput,
  SuspendInput,
} from "./client.js";
export { isLoopback, resolveSecurity } from "./security.js";
export type { Security, SecurityOptions } from "./security.js";
export { ActionqError, ERROR_DOMAIN, WaitTimeoutError, codeName, hasReason } from "./errors.js";
export type { FieldViolation } from "./errors.js";
export { isJsonObject, parseJson, parseJsonObject, stringifyJson } from "./json.js";
export type { JsonObject, JsonValue } from "./json.js";
export { decodeAction, decodeCheckpoint, decodeEvent, decodeWakeUp, wakeUpFromCheckpoint } from "./records.js";
export type { ActionRecord, CheckpointRecord, EventRecord, WakeUpRecord } from "./records.js";
export { NoRetry, Reject, RetryIn, Suspended } from "./outcomes.js";
export { Worker } from "./worker.js";
export type { Handler, HandlerContext, HandlerResult, WaitOptions, WorkerClient, WorkerOptions } from "./worker.js";
export * from "./gen/actionq/v1/action_pb.js";
export * from "./gen/actionq/v1/errors_pb.js";
export * from "./gen/actionq/v1/service_pb.js";
export { Code, ConnectError } from "@connectrpc/connect";
