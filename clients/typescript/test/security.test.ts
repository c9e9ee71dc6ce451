/**
 * Unit tests of the connection settings: options over environment variables,
 * TLS switched on by a flag, a file or an https URL, and the refusal to send
 * a token in plaintext off loopback.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

import { DEFAULT_ADDRESS, createActionQueueClient, isLoopback, resolveSecurity } from "@actionq/client";

const folder = mkdtempSync(join(tmpdir(), "actionq-security-"));
function pem(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}
const ca = pem("ca.pem", "CA");
const cert = pem("client.pem", "CERT");
const key = pem("client.key", "KEY");

describe("resolveSecurity", () => {
  it("connects in plaintext to the default address without a token when nothing is set", () => {
    const s = resolveSecurity({}, {});
    assert.equal(s.baseUrl, `http://${DEFAULT_ADDRESS}`);
    assert.equal(s.token, undefined);
    assert.deepEqual(s.nodeOptions, {});
  });

  it("reads the environment for what the options leave unset", () => {
    const s = resolveSecurity(
      {},
      {
        ACTIONQ_SERVER: "queue.internal:50051",
        ACTIONQ_TOKEN: "aq_env",
        ACTIONQ_CA_FILE: ca,
        ACTIONQ_CLIENT_CERT: cert,
        ACTIONQ_CLIENT_KEY: key,
      },
    );
    assert.equal(s.baseUrl, "https://queue.internal:50051");
    assert.equal(s.token, "aq_env");
    assert.equal(String(s.nodeOptions.ca), "CA");
    assert.equal(String(s.nodeOptions.cert), "CERT");
    assert.equal(String(s.nodeOptions.key), "KEY");
  });

  it("prefers the options, and sends no token for an empty one", () => {
    const env = { ACTIONQ_TOKEN: "aq_env", ACTIONQ_CLIENT_CERT: cert, ACTIONQ_CLIENT_KEY: key, ACTIONQ_TLS: "true" };
    assert.equal(resolveSecurity({ token: "aq_option" }, env).token, "aq_option");
    assert.equal(resolveSecurity({ token: "" }, env).token, undefined);
    assert.equal(resolveSecurity({ tls: false }, env).baseUrl.startsWith("https://"), true); // the certificate implies TLS
    assert.equal(resolveSecurity({ tls: false, certFile: undefined, keyFile: undefined }, { ACTIONQ_TLS: "true" }).baseUrl.startsWith("http://"), true);
  });

  it("turns TLS on with ACTIONQ_TLS, tls, a CA file or an https URL", () => {
    for (const value of ["true", "1", "yes", "ON"]) {
      assert.equal(resolveSecurity({}, { ACTIONQ_TLS: value }).baseUrl, `https://${DEFAULT_ADDRESS}`, value);
    }
    assert.equal(resolveSecurity({}, { ACTIONQ_TLS: "false" }).baseUrl, `http://${DEFAULT_ADDRESS}`);
    assert.equal(resolveSecurity({ tls: true }, {}).baseUrl, `https://${DEFAULT_ADDRESS}`);
    assert.equal(resolveSecurity({ caFile: ca }, {}).baseUrl, `https://${DEFAULT_ADDRESS}`);
    assert.equal(resolveSecurity({ address: "https://q.example:443/" }, {}).baseUrl, "https://q.example:443");
    assert.equal(resolveSecurity({ address: "http://127.0.0.1:1", tls: true }, {}).baseUrl, "http://127.0.0.1:1");
  });

  it("refuses a certificate without its key, and a file it cannot read", () => {
    assert.throws(() => resolveSecurity({ certFile: cert }, {}), /go together/);
    assert.throws(() => resolveSecurity({}, { ACTIONQ_CLIENT_KEY: key }), /go together/);
    assert.throws(() => resolveSecurity({ caFile: join(folder, "missing.pem") }, {}), /ENOENT/);
  });

  it("sends a token in plaintext only to loopback, unless insecureToken", () => {
    for (const address of ["127.0.0.1:50051", "localhost:1", "[::1]:50051", "http://127.0.0.2:9"]) {
      assert.equal(resolveSecurity({ address, token: "aq_x" }, {}).token, "aq_x", address);
    }
    assert.throws(() => resolveSecurity({ address: "queue.internal:50051", token: "aq_x" }, {}), /plaintext/);
    assert.throws(() => resolveSecurity({}, { ACTIONQ_SERVER: "10.0.0.5:50051", ACTIONQ_TOKEN: "aq_x" }), /plaintext/);
    assert.throws(() => createActionQueueClient({ address: "queue.internal:50051", token: "aq_x" }), /plaintext/);
    assert.equal(resolveSecurity({ address: "queue.internal:50051", token: "aq_x", insecureToken: true }, {}).token, "aq_x");
    assert.equal(resolveSecurity({ address: "queue.internal:50051", token: "aq_x", tls: true }, {}).token, "aq_x");
  });

  it("knows loopback hosts", () => {
    assert.deepEqual(
      ["localhost", "127.0.0.1", "127.9.9.9", "[::1]", "::1", "10.0.0.1", "queue.internal", "[::2]", "128.0.0.1"].map(isLoopback),
      [true, true, true, true, true, false, false, false, false],
    );
  });
});
