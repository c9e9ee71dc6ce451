/**
 * Typed errors: every error status from an actionq server carries a
 * google.rpc.ErrorInfo (domain "actionq.dev") whose `reason` is an
 * ErrorReason name, plus google.rpc.BadRequest for INVALID_ARGUMENT and
 * google.rpc.RetryInfo for RESOURCE_EXHAUSTED. ActionqError exposes them so
 * that callers branch on `reason`, never on message text.
 */
import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";

import { ErrorReason } from "./gen/actionq/v1/errors_pb.js";
import type { ItemFailure } from "./gen/actionq/v1/service_pb.js";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "./gen/google/rpc/error_details_pb.js";

/** The ErrorInfo domain of actionq's errors. */
export const ERROR_DOMAIN = "actionq.dev";

/** One field that a request got wrong, from google.rpc.BadRequest. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/**
 * An error answered by an actionq server (or by the transport on the way
 * there), with the server's ErrorInfo decoded.
 *
 * It is a ConnectError: `code` is the gRPC status code, `rawMessage` the
 * server's message (`message` adds the code in brackets), `metadata` the
 * response trailers. Its `name` stays "ConnectError" because Connect
 * recognizes its errors by name; test for this class with `instanceof
 * ActionqError`.
 *
 * A status without actionq's ErrorInfo (no server listening, a proxy's
 * answer) has `reason` ErrorReason.UNSPECIFIED and `reasonName` "". A reason
 * newer than this client has `reason` UNSPECIFIED and its name in
 * `reasonName`: branch on `code` then.
 */
export class ActionqError extends ConnectError {
  /** The reason as the generated enum; UNSPECIFIED when absent or unknown to this client. */
  readonly reason: ErrorReason;
  /** The reason exactly as the server sent it, e.g. "STALE_LEASE"; "" when none. */
  readonly reasonName: string;
  /** The request field at fault (ErrorInfo metadata "field", else the first BadRequest violation). */
  readonly field: string | undefined;
  /**
   * ErrorInfo.metadata, e.g. `{ field: "actions[0].action_type" }` or
   * `{ action_id: "42" }`. (ConnectError's own `metadata` holds the trailers.)
   */
  readonly errorMetadata: Readonly<Record<string, string>>;
  /** Every field violation of google.rpc.BadRequest (INVALID_ARGUMENT). */
  readonly fieldViolations: readonly FieldViolation[];
  /** How long to wait before retrying, from google.rpc.RetryInfo (RESOURCE_EXHAUSTED). */
  readonly retryDelayMs: number | undefined;

  /** Decodes the details of `error`; use ActionqError.from for any caught value. */
  constructor(error: ConnectError) {
    super(error.rawMessage, error.code, error.metadata, undefined, error.cause);
    this.details = error.details;
    const info = this.findDetails(ErrorInfoSchema).find((item) => item.domain === ERROR_DOMAIN);
    this.reasonName = info?.reason ?? "";
    this.reason = reasonOf(this.reasonName);
    this.errorMetadata = { ...info?.metadata };
    this.fieldViolations = this.findDetails(BadRequestSchema).flatMap((request) =>
      request.fieldViolations.map(({ field, description }) => ({ field, description })),
    );
    this.field = this.errorMetadata["field"] ?? this.fieldViolations[0]?.field;
    const retryDelay = this.findDetails(RetryInfoSchema)[0]?.retryDelay;
    this.retryDelayMs = retryDelay ? durationMs(retryDelay) : undefined;
  }

  /** Converts any caught value (an ActionqError is returned as it is). */
  static override from(error: unknown, code: Code = Code.Unknown): ActionqError {
    if (error instanceof ActionqError) {
      return error;
    }
    return new ActionqError(ConnectError.from(error, code));
  }

  /** The error CompleteMany reported for one refused item, as Complete would have thrown it. */
  static fromItemFailure(failure: ItemFailure): ActionqError {
    const info = {
      domain: ERROR_DOMAIN,
      reason: failure.reason,
      metadata: { action_id: failure.id.toString() },
    };
    return new ActionqError(
      new ConnectError(failure.message, codeFromName(failure.code), undefined, [{ desc: ErrorInfoSchema, value: info }]),
    );
  }

  /** A plain prototype check: ConnectError's own check would accept every ConnectError. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * What `client.wait` throws when its timeout passed before every action
 * finished: DEADLINE_EXCEEDED with reason WAIT_TIMEOUT. The actions go on;
 * wait again to keep waiting.
 */
export class WaitTimeoutError extends ActionqError {}

/**
 * True when `error` carries actionq's ErrorInfo with this reason, e.g.
 * `hasReason(err, ErrorReason.STALE_LEASE)`. Any ConnectError is read, also
 * one from a plain Connect client over the generated service.
 */
export function hasReason(error: unknown, reason: ErrorReason): boolean {
  return error instanceof ConnectError && ActionqError.from(error).reason === reason;
}

function reasonOf(name: string): ErrorReason {
  const value = (ErrorReason as unknown as Record<string, unknown>)[name];
  return typeof value === "number" ? (value as ErrorReason) : ErrorReason.UNSPECIFIED;
}

/** gRPC status code names ("FAILED_PRECONDITION", as ItemFailure.code carries them) to Connect codes. */
const CODES_BY_NAME = new Map<string, Code>(
  Object.values(Code)
    .filter((code): code is Code => typeof code === "number")
    .map((code): [string, Code] => [codeName(code), code]),
);

/** The gRPC name of a status code, e.g. "FAILED_PRECONDITION" (Connect says "failed_precondition"). */
export function codeName(code: Code): string {
  if (code === Code.Canceled) {
    return "CANCELLED";
  }
  return Code[code].replace(/(?<=[a-z])(?=[A-Z])/g, "_").toUpperCase();
}

function codeFromName(name: string): Code {
  return CODES_BY_NAME.get(name) ?? Code.Unknown;
}
