// Node adapter for src/worker.js: worker_threads instead of a Web Worker's onmessage/postMessage.

import { parentPort } from "node:worker_threads";
import { handleMessage } from "../worker.js";

parentPort.on("message", (message) =>
  handleMessage(message, (reply) => parentPort.postMessage(reply)),
);
