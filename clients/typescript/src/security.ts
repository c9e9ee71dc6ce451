/**
 * How a client reaches its server: the address, TLS (a CA file or the
 * default roots, a client certificate for mutual TLS) and the bearer token,
 * from the options or, for what they leave unset, the environment
 * (ACTIONQ_SERVER, ACTIONQ_TOKEN, ACTIONQ_CA_FILE, ACTIONQ_CLIENT_CERT,
 * ACTIONQ_CLIENT_KEY, ACTIONQ_TLS).
 */
import { readFileSync } from "node:fs";
import type { SecureClientSessionOptions } from "node:http2";
import { isIP } from "node:net";

/** The address used when neither the options nor ACTIONQ_SERVER name one. */
export const DEFAULT_ADDRESS = "127.0.0.1:50051";

/** The connection settings of ClientOptions. */
export interface SecurityOptions {
  /** `host:port` or a full `http(s)://` URL; defaults to env ACTIONQ_SERVER, else 127.0.0.1:50051. */
  address?: string;
  /**
   * Use TLS (https) with Node's default roots unless `caFile` is given; default
   * env ACTIONQ_TLS (true, 1, yes, on), else plaintext HTTP/2. `caFile` and
   * `certFile` imply it, and so does an `https://` address.
   */
  tls?: boolean;
  /** PEM file of the roots to trust instead of the default ones; default env ACTIONQ_CA_FILE. */
  caFile?: string;
  /** PEM client certificate for mutual TLS, with `keyFile`; default env ACTIONQ_CLIENT_CERT. */
  certFile?: string;
  /** Its PEM private key; default env ACTIONQ_CLIENT_KEY. */
  keyFile?: string;
  /**
   * Bearer token sent as `authorization: Bearer <token>` on every call;
   * default env ACTIONQ_TOKEN; `""` sends none. Over plaintext it is sent
   * only to a loopback address, unless `insecureToken`.
   */
  token?: string;
  /** Allow a token over plaintext to any address (a trusted private network). */
  insecureToken?: boolean;
}

/** What createActionQueueClient connects with. */
export interface Security {
  /** e.g. `https://queue.internal:50051`. */
  readonly baseUrl: string;
  /** The token to send; undefined for none. */
  readonly token: string | undefined;
  /** Options for Node's http2.connect: the CA, certificate and key read from their files. */
  readonly nodeOptions: SecureClientSessionOptions;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the options against `env` (default process.env) and reads the
 * files. Throws a TypeError for a certificate without its key (or the
 * reverse) and for a token that would travel in plaintext to an address
 * that is not loopback; a file that cannot be read throws its own error.
 */
export function resolveSecurity(options: SecurityOptions = {}, env: Env = process.env): Security {
  const address = options.address ?? (env["ACTIONQ_SERVER"] || DEFAULT_ADDRESS);
  const token = options.token ?? env["ACTIONQ_TOKEN"] ?? "";
  const caFile = options.caFile ?? (env["ACTIONQ_CA_FILE"] || undefined);
  const fromEnv = options.certFile === undefined && options.keyFile === undefined;
  const certFile = fromEnv ? env["ACTIONQ_CLIENT_CERT"] || undefined : options.certFile;
  const keyFile = fromEnv ? env["ACTIONQ_CLIENT_KEY"] || undefined : options.keyFile;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new TypeError("a client certificate and its key go together (certFile and keyFile, or ACTIONQ_CLIENT_CERT and ACTIONQ_CLIENT_KEY)");
  }
  const isUrl = /^https?:\/\//.test(address);
  const tls = isUrl
    ? address.startsWith("https://")
    : (options.tls ?? truthy(env["ACTIONQ_TLS"])) || caFile !== undefined || certFile !== undefined;
  const baseUrl = isUrl ? address.replace(/\/+$/, "") : `${tls ? "https" : "http"}://${address}`;
  if (token && !tls && !options.insecureToken && !isLoopback(new URL(baseUrl).hostname)) {
    throw new TypeError(
      `refusing to send a token in plaintext to ${address}: use TLS (caFile, tls, ACTIONQ_CA_FILE or ACTIONQ_TLS=true), or set insecureToken on a trusted network`,
    );
  }
  const nodeOptions: SecureClientSessionOptions = {};
  if (caFile !== undefined) {
    nodeOptions.ca = readFileSync(caFile);
  }
  if (certFile !== undefined && keyFile !== undefined) {
    nodeOptions.cert = readFileSync(certFile);
    nodeOptions.key = readFileSync(keyFile);
  }
  return { baseUrl, token: token || undefined, nodeOptions };
}

/** ACTIONQ_TLS's reading of a boolean: 1, true, yes or on. */
function truthy(value: string | undefined): boolean {
  return ["1", "true", "yes", "on"].includes((value ?? "").trim().toLowerCase());
}

/** localhost, 127.0.0.0/8 or ::1 (as a URL's hostname: IPv6 in brackets). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost") {
    return true;
  }
  if (isIP(host) === 4) {
    return host.startsWith("127.");
  }
  return isIP(host) === 6 && (host === "::1" || host === "0:0:0:0:0:0:0:1");
}
