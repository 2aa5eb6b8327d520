// Builds the test kernels from test/fixtures/*.wat with wabt's wat2wasm, once per process.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));
const built = new Map();

/** The bytes of test/fixtures/NAME.wat compiled to WebAssembly. */
export function wasmBytes(name) {
  if (!built.has(name)) {
    const dir = mkdtempSync(join(tmpdir(), "surge-wat-"));
    try {
      const out = join(dir, `${name}.wasm`);
      execFileSync("wat2wasm", [join(fixtures, `${name}.wat`), "-o", out]);
      built.set(name, new Uint8Array(readFileSync(out)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return built.get(name);
}

/** The compiled module of a fixture. */
export const wasmModule = (name) => WebAssembly.compile(wasmBytes(name));

/** Lower-case hex sha256 of bytes. */
export const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
