import { test } from "node:test";
import assert from "node:assert/strict";
import { handleMessage } from "../src/worker.js";
import { wasmModule } from "./helpers/wasm.js";

const task = (index, stdin) => ({
  job: "j-1",
  index,
  kernel: "e".repeat(64),
  args: [],
  env: {},
  stdin: btoa(stdin),
});

test("the worker runs the tasks it holds in order and skips one dropped before it started", async () => {
  const module = await wasmModule("echo");
  const replies = [];
  const post = (r) => replies.push(r);
  const running = handleMessage({ id: 1, task: task(0, "first"), module }, post);
  handleMessage({ id: 2, task: task(1, "dropped") }, post);
  handleMessage({ id: 3, task: task(2, "third") }, post);
  handleMessage({ drop: 2 }, post);
  await running;
  assert.deepEqual(
    replies.map((r) => [r.id, atob(r.result.stdout)]),
    [
      [1, "first"],
      [3, "third"],
    ],
  );
});
