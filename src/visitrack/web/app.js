// visitrack dashboard: vanilla JS, no dependencies, served by `visitrack serve`.
// Article text is untrusted: every piece of data goes into the page through textContent or
// attributes set with setAttribute, never through innerHTML.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const STAGES = ["proposed", "invited", "in_preparation", "announced", "ongoing", "completed",
  "postponed", "cancelled"];
// One hue per stage; planned stages are cool, done is green, put-off/called-off are warm.
const STAGE_COLOURS = {
  proposed: "#9aa5b1", invited: "#7b8cde", in_preparation: "#5a67d8", announced: "#3182ce",
  ongoing: "#d69e2e", completed: "#38a169", postponed: "#dd6b20", cancelled: "#c53030",
};
const ENDED_STAGES = new Set(["completed", "cancelled"]);
const JOB_POLL_MS = 1000;
const COUNTRY_KEYS = ["country", "origin", "destination"];
const FILTER_KEYS = ["country", "origin", "destination", "visitor", "stage", "from", "to", "upcoming"];
// Storylines per page of the list and the timeline: the API allows up to 1000.
const PAGE_SIZE = 200;
// Timeline geometry, in SVG user units.
const TL = { width: 960, row: 16, bar: 10, left: 8, right: 250, axis: 24, minBar: 3 };
// Network geometry: countries on a circle.
const NET = { size: 460, radius: 170, node: 14, maxEdge: 8 };
// Characters of document text shown around each evidence sentence.
const CONTEXT_CHARS = 280;
const DAY_MS = 86400000;

let pageOffset = 0;

// --- small DOM helpers -------------------------------------------------------------------------

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

function link(href, text) {
  const a = el("a", text);
  a.setAttribute("href", href);
  a.dataset.nav = "";
  return a;
}

async function api(path, options) {
  const response = await fetch(path, options);
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  if (!response.ok) {
    const msg = body && body.error ? body.error : response.status + " " + response.statusText;
    throw new Error(msg);
  }
  return body;
}

function who(party) {
  if (!party) return "";
  return party.name || ("unnamed " + party.role.replace(/_/g, " "));
}

function whenText(w) {
  if (!w || !w.start) return w && w.text ? w.text : "no date";
  return w.start === w.end || !w.end ? w.start : w.start + " – " + w.end;
}

function parseDay(s) { return s ? Date.parse(s + "T00:00:00Z") : NaN; }

function todayMs() {
  const now = new Date();
  return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
}

function isUpcoming(s) {
  if (ENDED_STAGES.has(s.stage) || !s.when) return false;
  const end = parseDay(s.when.end || s.when.start);
  return !Number.isNaN(end) && end >= todayMs();
}

function setStatus(text, isError) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.classList.toggle("error", Boolean(isError));
}

// --- routing ---------------------------------------------------------------------------------

function navigate(href) {
  history.pushState(null, "", href);
  route();
}

document.addEventListener("click", (event) => {
  const a = event.target.closest("a[data-nav]");
  if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});
window.addEventListener("popstate", route);

function route() {
  const match = location.pathname.match(/^\/storyline\/([^/]+)$/);
  document.getElementById("list-view").hidden = Boolean(match);
  document.getElementById("storyline-view").hidden = !match;
  if (match) {
    showStoryline(decodeURIComponent(match[1]));
  } else {
    readFilters();
    loadList();
  }
}

// --- filters <-> URL ----------------------------------------------------------------------------

function readFilters() {
  const params = new URLSearchParams(location.search);
  const form = document.getElementById("filters");
  for (const key of FILTER_KEYS) {
    const field = form.elements[key];
    if (field.type === "checkbox") field.checked = params.get(key) === "1";
    else field.value = params.get(key) || "";
  }
  pageOffset = Number.parseInt(params.get("offset") || "0", 10) || 0;
}

