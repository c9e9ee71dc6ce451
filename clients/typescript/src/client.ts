import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { Duration } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import type { Client, Interceptor, Transport } from "@connectrpc/connect";
import { Http2SessionManager, createGrpcTransport } from "@connectrpc/connect-node";

import { ActionQueueService } from "./gen/actionq/v1/service_pb.js";

/** The address used when neither the options nor ACTIONQ_SERVER name one. */
export const DEFAULT_ADDRESS = "127.0.0.1:50051";
/** Deadline of every unary call that does not set its own timeoutMs. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Extra time a Claim deadline gets on top of the Claim's wait. */
export const DEFAULT_CLAIM_MARGIN_MS = 10_000;

/** How to reach an actionq server. Every field is optional. */
export interface ClientOptions {
  /** `host:port` or a full `http(s)://` URL; defaults to env ACTIONQ_SERVER, else 127.0.0.1:50051. */
  address?: string;
  /** Use TLS (https); default false, i.e. plaintext HTTP/2. Ignored when address is a URL. */
  tls?: boolean;
  /** Bearer token sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** Deadline of unary calls without their own timeoutMs; default 10 s. `<= 0` disables it. */
  timeoutMs?: number;
  /** Claim deadline = the Claim's wait + this margin; default 10 s. */
  claimMarginMs?: number;
  /** Extra interceptors, run after the auth interceptor. */
  interceptors?: Interceptor[];
}

/**
 * A connected actionq client: one method per RPC of ActionQueueService in
 * camelCase (`enqueue`, `claim`, `heartbeat`, `watchEvents`, …), each taking
 * the request and optional CallOptions (`timeoutMs`, `signal`, `headers`).
 */
export type ActionQueueClient = Client<typeof ActionQueueService> & {
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
  const baseUrl = toBaseUrl(
    options.address ?? (process.env["ACTIONQ_SERVER"] || DEFAULT_ADDRESS),
    options.tls ?? false,
  );
  const interceptors: Interceptor[] = [];
  if (options.token) {
    interceptors.push(bearerAuth(options.token));
  }
  interceptors.push(...(options.interceptors ?? []));

  const sessionManager = new Http2SessionManager(baseUrl);
  const transport = withDefaultDeadlines(
    createGrpcTransport({ baseUrl, interceptors, sessionManager }),
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    options.claimMarginMs ?? DEFAULT_CLAIM_MARGIN_MS,
  );
  return Object.assign(createClient(ActionQueueService, transport), {
    baseUrl,
    close: () => sessionManager.abort(),
  });
}

/** Converts milliseconds to a google.protobuf.Duration (for `lease`, `wait`, `delay`, …). */
export function duration(ms: number): Duration {
  return durationFromMs(ms);
}

function toBaseUrl(address: string, tls: boolean): string {
  if (/^https?:\/\//.test(address)) {
    return address.replace(/\/+$/, "");
  }
  return `${tls ? "https" : "http"}://${address}`;
}

function bearerAuth(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}

/**
 * Gives unary calls that set no timeoutMs a default deadline; Claim's is its
 * wait plus a margin. Streaming calls keep whatever the caller passed.
 */
function withDefaultDeadlines(inner: Transport, timeoutMs: number, claimMarginMs: number): Transport {
  return {
    unary: (method, signal, callTimeoutMs, header, input, contextValues) => {
      let effective = callTimeoutMs;
      if (effective === undefined) {
        effective = timeoutMs;
        if (method.parent.typeName === ActionQueueService.typeName && method.name === "Claim") {
          effective = Math.max(timeoutMs, waitMs(input) + claimMarginMs);
        }
      }
      return inner.unary(method, signal, effective, header, input, contextValues);
    },
    stream: (method, signal, callTimeoutMs, header, input, contextValues) =>
      inner.stream(method, signal, callTimeoutMs, header, input, contextValues),
  };
}

function waitMs(input: unknown): number {
  const wait = (input as { wait?: { seconds?: bigint | number; nanos?: number } }).wait;
  if (!wait) {
    return 0;
  }
  return Number(wait.seconds ?? 0) * 1000 + Math.ceil((wait.nanos ?? 0) / 1_000_000);
}
