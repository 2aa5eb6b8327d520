// bench/throughput.sh --setups: its option checks and its table (quick, in deploy/test.sh). One
// real run of h2, pg1 and pg2 is bench/test-slow/throughput-setups.test.mjs (four Payara boots,
// 5-6 minutes on this 2-core machine: `node --test bench/test-slow/`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const bench = dirname(dirname(fileURLToPath(import.meta.url)));
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: "utf8", ...opts });

/** The table's rows by label (the first of equal labels): the cells, split on the padding. */
function tableRows(stdout) {
  const rows = {};
  for (const line of stdout.split("\n").slice(1)) {
    const [label, ...cells] = line.trim().split(/\s{2,}/);
    rows[label] ??= cells;
  }
  return rows;
}

test("--setups refuses names it does not know and options it does not go with", () => {
  const bad = run(join(bench, "throughput.sh"), ["--setups", "h2,mysql"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--setups: a comma-separated list of h2 and pgN/);
  const db = run(join(bench, "throughput.sh"), ["--setups", "h2,pg1", "--db", "postgres"]);
  assert.equal(db.status, 2);
  assert.match(db.stderr, /does not go with --db/);
});

test("the table has a column per setup and ratios to the first", () => {
  const summary = (x) => ({ median: x, min: x, max: x });
  const setup = (name, instances, rate, pg) => ({
    name,
    db: pg ? "postgres" : "h2",
    instances,
    figures: {
      tasksPerSecServer: summary(rate),
      serverCpuSecPer1kTasks: summary(0.4 * instances),
      allCpuSecPer1kTasks: summary(1),
      claimsPerSec: pg ? summary(rate) : null,
    },
  });
  const file = join(mkdtempSync(join(tmpdir(), "setups-test-")), "r.json");
  writeFileSync(
    file,
    JSON.stringify({
      config: { volunteers: 2, workers: 1 },
      runs: 1,
      tasks: 100,
      loadAtStart: [1, 1, 1],
      loadAtEnd: [1, 1, 1],
      setups: [
        setup("h2", 1, 2000, false),
        setup("pg1", 1, 1500, true),
        setup("pg2", 2, 1000, true),
      ],
    }),
  );
  const out = run("node", [join(bench, "throughput-setups.mjs"), "--print", file]);
  assert.equal(out.status, 0, out.stderr);
  const rows = tableRows(out.stdout);
  assert.deepEqual(rows["median [min..max]"], [
    "h2 (1 inst., h2)",
    "pg1 (1 inst., postgres)",
    "pg2 (2 inst., postgres)",
  ]);
  assert.deepEqual(rows["tasks/s (createdAt -> finishedAt)"], [
    "2,000 [2,000..2,000]",
    "1,500 [1,500..1,500]",
    "1,000 [1,000..1,000]",
  ]);
  assert.deepEqual(rows["ratio to h2 (medians)"], ["1", "0.75", "0.5"]);
  assert.equal(rows["claims / s (task_claims rows claimed)"][0], "-");
});