function filterParams() {
  const form = document.getElementById("filters");
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const field = form.elements[key];
    if (field.type === "checkbox") { if (field.checked) params.set(key, "1"); }
    else if (field.value.trim()) {
      const value = field.value.trim();
      // The server reads codes and names in any case (visitrack.filters); a code is shown in
      // capitals so that shared URLs read alike.
      const code = COUNTRY_KEYS.includes(key) && /^[a-z]{2,3}$/i.test(value);
      params.set(key, code ? value.toUpperCase() : value);
    }
  }
  return params;
}

function applyFilters(offset) {
  const params = filterParams();
  if (offset) params.set("offset", String(offset));
  const query = params.toString();
  navigate("/" + (query ? "?" + query : ""));
}

// --- list view ---------------------------------------------------------------------------------

async function loadList() {
  const params = filterParams();
  params.set("limit", String(PAGE_SIZE));
  params.set("offset", String(pageOffset));
  setStatus("Loading…");
  let page;
  try {
    page = await api("/api/visits?" + params.toString());
  } catch (err) {
    setStatus(err.message, true);
    renderTimeline([]);
    renderNetwork([]);
    renderTable([]);
    return;
  }
  const first = page.count ? page.offset + 1 : 0;
  setStatus(page.count
    ? "Storylines " + first + "–" + (page.offset + page.count) + (page.next ? " (more on the next page)" : "")
    : "No storylines match these filters.");
  renderTimeline(page.visits);
  renderNetwork(page.visits);
  renderTable(page.visits);
  document.getElementById("prev").disabled = !page.previous;
  document.getElementById("next").disabled = !page.next;
}

function renderLegend() {
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  for (const stage of STAGES) {
    const item = el("span", stage.replace(/_/g, " "), "key");
    const swatch = el("i");
    swatch.style.background = STAGE_COLOURS[stage];
    item.prepend(swatch);
    legend.append(item);
  }
  const up = el("span", "upcoming", "key upcoming-key");
  up.prepend(el("i"));
  legend.append(up);
}

function renderTimeline(visits) {
  const box = document.getElementById("timeline");
  box.replaceChildren();
  const dated = visits.filter((s) => s.when && s.when.start);
  if (!dated.length) {
    box.append(el("p", "No dated visits to draw.", "muted"));
    return;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of dated) {
    lo = Math.min(lo, parseDay(s.when.start));
    hi = Math.max(hi, parseDay(s.when.end || s.when.start));
  }
  hi = Math.max(hi, lo + DAY_MS);
  const plot = TL.width - TL.left - TL.right;
  const x = (ms) => TL.left + ((ms - lo) / (hi - lo)) * plot;
  const height = TL.axis + dated.length * TL.row + 4;
  const root = svg("svg", { viewBox: "0 0 " + TL.width + " " + height, width: "100%",
    role: "img", "aria-label": "Timeline of visits", class: "timeline" });

  // Axis: one tick per year when the span is long, else per month.
  const spanYears = (hi - lo) / (365 * DAY_MS);
  const start = new Date(lo);
  let tick = spanYears > 2 ? Date.UTC(start.getUTCFullYear(), 0, 1)
    : Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1);
  while (tick <= hi) {
    if (tick >= lo) {
      const tx = x(tick);
      root.append(svg("line", { x1: tx, x2: tx, y1: TL.axis - 6, y2: height, class: "grid" }));
      const label = svg("text", { x: tx + 2, y: TL.axis - 10, class: "tick" });
      const d = new Date(tick);
      label.textContent = spanYears > 2 ? String(d.getUTCFullYear())
        : d.toISOString().slice(0, 7);
      root.append(label);
    }
    const d = new Date(tick);
    tick = spanYears > 2 ? Date.UTC(d.getUTCFullYear() + 1, 0, 1)
      : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  const now = todayMs();
  if (now >= lo && now <= hi) {
    root.append(svg("line", { x1: x(now), x2: x(now), y1: TL.axis - 6, y2: height, class: "today" }));
  }

  dated.forEach((s, i) => {
    const y = TL.axis + i * TL.row;
    const x0 = x(parseDay(s.when.start));
    const x1 = x(parseDay(s.when.end || s.when.start) + DAY_MS);
    const a = svg("a", { href: "/storyline/" + encodeURIComponent(s.id), class: "bar-link" });
    a.dataset.nav = "";
    const rect = svg("rect", { x: x0, y: y + (TL.row - TL.bar) / 2,
      width: Math.max(TL.minBar, x1 - x0), height: TL.bar, rx: 2,
      fill: STAGE_COLOURS[s.stage] || "#888",
      class: "bar" + (isUpcoming(s) ? " upcoming" : "") });
    rect.dataset.stage = s.stage;
    const title = svg("title");
    title.textContent = who(s.visitor) + " → " + s.destination.country + " · " +
      s.stage.replace(/_/g, " ") + " · " + whenText(s.when);
    rect.append(title);
    const label = svg("text", { x: TL.width - TL.right + 8, y: y + TL.row - 4, class: "label" });
    label.textContent = who(s.visitor) + " → " + s.destination.country;
    a.append(rect, label);
    root.append(a);
  });
  box.append(root);
}

