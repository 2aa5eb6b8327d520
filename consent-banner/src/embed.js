// The entry of dist/banner.js: <script src="https://SERVER/surge/banner.js" data-project="…" defer>.
// It only wires the page's globals into runBanner (src/controller.js).

import cssText from "./banner.css";
import { runBanner } from "./controller.js";

const warn = (m) => globalThis.console?.warn?.(`Surge banner: ${m}`);
const LOADED = Symbol.for("surge.banner");

/**
 * Finds the embed's own <script>. `defer` keeps document.currentScript set for classic scripts;
 * the query covers a script injected by another script.
 * @param {Document} doc
 */
export function findScript(doc) {
  return doc.currentScript ?? doc.querySelector('script[data-project][src*="banner.js"]');
}

// Only in a browser page (a bundle loaded elsewhere stays inert).
if (globalThis.document?.createElement) {
  if (globalThis[LOADED]) {
    warn("the banner is embedded twice; the second is ignored");
  } else {
    globalThis[LOADED] = true;
    // Read before the first await: document.currentScript is only set while the script runs.
    const script = findScript(globalThis.document);
    runBanner({
      script,
      doc: globalThis.document,
      win: globalThis,
      fetch: (...args) => globalThis.fetch(...args),
      importModule: (url) => import(url),
      cssText,
      warn,
    }).catch((e) => warn(`stopped: ${e?.message ?? e}`));
  }
}
