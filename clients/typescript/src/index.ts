/**
 * actionq client for TypeScript: the generated actionq.v1 messages and
 * service descriptor, a client constructor and a worker helper.
 */
export {
  DEFAULT_ADDRESS,
  DEFAULT_CLAIM_MARGIN_MS,
  DEFAULT_TIMEOUT_MS,
  createActionQueueClient,
  duration,
} from "./client.js";
export type { ActionQueueClient, ClientOptions } from "./client.js";
export { Worker } from "./worker.js";
export type { Handler, HandlerContext, HandlerResult, WorkerClient, WorkerOptions } from "./worker.js";
export * from "./gen/actionq/v1/action_pb.js";
export * from "./gen/actionq/v1/service_pb.js";
export { Code, ConnectError } from "@connectrpc/connect";