function renderNetwork(visits) {
  const box = document.getElementById("network");
  box.replaceChildren();
  const edges = new Map();
  const countries = new Set();
  for (const s of visits) {
    const from = s.visitor.country;
    const to = s.destination.country;
    if (!from || !to || from === to) continue;
    countries.add(from);
    countries.add(to);
    const key = from + ">" + to;
    edges.set(key, (edges.get(key) || 0) + 1);
  }
  if (!edges.size) {
    box.append(el("p", "No visits between countries to draw.", "muted"));
    return;
  }
  const names = [...countries].sort();
  const c = NET.size / 2;
  const pos = new Map(names.map((name, i) => {
    const angle = (2 * Math.PI * i) / names.length - Math.PI / 2;
    return [name, [c + NET.radius * Math.cos(angle), c + NET.radius * Math.sin(angle)]];
  }));
  const most = Math.max(...edges.values());
  const root = svg("svg", { viewBox: "0 0 " + NET.size + " " + NET.size, width: "100%",
    role: "img", "aria-label": "Visits between countries", class: "network" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5,
    markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }));
  defs.append(marker);
  root.append(defs);
  for (const [key, n] of edges) {
    const [from, to] = key.split(">");
    const [x1, y1] = pos.get(from);
    const [x2, y2] = pos.get(to);
    // Stop the line at the target node's rim so the arrow head stays visible.
    const len = Math.hypot(x2 - x1, y2 - y1) || 1;
    const ex = x2 - ((x2 - x1) / len) * NET.node;
    const ey = y2 - ((y2 - y1) / len) * NET.node;
    const line = svg("line", { x1, y1, x2: ex, y2: ey, class: "edge",
      "stroke-width": 1 + ((NET.maxEdge - 1) * n) / most, "marker-end": "url(#arrow)" });
    const title = svg("title");
    title.textContent = from + " → " + to + ": " + n + " visit" + (n === 1 ? "" : "s");
    line.append(title);
    root.append(line);
  }
  for (const name of names) {
    const [nx, ny] = pos.get(name);
    const g = svg("g", { class: "node" });
    g.append(svg("circle", { cx: nx, cy: ny, r: NET.node }));
    const label = svg("text", { x: nx, y: ny + 4, "text-anchor": "middle" });
    label.textContent = name;
    g.append(label);
    root.append(g);
  }
  box.append(root);
}

function stageBadge(stage) {
  const badge = el("span", stage.replace(/_/g, " "), "stage");
  badge.style.background = STAGE_COLOURS[stage] || "#888";
  return badge;
}

