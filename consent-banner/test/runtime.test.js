import { test } from "node:test";
import assert from "node:assert/strict";
import { createVolunteer, importerSource } from "../src/runtime.js";

const runtime = { createBrowserVolunteer: (options) => ({ options }) };
const base = {
  server: "https://surge.example.edu",
  runtimeUrl: "https://surge.example.edu/surge/runtime/browser/index.js",
  cpu: 25,
  cores: 8,
  getToken: async () => "t",
  onStateChange() {},
  onTaskDone() {},
};

test("on the server's own origin the runtime's own workers are used", () => {
  const { options } = createVolunteer(runtime, {
    ...base,
    pageOrigin: "https://surge.example.edu",
  });
  assert.equal(options.createWorker, undefined);
  assert.equal(options.heartbeatTimer, undefined);
  assert.equal(options.cpu, 25);
  assert.equal(options.maxWorkers, undefined, "the duty cycle alone holds the level");
});

test("from another origin workers and the heartbeat timer start from blob: importers", () => {
  const { options } = createVolunteer(runtime, { ...base, pageOrigin: "https://news.example.org" });
  assert.equal(typeof options.createWorker, "function");
  assert.equal(typeof options.heartbeatTimer, "function");
});

test("the importer only imports the worker script by its absolute URL", () => {
  const url = "https://surge.example.edu/surge/runtime/worker.js";
  assert.equal(importerSource(url), `import "${url}";\n`);
});

test("a runtime without createBrowserVolunteer is an error the caller reports", () => {
  assert.throws(() => createVolunteer({}, { ...base, pageOrigin: "x" }), /createBrowserVolunteer/);
});
