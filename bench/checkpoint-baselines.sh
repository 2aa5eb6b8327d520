#!/usr/bin/env bash
# Builds the sample kernels as they were before surge_run (commit da3fbe7) into DIR (default
# /tmp/surge-baseline), for `node bench/checkpoint.mjs first-warm --baseline montecarlo=DIR/montecarlo.wasm`.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
dir="${1:-/tmp/surge-baseline}"
mkdir -p "$dir"
for f in montecarlo.c mandelbrot.c surge.h; do git -C "$repo" show "da3fbe7:examples/kernels/$f" >"$dir/$f"; done
for k in montecarlo mandelbrot; do
  clang --target=wasm32-wasi -O2 -ffp-contract=off -std=c11 -s -o "$dir/$k.wasm" "$dir/$k.c"
done
echo "$dir/montecarlo.wasm $dir/mandelbrot.wasm"
