/**
 * Actions and events with their JSON text decoded losslessly (see json.ts):
 * what worker handlers and followEvents hand out, and what decodeAction /
 * decodeEvent make of any Action or Event a call returned.
 */
import { timestampDate } from "@bufbuild/protobuf/wkt";

import type { Action, Checkpoint, Event, WakeUp } from "./gen/actionq/v1/action_pb.js";
import { parseJsonObject } from "./json.js";
import type { JsonObject } from "./json.js";

/** An Action with `payload`, `result` and `progress` (from their JSON text) decoded. */
export type ActionRecord = Action & {
  /** The action's payload object. */
  readonly payload: JsonObject;
  /** The result a worker reported on completion; undefined when none. */
  readonly result: JsonObject | undefined;
  /** The latest progress a worker reported with a heartbeat; undefined when none. */
  readonly progress: JsonObject | undefined;
};

/** An Event with `payload` (from payload_json) decoded. */
export type EventRecord = Event & {
  /** The event's details object. */
  readonly payload: JsonObject;
};

/** A Checkpoint with `state` (from state_json) decoded. */
export type CheckpointRecord = Checkpoint & {
  /** The saved state object ({} when empty); integers beyond 2^53 as bigint. */
  readonly state: JsonObject;
};

/** Decodes a checkpoint's state_json. */
export function decodeCheckpoint(checkpoint: Checkpoint): CheckpointRecord {
  return { ...checkpoint, state: objectOrEmpty(checkpoint.stateJson) };
}

/** Why a wait ended: a signal (`signal`, `payload`, `signalId`) or its timeout (`timedOut`, payload {}). */
export interface WakeUpRecord {
  /** The wait's step name. */
  readonly step: string;
  /** The signal waited for ("" for a sleep). */
  readonly signal: string;
  /** The signal's payload ({} on a timeout). */
  readonly payload: JsonObject;
  /** True when the timeout (or the sleep) ended the wait. */
  readonly timedOut: boolean;
  /** The signal's id (0n on a timeout). */
  readonly signalId: bigint;
  /** When it woke; undefined when unknown. */
  readonly wokeAt: Date | undefined;
}

/** Decodes the WakeUp a Suspend response carries. */
export function decodeWakeUp(wake: WakeUp): WakeUpRecord {
  return {
    step: wake.step,
    signal: wake.signal,
    payload: objectOrEmpty(wake.payloadJson),
    timedOut: wake.timedOut,
    signalId: wake.signalId,
    wokeAt: wake.wokeAt ? timestampDate(wake.wokeAt) : undefined,
  };
}

/**
 * Reads the wake-up a wait stored as its step's checkpoint (state
 * {"signal", "payload", "timed_out", "signal_id", "woke_at"}).
 */
export function wakeUpFromCheckpoint(checkpoint: CheckpointRecord): WakeUpRecord {
  const { state } = checkpoint;
  const payload = state["payload"];
  const signalId = state["signal_id"];
  const wokeAt = state["woke_at"];
  return {
    step: checkpoint.step,
    signal: typeof state["signal"] === "string" ? state["signal"] : "",
    payload: payload !== null && typeof payload === "object" && !Array.isArray(payload) ? payload : {},
    timedOut: state["timed_out"] === true,
    signalId: typeof signalId === "number" || typeof signalId === "bigint" ? BigInt(signalId) : 0n,
    wokeAt: typeof wokeAt === "string" ? new Date(wokeAt) : undefined,
  };
}

/** Decodes an action's payload_json, result_json and progress_json. */
export function decodeAction(action: Action): ActionRecord {
  return {
    ...action,
    payload: objectOrEmpty(action.payloadJson),
    result: objectOrNone(action.resultJson),
    progress: objectOrNone(action.progressJson),
  };
}

/** Decodes an event's payload_json. */
export function decodeEvent(event: Event): EventRecord {
  return { ...event, payload: objectOrEmpty(event.payloadJson) };
}

function objectOrEmpty(text: string): JsonObject {
  return text === "" ? {} : parseJsonObject(text);
}

function objectOrNone(text: string): JsonObject | undefined {
  return text === "" ? undefined : parseJsonObject(text);
}
