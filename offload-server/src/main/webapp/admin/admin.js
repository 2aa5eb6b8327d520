// The dashboard: polls /admin/api/summary every few seconds and draws it. No inline script or
// style (the page's Content-Security-Policy forbids both); data goes in as text, never as HTML.
import uPlot from "../webjars/uplot/1.6.30/dist/uPlot.esm.js";

const EVERY_MS = 3000;
const $ = (id) => document.getElementById(id);

let chart;

function drawChart(samples) {
  const data = [samples.map((s) => s[0] / 1000), samples.map((s) => s[1])];
  if (!chart) {
    chart = new uPlot(
      {
        width: Math.min(1000, $("chart").clientWidth || 800),
        height: 240,
        scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
        series: [{}, { label: "tasks/s", stroke: "#0b57d0", width: 2, fill: "rgba(11,87,208,0.1)" }],
        axes: [{}, { label: "tasks/s" }],
      },
      data,
      $("chart"),
    );
  } else {
    chart.setData(data);
  }
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
  return td;
}

function drawJobs(jobs) {
  const rows = jobs.map((j) => {
    const tr = document.createElement("tr");
    cell(tr, j.id);
    cell(tr, j.name);
    cell(tr, j.slurmJobId ?? "–");
    cell(tr, j.state).className = `state-${j.state}`;
    const bar = document.createElement("progress");
    bar.max = j.total;
    bar.value = j.done;
    bar.textContent = `${j.done}/${j.total}`;
    const td = cell(tr, "");
    td.append(bar, ` ${j.done}/${j.total}`);
    return tr;
  });
  $("jobs").replaceChildren(...rows);
}

function drawAudit(events) {
  const rows = events.map((e) => {
    const tr = document.createElement("tr");
    cell(tr, e.at.replace("T", " ").replace(/\.\d+Z$|Z$/, ""));
    cell(tr, e.role === "operator" ? `${e.actor} (operator)` : e.actor);
    cell(tr, e.via);
    cell(tr, e.address);
    cell(tr, e.action).className = e.action.endsWith(".failed") ? "failed" : "";
    cell(tr, e.target);
    cell(tr, e.detail);
    return tr;
  });
  $("audit").replaceChildren(...rows);
}

function drawKernels(policy, kernels) {
  $("kernel-policy").textContent = policy;
  const rows = kernels.map((k) => {
    const tr = document.createElement("tr");
    cell(tr, k.sha256.slice(0, 16) + "…").title = k.sha256;
    cell(tr, k.note);
    cell(tr, k.approvedBy);
    cell(tr, new Date(k.approvedAt).toLocaleString());
    return tr;
  });
  $("kernels").replaceChildren(...rows);
}

function drawStandings(policy, standings) {
  $("verification-policy").textContent = policy;
  const rows = standings.map((v) => {
    const tr = document.createElement("tr");
    cell(tr, v.identity);
    cell(tr, v.credibility.toFixed(6));
    cell(tr, v.spotChecksPassed);
    cell(tr, v.agreements);
    cell(tr, v.disagreements);
    const status = v.barred
      ? `blacklisted: ${v.caughtFor ?? ""}`
      : v.trusted
        ? "trusted"
        : "";
    cell(tr, status).className = v.barred ? "failed" : "";
    return tr;
  });
  $("standings").replaceChildren(...rows);
}

async function refresh() {
  try {
    const response = await fetch("api/summary", { cache: "no-store" });
    if (!response.ok) throw new Error(`${response.status}`);
    const s = await response.json();
    $("volunteers").textContent = s.volunteers;
    $("queued").textContent = s.tasks.queued;
    $("leased").textContent = s.tasks.leased;
    $("done").textContent = s.tasks.done;
    $("accepted").textContent = s.consents.accepted;
    $("declined").textContent = s.consents.declined;
    $("revoked").textContent = s.consents.revoked;
    drawJobs(s.jobs);
    drawAudit(s.audit ?? []);
    drawKernels(s.kernelPolicy, s.approvedKernels);
    drawStandings(s.verificationPolicy, s.volunteerStandings ?? []);
    drawChart(s.throughput);
    $("updated").textContent = `updated ${new Date(s.now).toLocaleTimeString()}`;
    $("updated").className = "";
  } catch (e) {
    $("updated").textContent = `cannot reach the server (${e.message}); retrying`;
    $("updated").className = "stale";
  }
}

refresh();
setInterval(refresh, EVERY_MS);
