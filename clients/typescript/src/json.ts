/**
 * Lossless JSON for payloads, results and event payloads, which travel as
 * JSON text (`payload_json`, `result_json`).
 *
 * JavaScript numbers are doubles: `JSON.parse` turns 9007199254740993 into
 * 9007199254740992. Decoding here goes through lossless-json and maps
 *
 * | JSON text                                  | JavaScript value |
 * |--------------------------------------------|------------------|
 * | integer within ±(2^53 − 1)                 | `number`         |
 * | integer outside it (2^53 + 1, −2^63, …)    | `bigint`         |
 * | fraction or exponent (0.1, 1e3)            | `number`         |
 * | string, true/false, null, array, object    | the same as JSON.parse |
 *
 * Encoding writes `bigint` as its exact digits and `number` as JSON.stringify
 * does; NaN and ±Infinity, which JSON cannot hold, are refused with a
 * TypeError instead of silently becoming `null`.
 */
import { isInteger, isSafeNumber, parse, stringify } from "lossless-json";

/** A JSON value as this client decodes it: integers beyond 2^53 are `bigint`. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;

/** A JSON object, the shape of every payload and result. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Decodes JSON text losslessly (see the module comment for the mapping). */
export function parseJson(text: string): JsonValue {
  return parse(text, null, parseNumber) as JsonValue;
}

/** Decodes JSON text that must hold an object; throws a SyntaxError on anything else. */
export function parseJsonObject(text: string): JsonObject {
  const value = parseJson(text);
  if (!isJsonObject(value)) {
    throw new SyntaxError(`expected a JSON object, got ${describe(value)}`);
  }
  return value;
}

/** Encodes a value as compact JSON text; `bigint` keeps every digit. */
export function stringifyJson(value: JsonValue): string {
  const text = stringify(value, null, undefined, [NON_FINITE]);
  if (text === undefined) {
    throw new TypeError("value has no JSON representation");
  }
  return text;
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseNumber(text: string): number | bigint {
  if (isInteger(text) && !isSafeNumber(text)) {
    return BigInt(text);
  }
  return Number(text);
}

const NON_FINITE = {
  test: (value: unknown) => typeof value === "number" && !Number.isFinite(value),
  stringify: (value: unknown): string => {
    throw new TypeError(`${String(value)} cannot be written as JSON`);
  },
};

function describe(value: JsonValue): string {
  if (value === null) {
    return "null";
  }
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
