// How many trivial tasks a second one Node process runs through pool.js: a no-op WASI kernel on
// worker threads, with a bounded number of tasks in flight as the volunteer would hold.
// usage: node bench/pool-throughput.js [tasks=20000] [workers=2] [inFlight=64]

import { Pool } from "../src/pool.js";
import { createNodeWorker } from "../src/node/worker-factory.js";
import { wasmModule } from "../test/helpers/wasm.js";

const [tasks = 20000, workers = 2, inFlight = 64] = process.argv.slice(2).map(Number);
const pool = new Pool({ createWorker: createNodeWorker, workers });
const module = await wasmModule("noop");
const task = (i) => ({
  job: "j-bench",
  index: i,
  lease: i,
  kernel: "0".repeat(64),
  args: ["1"],
  env: { SURGE_TASK_INDEX: String(i), SURGE_TASK_COUNT: String(tasks) },
  stdin: "",
});

// Warm-up: start every worker and hand it the module before the clock starts.
await Promise.all(Array.from({ length: workers * 2 }, (_, i) => pool.run(task(i), module)));

let next = 0;
let done = 0;
const started = performance.now();
await new Promise((resolve) => {
  const feed = () => {
    while (next < tasks && next - done < inFlight) {
      pool.run(task(next++), module).then((outcome) => {
        if (outcome.outcome !== "done") throw new Error(`task ended ${outcome.outcome}`);
        if (++done === tasks) resolve();
        else feed();
      });
    }
  };
  feed();
});
const seconds = (performance.now() - started) / 1000;
console.log(
  `pool: ${tasks} no-op tasks on ${workers} workers in ${seconds.toFixed(2)} s: ` +
    `${Math.round(tasks / seconds)} tasks/s`,
);
pool.stopAll();
