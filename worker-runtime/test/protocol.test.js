import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as protocol from "../src/protocol.js";

const protocolDir = fileURLToPath(new URL("../../protocol/", import.meta.url));
const goldenDir = `${protocolDir}golden/`;
const goldenFiles = readdirSync(goldenDir).filter(
  (f) => f.endsWith(".json") && f !== "invalid.json",
);

test("there is a golden message for every message type", () => {
  const types = goldenFiles.map((f) => JSON.parse(readFileSync(goldenDir + f, "utf8")).type);
  assert.deepEqual([...types].sort(), [...protocol.MESSAGE_TYPES].sort());
});

for (const file of goldenFiles) {
  test(`golden ${file} decodes and re-encodes to the same value`, () => {
    const text = readFileSync(goldenDir + file, "utf8");
    const decoded = protocol.decode(text);
    assert.equal(decoded.ok, true, JSON.stringify(decoded));
    assert.deepEqual(JSON.parse(protocol.encode(decoded.message)), JSON.parse(text));
  });
}

const invalid = JSON.parse(readFileSync(goldenDir + "invalid.json", "utf8"));
for (const entry of invalid) {
  test(`invalid frame is refused: ${entry.why}`, () => {
    const decoded = protocol.decode(entry.frame);
    assert.equal(decoded.ok, false);
    assert.equal(decoded.kind, entry.expect);
    if (entry.field !== undefined) assert.equal(decoded.field, entry.field);
    assert.equal(typeof decoded.reason, "string");
  });
}

test("the message table in PROTOCOL.md names the codec's message types and directions", () => {
  const doc = readFileSync(protocolDir + "PROTOCOL.md", "utf8");
  const rows = [
    ...doc.matchAll(/^\| (\w+) \| (volunteer → server|server → volunteer) \| .* \|$/gm),
  ];
  const table = Object.fromEntries(rows.map((m) => [m[1], m[2]]));
  assert.ok(rows.length > 0, "no rows found in the message table");
  assert.deepEqual(Object.keys(table).sort(), [...protocol.MESSAGE_TYPES].sort());
  assert.deepEqual(table, { ...protocol.MESSAGE_DIRECTIONS });
});

test("release reasons and error codes match the lists in PROTOCOL.md", () => {
  const doc = readFileSync(protocolDir + "PROTOCOL.md", "utf8");
  const section = (title) => doc.split(`### ${title}`)[1].split(/\n#/)[0];
  const named = (text) => [...text.matchAll(/^`([a-z-]+)` \(|[,.] `([a-z-]+)` \(/gm)];
  const names = (text) => named(text).map((m) => m[1] ?? m[2]);
  assert.deepEqual(names(section("Release reasons")).sort(), [...protocol.RELEASE_REASONS].sort());
  assert.deepEqual(names(section("Error codes")).sort(), [...protocol.ERROR_CODES].sort());
});

test("constructors build messages that the codec accepts", () => {
  const task = { job: "j-1", index: 3, lease: 9 };
  const run = {
    status: "exit",
    exitCode: 2,
    stdout: new Uint8Array([104, 105]),
    stderr: "",
    millis: 0.5,
  };
  const messages = [
    protocol.hello({ token: "t", agent: "a", workers: 2 }),
    protocol.request(8),
    protocol.heartbeat(0, 1),
    protocol.results([protocol.result(task, run)]),
    protocol.release([{ ...task, kernel: "x" }], "paused"),
  ];
  for (const m of messages) {
    const decoded = protocol.decode(protocol.encode(m));
    assert.equal(decoded.ok, true, `${m.type}: ${decoded.reason}`);
  }
  assert.equal(messages[3].results[0].stdout, "aGk=");
  assert.deepEqual(messages[4].tasks, [task]);
});

test("field checks name nested fields and ranges", () => {
  const cases = [
    ['{"type":"heartbeat","seq":-1,"running":0}', "seq"],
    [
      '{"type":"welcome","session":"s","heartbeatMs":1,"leaseMs":1,"batch":1,"prefetchBelow":-1,"maxMessageBytes":1}',
      "prefetchBelow",
    ],
    [
      '{"type":"tasks","tasks":[{"job":"j","index":0,"lease":1,"kernel":"ABC","args":[],"env":{},"stdin":"","leaseExpires":0}]}',
      "tasks[0].kernel",
    ],
    [
      '{"type":"tasks","tasks":[{"job":"j","index":0,"lease":1,"kernel":"' +
        "a".repeat(64) +
        '","args":[],"env":{"A":1},"stdin":"","leaseExpires":0}]}',
      "tasks[0].env.A",
    ],
    [
      '{"type":"tasks","tasks":[{"job":"j","index":0,"lease":9007199254740992,"kernel":"' +
        "a".repeat(64) +
        '","args":[],"env":{},"stdin":"","leaseExpires":0}]}',
      "tasks[0].lease",
    ],
    ['{"type":"cancel","tasks":[{"job":"j"}],"reason":"r"}', "tasks[0].index"],
    ['{"type":"error","code":"oops","message":"m"}', "code"],
    [
      '{"type":"results","results":[{"job":"j","index":0,"lease":1,"status":"ok","exitCode":0,"stdout":"YQ=","stderr":"","millis":1}]}',
      "results[0].stdout",
    ],
  ];
  for (const [frame, field] of cases) {
    const decoded = protocol.decode(frame);
    assert.equal(decoded.kind, "bad-message", frame);
    assert.equal(decoded.field, field, frame);
  }
});

test("decode never throws on hostile input", () => {
  for (const input of [undefined, null, 42, "", "null", '"x"', "{}", '{"type":null}', "[]"]) {
    const decoded = protocol.decode(input);
    assert.equal(decoded.ok, false);
    assert.equal(decoded.kind, "malformed");
  }
});