function renderTable(visits) {
  const body = document.querySelector("#table tbody");
  body.replaceChildren();
  for (const s of visits) {
    const row = el("tr");
    if (isUpcoming(s)) row.className = "upcoming";
    const name = el("td");
    name.append(link("/storyline/" + encodeURIComponent(s.id), who(s.visitor)));
    const stage = el("td");
    stage.append(stageBadge(s.stage));
    row.append(name, el("td", s.visitor.country || "intl"),
      el("td", s.destination.country + (s.destination.city ? " (" + s.destination.city + ")" : "")),
      stage, el("td", whenText(s.when)), el("td", s.doc_ids.length));
    body.append(row);
  }
}

// --- storyline view ----------------------------------------------------------------------------

function withMarks(text, spans) {
  // A paragraph of `text` with the [start, end) spans wrapped in <mark>, built node by node.
  const p = el("p", null, "context");
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    p.append(document.createTextNode(text.slice(at, start)));
    p.append(el("mark", text.slice(start, end)));
    at = end;
  }
  p.append(document.createTextNode(text.slice(at)));
  return p;
}

function evidenceInContext(text, evidence) {
  const out = [];
  for (const e of evidence) {
    const from = Math.max(0, e.start - CONTEXT_CHARS);
    const to = Math.min(text.length, e.end + CONTEXT_CHARS);
    const snippet = (from > 0 ? "…" : "") + text.slice(from, to) + (to < text.length ? "…" : "");
    const shift = from > 0 ? 1 - from : -from;
    out.push(withMarks(snippet, [[e.start + shift, e.end + shift]]));
  }
  return out;
}

async function showStoryline(id) {
  const box = document.getElementById("storyline");
  box.replaceChildren(el("p", "Loading…", "muted"));
  let s;
  try {
    s = await api("/api/visits/" + encodeURIComponent(id));
  } catch (err) {
    box.replaceChildren(el("p", err.message, "status error"));
    return;
  }
  const head = el("h1", who(s.visitor) + (s.visitor.country ? " (" + s.visitor.country + ")" : "") +
    " → " + s.destination.country + (s.destination.city ? ", " + s.destination.city : ""));
  const facts = el("p", null, "facts");
  facts.append(stageBadge(s.stage), document.createTextNode(" " + whenText(s.when) +
    " · " + s.kind.replace(/_/g, " ") + (s.occasion ? " · " + s.occasion : "") +
    (s.host ? " · host " + who(s.host) : "") + " · " + s.mentions + " report" +
    (s.mentions === 1 ? "" : "s")));
  if (isUpcoming(s)) facts.append(el("span", "upcoming", "flag"));
  box.replaceChildren(head, facts);

  // Evidence per document, from the storyline's own mentions.
  const byDoc = new Map();
  for (const src of s.sources) {
    const list = byDoc.get(src.visit.doc_id) || { document: src.document, visits: [] };
    list.visits.push(src.visit);
    byDoc.set(src.visit.doc_id, list);
  }
  const texts = new Map();
  await Promise.all([...byDoc.keys()].map(async (docId) => {
    try {
      const doc = await api("/api/document?id=" + encodeURIComponent(docId));
      texts.set(docId, doc.text || "");
    } catch (_) {
      texts.set(docId, null);
    }
  }));

  const steps = el("ol", null, "history");
  for (const step of s.history) {
    const li = el("li", null, "step");
    li.style.setProperty("--stage", STAGE_COLOURS[step.stage] || "#888");
    const title = el("h3");
    title.append(stageBadge(step.stage), document.createTextNode(" first reported " +
      (step.first_reported || "on an unknown date")));
    li.append(title);
    for (const docId of step.doc_ids) {
      const entry = byDoc.get(docId);
      const source = el("div", null, "source");
      const doc = entry ? entry.document : null;
      const name = el("h4", (doc && doc.title) || docId);
      source.append(name);
      const meta = el("p", docId + (doc && doc.published ? " · published " + doc.published : ""), "muted");
      if (doc && doc.url && /^https?:\/\//i.test(doc.url)) {
        const a = el("a", "source page");
        a.setAttribute("href", doc.url);
        a.setAttribute("rel", "noopener noreferrer nofollow");
        meta.append(document.createTextNode(" · "), a);
      }
      source.append(meta);
      const text = texts.get(docId);
      for (const v of entry ? entry.visits.filter((x) => x.stage === step.stage) : []) {
        if (text) for (const p of evidenceInContext(text, v.evidence)) source.append(p);
        else for (const e of v.evidence) source.append(withMarks(e.text, [[0, e.text.length]]));
      }
      li.append(source);
    }
    steps.append(li);
  }
  box.append(el("h2", "Stage history"), steps);
}

