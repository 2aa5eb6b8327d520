// One real run of bench/throughput.sh --setups h2,pg1,pg2 with small task counts: four Payara
// boots, 5-6 minutes on this 2-core machine, so it is not in deploy/test.sh (which runs the quick
// checks of bench/test/throughput-setups.test.mjs). Run it with `node --test bench/test-slow/`.
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

test(
  "one real run measures h2, pg1 and pg2 with nonzero throughput",
  () => {
    const out = run(
      join(bench, "throughput.sh"),
      ["--setups", "h2,pg1,pg2", "--tasks", "500", "--runs", "1", "--warmup-tasks", "500"].concat([
        "--warmup-max-jobs",
        "2",
        "--label",
        "setups-test",
      ]),
      { timeout: 15 * 60_000 },
    );
    assert.equal(out.status, 0, out.stderr.slice(-3000));
    const rows = tableRows(out.stdout);
    assert.equal(rows["median [min..max]"].length, 3);
    const rates = rows["tasks/s (createdAt -> finishedAt)"].map((c) =>
      Number(c.split(" ")[0].replace(/,/g, "")),
    );
    assert.equal(rates.length, 3);
    for (const r of rates) assert.ok(r > 0, `tasks/s ${rates}`);
    const claims = rows["claims / s (task_claims rows claimed)"];
    assert.equal(claims[0], "-");
    for (const c of claims.slice(1)) assert.ok(Number(c.split(" ")[0].replace(/,/g, "")) > 0);
  },
);
