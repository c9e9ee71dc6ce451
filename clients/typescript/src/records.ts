/**
 * Actions and events with their JSON text decoded losslessly (see json.ts):
 * what worker handlers and followEvents hand out, and what decodeAction /
 * decodeEvent make of any Action or Event a call returned.
 */
import type { Action, Checkpoint, Event } from "./gen/actionq/v1/action_pb.js";
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