// --- submitting documents ----------------------------------------------------------------------

async function submitDocument(event) {
  event.preventDefault();
  const form = event.target;
  const out = document.getElementById("submit-result");
  out.replaceChildren(el("p", "Extracting…", "muted"));
  let body = form.elements.text.value;
  let type = "text/plain";
  const file = form.elements.file.files[0];
  if (file) {
    body = await file.text();
    if (/\.jsonl$/i.test(file.name)) type = "application/x-ndjson";
  }
  if (type !== "application/x-ndjson" && /^\s*</.test(body)) type = "text/html";
  if (!body.trim()) {
    out.replaceChildren(el("p", "Paste some text or choose a file first.", "status error"));
    return;
  }
  const params = new URLSearchParams();
  // The query describes a text or HTML body; JSONL rows carry their own fields.
  if (type !== "application/x-ndjson") {
    if (form.elements.published.value) params.set("published", form.elements.published.value);
    if (file) params.set("title", file.name);
  }
  const headers = { "Content-Type": type + "; charset=utf-8" };
  if (form.elements.token.value) headers.Authorization = "Bearer " + form.elements.token.value;
  let result;
  try {
    result = await api("/api/documents?" + params.toString(), { method: "POST", headers, body });
    // 202: a batch still being extracted; its job answers once it is done.
    while (result.state === "pending" && result.url) {
      await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
      const job = await api(result.url);
      if (job.state === "pending") continue;
      if (job.state !== "done") throw new Error(job.error || "the submission " + job.state);
      result = job;
    }
  } catch (err) {
    out.replaceChildren(el("p", err.message, "status error"));
    return;
  }
  out.replaceChildren();
  for (const doc of result.documents) {
    const block = el("div", null, "found");
    block.append(el("h3", doc.doc_id + " (" + doc.outcome + ")"));
    if (doc.error) block.append(el("p", doc.error, "status error"));
    if (!doc.visits.length) block.append(el("p", "No visits found in this document.", "muted"));
    const list = el("ul", null, "visits-found");
    for (const v of doc.visits) {
      const li = el("li");
      const text = who(v.visitor) + " (" + (v.visitor.country || "intl") + ") → " +
        v.destination.country + (v.destination.city ? ", " + v.destination.city : "") +
        " · " + whenText(v.when) + " ";
      li.append(v.storyline_id ? link("/storyline/" + encodeURIComponent(v.storyline_id), text)
        : document.createTextNode(text), stageBadge(v.stage));
      for (const e of v.evidence) li.append(el("blockquote", e.text));
      list.append(li);
    }
    block.append(list);
    out.append(block);
  }
}

// --- start -------------------------------------------------------------------------------------

function init() {
  const select = document.querySelector("#filters select[name=stage]");
  for (const stage of STAGES) {
    const option = el("option", stage.replace(/_/g, " "));
    option.value = stage;
    select.append(option);
  }
  renderLegend();
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters(0);
  });
  document.getElementById("reset").addEventListener("click", () => navigate("/"));
  document.getElementById("prev").addEventListener("click",
    () => applyFilters(Math.max(0, pageOffset - PAGE_SIZE)));
  document.getElementById("next").addEventListener("click", () => applyFilters(pageOffset + PAGE_SIZE));
  document.getElementById("submit-form").addEventListener("submit", submitDocument);
  route();
}

init();
