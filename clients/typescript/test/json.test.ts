/**
 * Unit tests of the lossless JSON mapping (json.ts) and of decodeAction /
 * decodeEvent: every integer keeps its digits, fractions are doubles,
 * unicode and deep nesting survive, and what JSON cannot hold is refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { create } from "@bufbuild/protobuf";

import {
  ActionSchema,
  EventSchema,
  decodeAction,
  decodeEvent,
  isJsonObject,
  parseJson,
  parseJsonObject,
  stringifyJson,
} from "@actionq/client";
import type { JsonObject, JsonValue } from "@actionq/client";

describe("lossless JSON", () => {
  it("decodes integers beyond ±(2^53 - 1) as bigint and the rest as number", () => {
    const value = parseJsonObject(
      '{"above_2_53": 9007199254740993, "two_53": 9007199254740992, "max_safe": 9007199254740991,' +
        ' "min_int64": -9223372036854775808, "max_uint64": 18446744073709551615,' +
        ' "huge": 123456789012345678901234567890, "small": 5, "negative": -2, "zero": 0,' +
        ' "fraction": 0.1, "exponent": 1e3, "big_fraction": 3.5e300}',
    );
    assert.deepEqual(value, {
      above_2_53: 9007199254740993n,
      two_53: 9007199254740992n,
      max_safe: 9007199254740991,
      min_int64: -9223372036854775808n,
      max_uint64: 18446744073709551615n,
      huge: 123456789012345678901234567890n,
      small: 5,
      negative: -2,
      zero: 0,
      fraction: 0.1,
      exponent: 1000,
      big_fraction: 3.5e300,
    });
  });

  it("round-trips every value of the conformance payload exactly", () => {
    let deep: JsonObject = { leaf: 32 };
    for (let level = 31; level >= 2; level--) {
      deep = { [`l${level}`]: deep };
    }
    const original: JsonObject = {
      above_2_53: 9007199254740993n,
      min_int64: -(2n ** 63n),
      max_int64: 2n ** 63n - 1n,
      max_uint64: 2n ** 64n - 1n,
      fraction: 0.1,
      unicode: 'héllo 日本語 🎉 \u2028 "quoted" \\ back \u0001',
      list: [1, -2, 3.5, true, false, null, "x", [], {}],
      deep,
    };
    const text = stringifyJson(original);
    assert.match(text, /"above_2_53":9007199254740993,/);
    assert.match(text, /"max_uint64":18446744073709551615,/);
    assert.deepEqual(parseJson(text), original);
    assert.equal(stringifyJson(parseJson(text)), text);
  });

  it("refuses what JSON cannot hold instead of writing null", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.throws(() => stringifyJson({ nested: [bad] }), TypeError);
    }
  });

  it("parseJsonObject accepts objects only", () => {
    for (const text of ["[1, 2]", "1", '"x"', "null", "true"]) {
      assert.throws(() => parseJsonObject(text), SyntaxError, text);
    }
    assert.throws(() => parseJsonObject("{"), SyntaxError);
    assert.equal(isJsonObject({}), true);
    assert.equal(isJsonObject([] as JsonValue), false);
    assert.equal(isJsonObject(null), false);
  });
});

describe("decodeAction and decodeEvent", () => {
  it("decode payload_json and result_json, keeping the other fields", () => {
    const action = create(ActionSchema, {
      id: 7n,
      actionType: "t",
      payloadJson: '{"user_id": 9007199254740993}',
      resultJson: '{"n": -9223372036854775808, "ok": true}',
    });
    const record = decodeAction(action);
    assert.equal(record.id, 7n);
    assert.equal(record.actionType, "t");
    assert.deepEqual(record.payload, { user_id: 9007199254740993n });
    assert.deepEqual(record.result, { n: -9223372036854775808n, ok: true });
    assert.equal(record.payloadJson, action.payloadJson, "the text stays available");
  });

  it("read an empty result as none and an empty payload as {}", () => {
    const record = decodeAction(create(ActionSchema, { id: 1n }));
    assert.deepEqual(record.payload, {});
    assert.equal(record.result, undefined);
  });

  it("decode an event's payload and keep its opaque cursor", () => {
    const event = create(EventSchema, { id: 3n, cursor: "755.2", payloadJson: '{"reason": "boom", "n": 18446744073709551615}' });
    const record = decodeEvent(event);
    assert.deepEqual(record.payload, { reason: "boom", n: 18446744073709551615n });
    assert.equal(record.cursor, "755.2");
  });
});
