import { test } from "node:test";
import assert from "node:assert/strict";
import { runKernel, PROGRAM_NAME } from "../src/run-kernel.js";
import { wasmModule } from "./helpers/wasm.js";

const text = (bytes) => new TextDecoder().decode(bytes);

test("stdout is captured and proc_exit(3) is an exit with code 3", async () => {
  const run = await runKernel(await wasmModule("hello"), {});
  assert.equal(run.status, "exit");
  assert.equal(run.exitCode, 3);
  assert.equal(text(run.stdout), "hello");
  assert.equal(run.stderr.length, 0);
  assert.ok(run.millis >= 0);
});

test("stdin bytes arrive on fd 0 and a normal return is ok with code 0", async () => {
  const input = new Uint8Array(10_000).map((_, i) => i % 251);
  const run = await runKernel(await wasmModule("echo"), { stdin: input });
  assert.equal(run.status, "ok");
  assert.equal(run.exitCode, 0);
  assert.deepEqual(run.stdout, input);
});

test("empty stdin reads as end of input", async () => {
  const run = await runKernel(await wasmModule("echo"), { stdin: new Uint8Array(0) });
  assert.equal(run.status, "ok");
  assert.equal(run.stdout.length, 0);
});

test("args follow the program name and env is NAME=value", async () => {
  const run = await runKernel(await wasmModule("argv"), {
    args: ["200000", "x y"],
    env: { SURGE_TASK_INDEX: "4", SURGE_TASK_COUNT: "16" },
  });
  assert.equal(run.status, "ok");
  assert.equal(text(run.stdout), [PROGRAM_NAME, "200000", "x y", ""].join("\0"));
  assert.equal(text(run.stderr), "SURGE_TASK_INDEX=4\0SURGE_TASK_COUNT=16\0");
});

test("a trap is status trap, exit code -1, and the trap message follows the stderr so far", async () => {
  const run = await runKernel(await wasmModule("trap"), {});
  assert.equal(run.status, "trap");
  assert.equal(run.exitCode, -1);
  assert.match(text(run.stderr), /^before\nRuntimeError: unreachable/);
});

test("stdout past the cap fails the task and stops the kernel", async () => {
  const run = await runKernel(await wasmModule("spew"), {}, { maxStdoutBytes: 200_000 });
  assert.equal(run.status, "trap");
  assert.equal(run.exitCode, -1);
  assert.equal(run.stdout.length, 0);
  assert.match(text(run.stderr), /stdout exceeded 200000 bytes/);
});

test("stderr keeps only its tail when over its cap", async () => {
  const run = await runKernel(
    await wasmModule("argv"),
    { env: { A: "x".repeat(100) } },
    {
      maxStderrBytes: 10,
    },
  );
  assert.equal(run.status, "ok");
  assert.equal(text(run.stderr), "x".repeat(9) + "\0");
});

test("each run gets a fresh instance: runs do not share state", async () => {
  const module = await wasmModule("hello");
  const runs = await Promise.all([1, 2, 3].map(() => runKernel(module, {})));
  for (const run of runs) assert.equal(text(run.stdout), "hello");
});

test("a module whose imports the shim lacks is reported as a trap, not thrown", async () => {
  const bytes = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 11, 1, 3, 101, 110, 118, 3, 102, 111, 111, 0,
    0,
  ]); // (module (import "env" "foo" (func)))
  const run = await runKernel(await WebAssembly.compile(bytes), {});
  assert.equal(run.status, "trap");
  assert.match(text(run.stderr), /LinkError|TypeError/);
});
