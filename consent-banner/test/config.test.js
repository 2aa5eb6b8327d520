import { test } from "node:test";
import assert from "node:assert/strict";
import {
  readEmbedConfig,
  readPageOptions,
  readProjectInfo,
  format,
  formatDuration,
} from "../src/config.js";

const SRC = "https://surge.example.edu/surge/banner.js";

test("the embed needs a project id of lower-case letters, digits and dashes", () => {
  for (const project of ["wildfire", "covid-19", "a", "x".repeat(64)]) {
    assert.equal(readEmbedConfig({ project, src: SRC }).ok, true, project);
  }
  for (const project of [
    null,
    undefined,
    "",
    "Wildfire",
    "fire fire",
    "x".repeat(65),
    "a/b",
    "é",
  ]) {
    const r = readEmbedConfig({ project, src: SRC });
    assert.equal(r.ok, false, String(project));
    assert.match(r.reason, /data-project/);
  }
});

test("the server defaults to the origin of the script's src", () => {
  assert.deepEqual(readEmbedConfig({ project: "p", src: SRC }), {
    ok: true,
    value: { project: "p", server: "https://surge.example.edu" },
  });
});

test("data-server may carry a path prefix and wins over src", () => {
  const r = readEmbedConfig({ project: "p", server: "http://localhost:8080/hpc/", src: SRC });
  assert.deepEqual(r.value, { project: "p", server: "http://localhost:8080/hpc" });
});

test("a data-server that is not an http(s) URL without credentials is refused", () => {
  for (const server of ["surge.example.edu", "javascript:alert(1)", "ftp://x", "https://u:p@x"]) {
    assert.equal(readEmbedConfig({ project: "p", server, src: SRC }).ok, false, server);
  }
  assert.equal(readEmbedConfig({ project: "p" }).ok, false);
});

test("window.SurgeBanner may replace known strings only", () => {
  assert.deepEqual(readPageOptions(undefined), { ok: true, value: { strings: {} } });
  assert.deepEqual(readPageOptions({ strings: { accept: "Ja" } }).value.strings, { accept: "Ja" });
  for (const bad of [
    "strings",
    42,
    { strings: [] },
    { strings: { accept: 1 } },
    { strings: { acept: "typo" } },
    { colour: "red" },
    { strings: { accept: "x".repeat(2001) } },
  ]) {
    assert.equal(readPageOptions(bad).ok, false, JSON.stringify(bad));
  }
});

const INFO = {
  id: "wildfire",
  centre: "Example HPC Centre",
  name: "Wildfire spread",
  purpose: "forecasts of active wildfires for the fire services.",
  detailsUrl: "https://surge.example.edu/surge/project/wildfire",
  revision: 3,
  cpuLevels: [75, 25, 50],
};
const CONFIG = { project: "wildfire", server: "https://surge.example.edu" };

test("project info is read, levels sorted", () => {
  const r = readProjectInfo(INFO, CONFIG);
  assert.equal(r.ok, true);
  assert.deepEqual(r.value.cpuLevels, [25, 50, 75]);
  assert.equal(r.value.revision, 3);
});

test("project info without detailsUrl or cpuLevels gets the defaults", () => {
  const { detailsUrl, cpuLevels, ...rest } = INFO;
  const r = readProjectInfo(rest, CONFIG);
  assert.equal(r.value.detailsUrl, "https://surge.example.edu/surge/project/wildfire");
  assert.deepEqual(r.value.cpuLevels, [25, 50, 75]);
  assert.equal(detailsUrl && cpuLevels && true, true);
});

test("malformed project info is refused with a reason", () => {
  const cases = [
    null,
    "text",
    { ...INFO, id: "other" },
    { ...INFO, centre: "" },
    { ...INFO, purpose: 5 },
    { ...INFO, revision: 0 },
    { ...INFO, revision: "3" },
    { ...INFO, cpuLevels: [] },
    { ...INFO, cpuLevels: [0, 50] },
    { ...INFO, cpuLevels: [50, 50] },
    { ...INFO, cpuLevels: [10, 20, 30, 40, 50, 60] },
    { ...INFO, detailsUrl: "javascript:alert(1)" },
  ];
  for (const info of cases) {
    const r = readProjectInfo(info, CONFIG);
    assert.equal(r.ok, false, JSON.stringify(info));
    assert.equal(typeof r.reason, "string");
  }
});

test("format fills known placeholders and leaves others", () => {
  assert.equal(format("{a} and {b}", { a: 1 }), "1 and {b}");
  assert.equal(format("<b>{a}</b>", { a: "<i>" }), "<b><i></b>");
});

test("durations read like people say them", () => {
  assert.equal(formatDuration(0), "0 s");
  assert.equal(formatDuration(-5), "0 s");
  assert.equal(formatDuration(40), "< 0.1 s");
  assert.equal(formatDuration(380), "0.4 s");
  assert.equal(formatDuration(9_940), "9.9 s");
  assert.equal(formatDuration(9_960), "10 s");
  assert.equal(formatDuration(44_600), "45 s");
  assert.equal(formatDuration(185_000), "3 min 5 s");
  assert.equal(formatDuration(7_800_000), "2 h 10 min");
});

test("the hand-written types name every string id", async () => {
  const { readFile } = await import("node:fs/promises");
  const { STRINGS } = await import("../src/strings.js");
  const dts = await readFile(new URL("../types/surge-banner.d.ts", import.meta.url), "utf8");
  const block = /type SurgeStringId =([^;]+);/.exec(dts)[1];
  const ids = [...block.matchAll(/"(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(ids.sort(), Object.keys(STRINGS).sort());
});
