// The live view: polls /api/state once a second, fills the table and draws
// the charts on canvases (no library, so the page works offline).
"use strict";

const $ = (id) => document.getElementById(id);
let userInputTouched = false;

function fmt(v, digits) {
  if (v === undefined || v === null) return "";
  return Number(v).toFixed(digits);
}

function ms(v) {
  if (v < 10) return fmt(v, 2);
  if (v < 100) return fmt(v, 1);
  return fmt(v, 0);
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function fillRow(tr, e) {
  const values = [e.label, String(e.requests), String(e.failures), ms(e.p50_ms), ms(e.p95_ms), ms(e.p99_ms), ms(e.avg_ms), fmt(e.rps, 2)];
  const classes = ["label", "requests", "failures", "p50", "p95", "p99", "avg", "rps"];
  tr.replaceChildren(...values.map((v, i) => { const td = cell(v); td.className = classes[i]; return td; }));
}

// drawChart draws one or more series against elapsed seconds.
function drawChart(canvas, legend, points, series) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  canvas.width = w * dpr;
  canvas.height = h * dpr;
  const ctx = canvas.getContext("2d");
  ctx.scale(dpr, dpr);
  ctx.clearRect(0, 0, w, h);
  const left = 48, bottom = 20, top = 8, right = 8;
  let maxY = 0;
  for (const p of points) for (const s of series) maxY = Math.max(maxY, p[s.key]);
  if (maxY <= 0) maxY = 1;
  const t0 = points.length ? points[0].t : 0;
  const t1 = points.length ? Math.max(points[points.length - 1].t, t0 + 1) : 1;
  const x = (t) => left + (t - t0) / (t1 - t0) * (w - left - right);
  const y = (v) => h - bottom - v / maxY * (h - bottom - top);
  ctx.strokeStyle = "#d5d9e0";
  ctx.fillStyle = "#6b7280";
  ctx.font = "11px system-ui, sans-serif";
  for (let i = 0; i <= 4; i++) {
    const v = maxY * i / 4;
    ctx.beginPath();
    ctx.moveTo(left, y(v));
    ctx.lineTo(w - right, y(v));
    ctx.stroke();
    ctx.fillText(v >= 100 ? v.toFixed(0) : v.toFixed(1), 2, y(v) + 4);
  }
  ctx.fillText(Math.round(t0) + "s", left, h - 4);
  ctx.fillText(Math.round(t1) + "s", w - right - 28, h - 4);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo(x(p.t), y(p[s.key])) : ctx.moveTo(x(p.t), y(p[s.key]))));
    ctx.stroke();
  }
  legend.replaceChildren(...series.map((s) => {
    const span = document.createElement("span");
    const mark = document.createElement("i");
    mark.style.background = s.color;
    span.append(mark, s.label);
    return span;
  }));
}

function render(st) {
  $("run-id").textContent = st.run_id || "";
  $("state").textContent = st.state;
  $("users").textContent = st.model === "open" ? "open model" : (st.users + (st.target_users !== st.users ? " → " + st.target_users : ""));
  $("rps").textContent = fmt(st.rps || 0, 1);
  $("failures").textContent = st.rps > 0 ? fmt(st.failures_s / st.rps * 100, 2) + "%" : "0%";
  $("elapsed").textContent = Math.round(st.elapsed_s || 0) + "s / " + Math.round(st.run_time_s || 0) + "s";
  if (!userInputTouched && st.target_users) $("user-count").value = st.target_users;
  const finished = st.state === "finished";
  $("stop").disabled = finished;
  $("apply-users").disabled = finished || st.model === "open";
  $("user-count").disabled = finished || st.model === "open";

  const body = $("endpoints");
  const rows = new Map([...body.children].map((tr) => [tr.dataset.label, tr]));
  const seen = new Set();
  for (const e of st.endpoints || []) {
    let tr = rows.get(e.label);
    if (!tr) { tr = document.createElement("tr"); tr.dataset.label = e.label; body.append(tr); }
    fillRow(tr, e);
    seen.add(e.label);
  }
  for (const [label, tr] of rows) if (!seen.has(label)) tr.remove();
  const t = st.total || {};
  $("total-requests").textContent = String(t.requests || 0);
  $("total-failures").textContent = String(t.failures || 0);
  $("total-p50").textContent = ms(t.p50_ms || 0);
  $("total-p95").textContent = ms(t.p95_ms || 0);
  $("total-p99").textContent = ms(t.p99_ms || 0);
  $("total-avg").textContent = ms(t.avg_ms || 0);
  $("total-rps").textContent = fmt(t.rps || 0, 2);

  if (st.jobs) {
    const o = st.jobs.outcomes || {};
    const ended = ["succeeded", "partial", "failed", "cancelled", "unfinished", "lost"].reduce((n, k) => n + (o[k] || 0), 0);
    let line = "Voice-overs: " + st.jobs.accepted + " accepted, " + (st.jobs.accepted - st.jobs.untracked - ended) + " in progress; " +
      ["succeeded", "partial", "failed", "cancelled", "unfinished"].map((k) => k + " " + (o[k] || 0)).join(", ");
    if (st.jobs.total.count > 0) {
      line += "; total p50 " + ms(st.jobs.total.p50_ns / 1e6) + " ms, p95 " + ms(st.jobs.total.p95_ns / 1e6) + " ms";
    }
    $("jobs").textContent = line;
  }

  const h = st.history || [];
  drawChart($("chart-rps"), $("legend-rps"), h, [{ key: "rps", label: "req/s", color: "#3c7bd9" }, { key: "fails", label: "failures/s", color: "#c8372d" }]);
  drawChart($("chart-latency"), $("legend-latency"), h, [
    { key: "p50", label: "p50", color: "#2f9e6e" }, { key: "p95", label: "p95", color: "#d99a22" }, { key: "p99", label: "p99", color: "#c8372d" }]);
  drawChart($("chart-users"), $("legend-users"), h, [{ key: "users", label: "users", color: "#7353ba" }]);
}

async function refresh() {
  try {
    const resp = await fetch("/api/state", { cache: "no-store" });
    if (resp.ok) render(await resp.json());
  } catch (err) {
    $("state").textContent = "disconnected";
  }
}

async function post(path, body) {
  const resp = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
  const answer = await resp.json().catch(() => ({}));
  $("message").textContent = resp.ok ? "" : (answer.error || ("HTTP " + resp.status));
  refresh();
}

$("user-count").addEventListener("input", () => { userInputTouched = true; });
$("apply-users").addEventListener("click", () => { userInputTouched = false; post("/api/users", { users: Number($("user-count").value) }); });
$("stop").addEventListener("click", () => post("/api/stop"));
refresh();
setInterval(refresh, 1000);
