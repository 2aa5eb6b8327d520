import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// A browser loads these files as they are, with no bundler: every import must be a relative path
// to a file that exists, and nothing may come from Node (node:*, ws, Buffer-only code paths).
const ENTRIES = ["../src/browser/index.js", "../src/worker.js"].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);
// Static imports and re-exports (also minified: `import*as x from"./y.js"`), bare and dynamic imports.
const IMPORT =
  /\b(?:import|export)\b[^"';()]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']/g;

function importGraph(entries) {
  const seen = new Map(); // file → specifiers
  const stack = [...entries];
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    const specifiers = [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
    seen.set(file, specifiers);
    for (const s of specifiers) {
      if (s.startsWith("./") || s.startsWith("../")) stack.push(resolve(dirname(file), s));
    }
  }
  return seen;
}

test("the browser entry and the worker import only relative paths that exist", () => {
  const graph = importGraph(ENTRIES);
  assert.ok(graph.size >= 10, `only ${graph.size} files found: is the import pattern right?`);
  for (const [file, specifiers] of graph) {
    assert.ok(existsSync(file), `${file} is imported but missing`);
    for (const s of specifiers) {
      assert.match(s, /^\.\.?\//, `${file} imports '${s}', which a browser cannot resolve`);
    }
  }
  const files = [...graph.keys()].map((f) => f.replaceAll("\\", "/"));
  assert.ok(!files.some((f) => f.includes("/src/node/")), "browser code reaches src/node/");
  assert.ok(files.some((f) => f.endsWith("browser_wasi_shim/dist/index.js")));
  assert.ok(
    files.some((f) => f.endsWith("browser_wasi_shim/dist/wasi_defs.js")),
    "shim internals",
  );
});
