// Builds dist/banner.js (one self-contained classic script, minified) and dist/banner.css (the
// same stylesheet, for browsers without adoptedStyleSheets).

import { build, transform } from "esbuild";
import { mkdir, readFile, writeFile } from "node:fs/promises";

const root = new URL("../", import.meta.url);
await mkdir(new URL("dist/", root), { recursive: true });

await build({
  entryPoints: [new URL("src/embed.js", root).pathname],
  outfile: new URL("dist/banner.js", root).pathname,
  bundle: true,
  format: "iife",
  // Classic script, so document.currentScript works; dynamic import() still loads the runtime.
  target: ["chrome100", "firefox100", "safari15.4"],
  minify: true,
  legalComments: "none",
  loader: { ".css": "text" },
  logLevel: "warning",
});

const css = await readFile(new URL("src/banner.css", root), "utf8");
const { code } = await transform(css, { loader: "css", minify: true });
await writeFile(new URL("dist/banner.css", root), code);
