// The dashboard: reads the JSON APIs with the sign-in cookie and writes every value with
// textContent (never as HTML), so nothing from a payload or a header can run.
"use strict";

const KINDS = [
  ["accepted", "#1a7f37"],
  ["duplicate", "#6639ba"],
  ["refused", "#cf222e"],
  ["failed", "#9a6700"],
];
const OUTCOME = { pending: "retrying" };
const $ = (selector) => document.querySelector(selector);

/** An element with text, classes and children: the only way this page makes markup. */
function el(tag, { text, cls, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

async function api(path, method = "GET") {
  const res = await fetch(path, { method, credentials: "same-origin", headers: { accept: "application/json" } });
  if (res.status === 401) location.reload();
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

const time = (ms) => (ms ? new Date(ms).toLocaleString() : "");
const duration = (ms) => (ms === null || ms === undefined ? "" : `${ms} ms`);

function renderStats(stats) {
  const totals = $("#totals");
  totals.replaceChildren(
    ...KINDS.map(([kind]) =>
      el("div", {}, [el("b", { text: `${stats.hour[kind]} · ${stats.day[kind]}`, cls: kind }), el("span", { text: kind, cls: "muted" })]),
    ),
  );
  const rows = stats.refused.map((r) => el("tr", {}, [el("td", { text: r.scheme }), el("td", { text: r.code }), el("td", { text: r.hour }), el("td", { text: r.day })]));
  $("#refused tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, [el("td", { text: "none", cls: "muted", attrs: { colspan: "4" } })])]));
  chart(stats.series);
}

/** Stacked bars per interval, as SVG built node by node. */
function chart(series) {
  const svg = $("#chart");
  const ns = "http://www.w3.org/2000/svg";
  const max = Math.max(1, ...series.map((s) => KINDS.reduce((sum, [k]) => sum + s[k], 0)));
  const width = 600 / Math.max(series.length, 1);
  const bars = [];
  series.forEach((slot, i) => {
    let y = 120;
    for (const [kind, color] of KINDS) {
      const h = (slot[kind] / max) * 110;
      if (!h) continue;
      y -= h;
      const rect = document.createElementNS(ns, "rect");
      for (const [name, value] of Object.entries({ x: i * width + 1, y, width: Math.max(width - 2, 1), height: h, fill: color })) rect.setAttribute(name, value);
      const title = document.createElementNS(ns, "title");
      title.textContent = `${new Date(slot.at * 1000).toLocaleTimeString()}: ${slot[kind]} ${kind}`;
      rect.append(title);
      bars.push(rect);
    }
  });
  svg.replaceChildren(...bars);
  $("#legend").replaceChildren(
    ...KINDS.map(([kind, color]) => {
      const key = el("span", { text: `■ ${kind}` });
      key.style.color = color; // CSSOM, which the page's style policy allows (a style attribute it would not)
      return key;
    }),
  );
}

function filters() {
  const form = new FormData($("#filters"));
  const params = new URLSearchParams({ limit: "100" });
  for (const [name, value] of form) if (value) params.set(name, value);
  return params;
}

function renderDeliveries(page) {
  const schemes = $("#filters select[name=scheme]");
  for (const d of page.deliveries) {
    if (![...schemes.options].some((o) => o.value === d.scheme)) schemes.append(el("option", { text: d.scheme, attrs: { value: d.scheme } }));
  }
  const rows = page.deliveries.map((d) => {
    const replay = el("button", { text: "Replay", cls: "quiet replay" });
    replay.addEventListener("click", async (event) => {
      event.stopPropagation();
      replay.disabled = true;
      const query = d.destination ? `?destination=${encodeURIComponent(d.destination)}` : "";
      await api(`/api/v2/deliveries/${encodeURIComponent(d.key)}/replay${query}`, "POST").catch(() => {});
      await refresh();
    });
    const row = el("tr", { cls: "row", attrs: { "data-key": d.key } }, [
      el("td", { text: time(d.receivedAt) }),
      el("td", { text: d.scheme }),
      el("td", { text: d.type ?? "" }),
      el("td", { text: d.key, cls: "key" }),
      el("td", { text: d.destination ?? "" }),
      el("td", { text: OUTCOME[d.status] ?? d.status, cls: `outcome ${d.status}` }),
      el("td", { text: d.attempts }),
      el("td", { text: d.lastStatus ?? d.lastError ?? "" }),
      el("td", { text: duration(d.lastDurationMs) }),
      el("td", { text: d.status === "pending" ? time(d.nextAt) : "" }),
      el("td", {}, d.status === "recorded" ? [] : [replay]),
    ]);
    row.addEventListener("click", () => open(d.key));
    return row;
  });
  $("#deliveries tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, [el("td", { text: "no deliveries yet", cls: "muted", attrs: { colspan: "11" } })])]));
}

let opened = null;

async function open(key) {
  opened = key;
  const detail = await api(`/api/v2/deliveries/${encodeURIComponent(key)}`);
  $("#detail").hidden = false;
  $("#detail-key").textContent = key;
  const rows = detail.attempts.map((a, i) =>
    el("tr", {}, [el("td", { text: i + 1 }), el("td", { text: a.destination }), el("td", { text: time(a.at) }), el("td", { text: a.status ?? "" }), el("td", { text: duration(a.durationMs) }), el("td", { text: a.error ?? "" })]),
  );
  $("#attempts tbody").replaceChildren(...rows);
  $("#detail-body").textContent = detail.body ?? "(removed after the retention period)";
}

async function refresh() {
  try {
    const [stats, page] = await Promise.all([api("/api/v2/stats"), api(`/api/v2/deliveries?${filters()}`)]);
    renderStats(stats);
    renderDeliveries(page);
    if (opened) await open(opened);
    $("#updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    $("#updated").textContent = `not updated: ${error.message}`;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("#filters").addEventListener("input", refresh);
  $("#filters").addEventListener("submit", (event) => event.preventDefault());
  $("#detail-close").addEventListener("click", () => {
    opened = null;
    $("#detail").hidden = true;
  });
  $("#recover").addEventListener("click", async () => {
    const since = Math.floor(Date.now() / 1000) - 30 * 24 * 3600;
    await api(`/api/v2/deliveries/recover?since=${since}`, "POST").catch(() => {});
    await refresh();
  });
  refresh();
  setInterval(refresh, 5000);
});
