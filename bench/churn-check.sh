#!/usr/bin/env bash
# Smoke test of bench/churn.sh (deploy/test.sh runs it): the quick mode on the real server and real
# volunteers, then checks its results file: a constant run and a churn run, both succeeded with the
# native answer, a penalty, messages counted, visitors that came and went.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
label="check$$"
started=$SECONDS
"$repo/bench/churn.sh" --quick --label "$label" >/dev/null
out="$(ls "$repo"/bench/results/*-churn-"$label".json | tail -1)"
node - "$out" <<'JS'
const fs = require("fs");
const r = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const fail = (m) => { console.error(`churn-check: ${m}`); process.exit(1); };
const constant = r.rows.find((x) => x.mode === "constant");
const churn = r.rows.find((x) => x.mode === "churn");
if (!constant || !churn) fail("the quick run needs a constant and a churn row");
for (const x of [constant, churn]) {
  if (x.state !== "SUCCEEDED") fail(`${x.label}: ${x.state}`);
  if (x.exact !== true) fail(`${x.label}: the result differs from the native build's`);
  if (!(x.messagesPerTask > 1)) fail(`${x.label}: ${x.messagesPerTask} messages per task counted`);
  if (!(x.sessionsWithResult >= 1)) fail(`${x.label}: no session finished a task`);
}
if (constant.penalty !== 1) fail(`constant penalty ${constant.penalty}`);
if (!(churn.penalty > 0)) fail(`churn penalty ${churn.penalty}`);
if (!(churn.visitors > 3)) fail(`only ${churn.visitors} visitors came during the churn run`);
const run = r.runs.find((x) => x.mode === "churn");
if (!(run.left.clean >= 1)) fail("no visitor left during the churn run");
console.log(`churn-check: ok (penalty ${churn.penalty.toFixed(2)}x, ${churn.visitors} visitors)`);
JS
rm -f "$out" "${out%.json}.md"
echo "churn-check: passed in $((SECONDS - started)) s"
