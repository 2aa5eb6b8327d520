import { test } from "node:test";
import assert from "node:assert/strict";
import { KernelCache, KernelUnavailableError, sha256Hex } from "../src/kernel-cache.js";
import { wasmBytes, sha256 } from "./helpers/wasm.js";

const HELLO = wasmBytes("hello");
const HELLO_SHA = sha256(HELLO);

function fakeFetch(routes) {
  const calls = [];
  const fetch = async function (url) {
    // A browser's fetch refuses to be called as a method of anything but the global object.
    if (this !== undefined && this !== globalThis) throw new TypeError("Illegal invocation");
    calls.push(String(url));
    const route = routes[String(url)];
    if (route instanceof Error) throw route;
    if (!route) return new Response("not found", { status: 404, statusText: "Not Found" });
    return new Response(route, { headers: { "content-type": "application/wasm" } });
  };
  return { fetch, calls };
}

test("sha256Hex agrees with node:crypto", async () => {
  assert.equal(await sha256Hex(HELLO), HELLO_SHA);
});

test("fetches GET {server}/api/kernels/{sha256} once, even for concurrent requests", async () => {
  const url = `http://srv:8080/api/kernels/${HELLO_SHA}`;
  const { fetch, calls } = fakeFetch({ [url]: HELLO });
  const cache = new KernelCache({ server: "http://srv:8080", fetch });
  assert.equal(cache.peek(HELLO_SHA), undefined);
  const [a, b] = await Promise.all([cache.get(HELLO_SHA), cache.get(HELLO_SHA)]);
  assert.ok(a instanceof WebAssembly.Module);
  assert.equal(a, b);
  assert.equal(await cache.get(HELLO_SHA), a);
  assert.equal(cache.peek(HELLO_SHA), a);
  assert.deepEqual(calls, [url]);
});

test("bytes that do not match the hash are refused", async () => {
  const other = "0".repeat(64);
  const { fetch } = fakeFetch({ [`http://srv/api/kernels/${other}`]: HELLO });
  const cache = new KernelCache({ server: "http://srv/", fetch });
  await assert.rejects(cache.get(other), (e) => {
    assert.ok(e instanceof KernelUnavailableError);
    assert.equal(e.reason, "kernel-unavailable");
    assert.match(e.message, new RegExp(`have sha256 ${HELLO_SHA}`));
    return true;
  });
  assert.equal(cache.peek(other), undefined);
});

test("HTTP errors, network errors and bytes that do not compile are kernel-unavailable", async () => {
  const junk = new TextEncoder().encode("not wasm");
  const junkSha = sha256(junk);
  const netSha = "1".repeat(64);
  const { fetch, calls } = fakeFetch({
    [`http://srv/api/kernels/${junkSha}`]: junk,
    [`http://srv/api/kernels/${netSha}`]: new TypeError("fetch failed"),
  });
  const cache = new KernelCache({ server: "http://srv", fetch });
  await assert.rejects(cache.get("2".repeat(64)), /404 Not Found/);
  await assert.rejects(cache.get(junkSha), /does not compile/);
  await assert.rejects(cache.get(netSha), /fetch failed/);
  await assert.rejects(cache.get("../../etc/passwd"), /not a sha256/);
  await assert.rejects(cache.get(netSha), KernelUnavailableError);
  assert.equal(calls.filter((c) => c.endsWith(netSha)).length, 2, "failures are not cached");
});

test("a fetch that hangs is given up after timeoutMs", async () => {
  const hang = (url, init) =>
    new Promise((_, reject) =>
      init.signal.addEventListener("abort", () => reject(init.signal.reason)),
    );
  const cache = new KernelCache({ server: "http://srv", fetch: hang, timeoutMs: 50 });
  // AbortSignal.timeout does not keep Node's event loop alive; the volunteer's socket would.
  const keepAlive = setTimeout(() => {}, 5000);
  await assert.rejects(cache.get("3".repeat(64)), (e) => {
    assert.ok(e instanceof KernelUnavailableError);
    assert.match(e.message, /timeout|aborted/i);
    return true;
  });
  clearTimeout(keepAlive);
});
