// V8 compiles WebAssembly first with its baseline compiler (Liftoff) and moves a function to
// optimised code (TurboFan) only between calls: a kernel whose work is one long loop runs its
// whole first task in baseline code, about 6x slower (docs/benchmarks/speed.md). A headless
// volunteer runs many tasks for a long time, so it compiles every kernel optimised up front: the
// compile takes longer once (tens of ms for the sample kernels) and the first task runs at full
// speed. A browser page cannot set V8 flags; there the kernel's loop structure helps (README.md).

import v8 from "node:v8";

let applied = false;

/**
 * Makes V8 compile every WebAssembly module of this process with its optimising compiler, eagerly
 * (no baseline tier, no lazy compilation). Affects modules compiled afterwards; idempotent.
 */
export function compileWasmOptimised() {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString("--no-liftoff");
  v8.setFlagsFromString("--no-wasm-lazy-compilation");
}
