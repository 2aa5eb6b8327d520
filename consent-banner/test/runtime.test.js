import { test } from "node:test";
import assert from "node:assert/strict";
import { createVolunteer } from "../src/runtime.js";

const runtime = { create: (options) => ({ options }) };
const base = {
  server: "https://surge.example.edu",
  cpu: 25,
  getToken: async () => "t",
  onStateChange() {},
  onActivity() {},
  onTaskDone() {},
};

test("the runtime gets the level and starts its own workers, on any origin", () => {
  const { options } = createVolunteer(runtime, base);
  assert.equal(options.cpu, 25);
  assert.equal(options.server, "https://surge.example.edu");
  assert.equal(options.maxWorkers, undefined, "the duty cycle alone holds the level");
  assert.equal(
    options.createWorker,
    undefined,
    "worker-runtime's module-worker.js handles origins",
  );
  assert.equal(options.heartbeatTimer, undefined);
  assert.equal(options.onActivity, base.onActivity, "the runtime's manners reach the control");
});

test("a runtime without create() is an error the caller reports", () => {
  assert.throws(() => createVolunteer({}, base), /exports no create\(\)/);
});
