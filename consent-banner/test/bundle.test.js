// Checks dist/banner.js as served (npm test builds it first).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";

const bundle = await readFile(new URL("../dist/banner.js", import.meta.url), "utf8");
const css = await readFile(new URL("../dist/banner.css", import.meta.url), "utf8");

test("the bundle is under 10 KB gzipped", () => {
  const size = gzipSync(bundle, { level: 9 }).length;
  assert.ok(size < 10 * 1024, `${size} bytes gzipped`);
});

test("the bundle needs neither unsafe-eval nor unsafe-inline", () => {
  for (const [pattern, why] of [
    [/\beval\s*\(/, "eval"],
    [/new\s+Function\s*\(/, "new Function"],
    [/setTimeout\(\s*["'`]/, "string timer"],
    [/innerHTML|outerHTML|insertAdjacentHTML|document\.write/, "HTML parsing"],
    [/createElement\(\s*["'`]style/, "<style> element"],
    [/["'`]style["'`]/, "a style attribute"],
    [/style\s*=/, "an inline style"],
    [/\.style\./, "element.style"],
    [/\.cssText/, "cssText"],
  ]) {
    assert.doesNotMatch(bundle, pattern, why);
  }
});

test("the bundle is one file: no static imports, only the runtime's dynamic one", () => {
  assert.doesNotMatch(bundle, /^\s*import\s/m);
  assert.doesNotMatch(bundle, /require\(/);
  assert.equal(bundle.match(/\bimport\(/g)?.length, 1);
});

test("the bundle opens no socket of its own", () => {
  assert.doesNotMatch(bundle, /WebSocket/);
});

test("banner.css is written beside it and the bundle carries the same rules", () => {
  assert.match(css, /prefers-reduced-motion/);
  assert.match(bundle, /prefers-reduced-motion/);
});
