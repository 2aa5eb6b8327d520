import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { wasmBytes } from "./helpers/wasm.js";

const NODE_INDEX = fileURLToPath(new URL("../src/node/index.js", import.meta.url));

// In a child process (V8 flags are per process): make a Node volunteer, compile a kernel as the
// kernel cache does, and ask V8 (natives syntax) in which tier its exported function is.
function tierAfterCreate(volunteerOptions) {
  const script = `
    const { createNodeVolunteer } = await import(${JSON.stringify(NODE_INDEX)});
    createNodeVolunteer({ server: "http://127.0.0.1:9", key: "k", ...${JSON.stringify(volunteerOptions)} });
    const bytes = Buffer.from(${JSON.stringify(Buffer.from(wasmBytes("loop")).toString("base64"))}, "base64");
    const module = await WebAssembly.compile(bytes);
    const imports = { wasi_snapshot_preview1: new Proxy({}, { get: () => () => 0 }) };
    const { exports } = await WebAssembly.instantiate(module, imports);
    const liftoff = new Function("f", "return %IsLiftoffFunction(f)");
    const uncompiled = new Function("f", "return %IsUncompiledWasmFunction(f)");
    console.log(JSON.stringify({ liftoff: liftoff(exports._start), uncompiled: uncompiled(exports._start) }));
  `;
  const out = execFileSync(
    process.execPath,
    ["--allow-natives-syntax", "--input-type=module", "-e", script],
    { encoding: "utf8" },
  );
  return JSON.parse(out);
}

test("a Node volunteer compiles kernels straight to optimised code", () => {
  assert.deepEqual(tierAfterCreate({}), { liftoff: false, uncompiled: false });
});

test("optimisedWasm: false leaves V8's baseline-first, lazy compilation alone", () => {
  assert.deepEqual(tierAfterCreate({ optimisedWasm: false }), { liftoff: false, uncompiled: true });
});
