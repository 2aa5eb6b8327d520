// The browser entry's one-volunteer-per-tab bookkeeping (create, start, current, stop) under Node:
// a fake page whose battery reports low keeps every volunteer from opening a socket.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create, current, stop } from "../src/browser/index.js";

function withPage(fn) {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", {
    configurable: true,
    value: { getBattery: async () => ({ charging: false, level: 0.05 }), hardwareConcurrency: 2 },
  });
  return fn().finally(() => {
    if (saved) Object.defineProperty(globalThis, "navigator", saved);
    else delete globalThis.navigator;
  });
}

// No socket may open: one that does fails the test.
class NoSocket {
  constructor() {
    throw new Error("a socket was opened");
  }
}
const options = { server: "http://localhost:9", token: "t", cpu: 25, WebSocket: NoSocket };

test("create() makes the tab's volunteer at once, and it is current until it stops", () =>
  withPage(async () => {
    const first = create(options);
    assert.equal(current(), first, "current before start() resolves, so a caller can stop it");
    assert.equal(first.activity, "idle");
    const second = create(options);
    assert.equal(current(), second);
    assert.equal(first.activity, "stopped", "a second volunteer stops the first");
    assert.equal(await second.start(), "blocked", "a low battery keeps it from starting");
    await second.stop();
    assert.equal(current(), null, "a volunteer stopped by its holder is no longer current");
  }));

test("stop() stops the current volunteer and clears it; a stop during the checks wins", () =>
  withPage(async () => {
    const v = create(options);
    const starting = v.start();
    await stop();
    assert.equal(current(), null);
    assert.equal(await starting, "stopped");
    assert.equal(v.activity, "stopped");
  }));
