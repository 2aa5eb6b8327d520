// End to end in one process: a Volunteer (WebSocket, batching, pool) against the test's fake
// server, which answers every request at once with no-op tasks. The server shares the process,
// so this is a lower bound for the volunteer's own overhead.
// usage: node bench/volunteer-throughput.js [tasks=20000] [batch=16] [prefetchBelow=0] [workers=2]

import { createNodeVolunteer } from "../src/node/index.js";
import { startFakeServer, makeTask } from "../test/helpers/fake-server.js";
import { wasmBytes, sha256 } from "../test/helpers/wasm.js";

const [tasks = 20000, batch = 16, prefetchBelow = 0, workers = 2] = process.argv
  .slice(2)
  .map(Number);
const noop = wasmBytes("noop");
const kernel = sha256(noop);

let handedOut = 0;
let results = 0;
let resultMessages = 0;
let started = 0;
let finish;
const finished = new Promise((resolve) => (finish = resolve));
const server = await startFakeServer({
  kernels: { [kernel]: noop },
  welcome: { batch, prefetchBelow },
  onMessage: (message, conn) => {
    if (message.type === "request") {
      started ||= performance.now();
      const n = Math.min(message.count, tasks - handedOut);
      const list = Array.from({ length: n }, () => makeTask(kernel, handedOut++));
      if (n > 0) conn.ws.send(JSON.stringify({ type: "tasks", tasks: list }));
    } else if (message.type === "results") {
      resultMessages++;
      results += message.results.length;
      if (results >= tasks) finish();
    }
  },
});
const volunteer = createNodeVolunteer({ server: server.url, workers, getToken: () => "token" });
volunteer.start();
await finished;
const seconds = (performance.now() - started) / 1000;
console.log(
  `volunteer: ${tasks} no-op tasks, ${workers} workers, batch ${batch}, prefetchBelow ` +
    `${prefetchBelow}: ${seconds.toFixed(2)} s, ${Math.round(tasks / seconds)} tasks/s, ` +
    `${(tasks / resultMessages).toFixed(1)} results per message, ` +
    `${server.sent("request").length} requests`,
);
await volunteer.stop();
await server.close();
