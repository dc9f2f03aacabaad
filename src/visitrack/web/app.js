// visitrack dashboard: vanilla JS, served by `visitrack serve`, the page's only script; the map's
// shapes come projected from static/map-land.json (see vendor/SOURCES.md). Nothing comes from
// the internet.
// Article text is untrusted: every piece of data goes into the page through textContent or
// attributes set with setAttribute, never through innerHTML.
// The page fetches only paged and aggregated data (/api/visits pages, /api/stats), so its
// first load does not grow with the store.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const STAGES = ["proposed", "invited", "in_preparation", "announced", "ongoing", "completed",
  "postponed", "cancelled"];
// One hue per stage; planned stages are cool, done is green, put-off/called-off are warm.
const STAGE_COLOURS = {
  proposed: "#9aa5b1", invited: "#7b8cde", in_preparation: "#5a67d8", announced: "#3182ce",
  ongoing: "#d69e2e", completed: "#38a169", postponed: "#dd6b20", cancelled: "#c53030",
};
// Counts an answer does not split by stage (a server from before months and pairs carried
// `by_stage`) are drawn in this neutral colour.
const ALL_STAGES = "all";
const ALL_COLOUR = "#718096";
const ENDED_STAGES = new Set(["completed", "cancelled"]);
const JOB_POLL_MS = 1000;
const COUNTRY_KEYS = ["country", "origin", "destination"];
// Filters as the API and the page's URL spell them (visitrack.filters).
const FILTER_KEYS = ["q", "country", "origin", "destination", "visitor", "stage", "from", "to",
  "changed_since", "upcoming"];
// Storylines per table page: small enough that the first load stays light on any store.
const PAGE_SIZE = 50;
// The table's default order (the API's): newest first report first.
const DEFAULT_SORT = "first_reported";
// Keys whose natural order is newest/largest first (visitrack.filters.parse_sort).
const DESCENDING_FIRST = new Set(["first_reported", "last_reported", "when", "mentions"]);
// Timeline geometry, in SVG user units.
const TL = { width: 960, row: 16, bar: 10, left: 8, right: 250, axis: 24, minBar: 3 };
// Monthly chart geometry; its width is the panel's, so that text stays at its CSS size.
const MC = { minWidth: 300, height: 240, left: 44, right: 12, top: 10, bottom: 26, labelWidth: 30 };
// Least room between two axis labels, in SVG units: a "2024" label is ~26 units wide at 10px.
const MIN_TICK_GAP = 44;
// Year steps the time axes may thin to, smallest first.
const YEAR_STEPS = [1, 2, 5, 10, 20, 25, 50, 100];
// Map geometry: the Equal Earth projection, scaled to this width; Antarctica is left out and
// the latitudes beyond these are cut (no visits go there).
const MAP = { width: 960, north: 84, south: -57, maxFlow: 7, minFlow: 1.2, dot: 3 };
// Country pairs shown (each with both directions) in the pair view.
const PAIR_ROWS = 12;
// .panel's padding in CSS pixels (app.css), taken off a panel's width for a chart inside it.
const PANEL_PADDING = 12;
// Characters of document text shown around each evidence sentence.
const CONTEXT_CHARS = 280;
const DAY_MS = 86400000;
// Quiet time after the last resize event before the monthly chart is drawn again.
const RESIZE_DELAY_MS = 150;
const NUMBER = new Intl.NumberFormat("en-US");

let pageOffset = 0;
let sortKey = "";
let sortOrder = "";
// ISO3 code -> {name, num, lon, lat, feature}; filled from /static/map-countries.json and
// /api/countries.
const countries = new Map();
let namesReady = null;   // Promise of the map's country table
let worldReady = null;   // Promise of the map's features (projected path data)
let statsKey = null;     // the filter query the drawn stats answer belongs to
let statsModel = null;
let loadSerial = 0;      // a newer load makes an older one's answers stale

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

function svgTitle(node, text) {
  const title = svg("title");
  title.textContent = text;
  node.append(title);
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
    const err = new Error(msg);
    err.status = response.status;
    throw err;
  }
  return body;
}

function who(party) {
  if (!party) return "";
  return party.name || ("unnamed " + party.role.replace(/_/g, " "));
}

function stageName(stage) {
  return stage === ALL_STAGES ? "all stages" : stage.replace(/_/g, " ");
}

function countryName(code) {
  if (!code || code === "XIO") return "International body";
  const c = countries.get(code);
  return c && c.name ? c.name : code;
}

// "Russia (RUS)": names for reading, codes for matching what the filters and exports say.
function countryLabel(code) {
  if (!code || code === "XIO") return "International body";
  const name = countryName(code);
  return name === code ? code : name + " (" + code + ")";
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

function plural(n, word) {
  return NUMBER.format(n) + " " + word + (n === 1 ? "" : "s");
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
  closeChoice(false);
  if (match) {
    showStoryline(decodeURIComponent(match[1]));
  } else {
    readFilters();
    loadList();
  }
}

// --- filters <-> URL ----------------------------------------------------------------------------

// Filters the page has no field for but keeps when a link carries them: the day "upcoming"
// counts from.
const PASS_THROUGH_KEYS = ["as_of"];
let passThrough = new URLSearchParams();

function readFilters() {
  const params = new URLSearchParams(location.search);
  const form = document.getElementById("filters");
  for (const key of FILTER_KEYS) {
    const field = form.elements[key];
    if (field.type === "checkbox") field.checked = params.get(key) === "1";
    else field.value = params.get(key) || "";
  }
  pageOffset = Math.max(0, Number.parseInt(params.get("offset") || "0", 10) || 0);
  sortKey = params.get("sort") || "";
  sortOrder = params.get("order") || "";
  passThrough = new URLSearchParams();
  for (const key of PASS_THROUGH_KEYS) if (params.get(key)) passThrough.set(key, params.get(key));
}

// The filters only (what the charts, the map and the downloads follow).
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
  for (const [k, v] of passThrough) params.set(k, v);
  return params;
}

// The filters plus the table's order and page: the page's own URL.
function viewParams(offset) {
  const params = filterParams();
  if (sortKey) params.set("sort", sortKey);
  if (sortKey && sortOrder) params.set("order", sortOrder);
  if (offset) params.set("offset", String(offset));
  return params;
}

function applyFilters(offset) {
  const query = viewParams(offset).toString();
  navigate("/" + (query ? "?" + query : ""));
}

// --- list view ---------------------------------------------------------------------------------

async function loadList() {
  const serial = ++loadSerial;
  const filters = filterParams();
  const listParams = viewParams(0);
  listParams.set("limit", String(PAGE_SIZE));
  listParams.set("offset", String(pageOffset));
  updateDownloads(filters);
  markSort();
  setStatus("Loading…");
  // Busy until this load's rows are in (tests and assistive technology wait on it).
  const table = document.getElementById("table");
  table.setAttribute("aria-busy", "true");
  const key = filters.toString();
  // The page and the aggregates are asked for together; the aggregates only when the
  // filters changed (paging and sorting leave them as they are).
  const statsWanted = key !== statsKey || !statsModel;
  const statsPromise = statsWanted ? api("/api/stats?" + key) : Promise.resolve(null);
  statsPromise.catch(() => null);  // reported below, once
  let page;
  try {
    page = await api("/api/visits?" + listParams.toString());
    try { await namesReady; } catch (_) { /* codes only */ }
  } catch (err) {
    if (serial !== loadSerial) return;
    setStatus(err.message, true);
    statsKey = null;
    statsModel = null;
    renderTimeline([]);
    renderTable([]);
    table.setAttribute("aria-busy", "false");
    renderRange(null);
    renderMonths(null);
    renderPairs(null);
    drawMap(null);
    return;
  }
  if (serial !== loadSerial) return;
  renderTimeline(page.visits);
  renderTable(page.visits);
  showCount(page, typeof page.total === "number" ? page.total : null);
  table.setAttribute("aria-busy", "false");
  // Paging and sorting leave the aggregates, and so the charts and the map, as they are.
  if (!statsWanted) return;
  // The table is up; the aggregates (slower on a large store) follow into the same panels.
  for (const id of ["months", "pairs"]) {
    document.getElementById(id).replaceChildren(el("p", "Counting…", "muted"));
  }
  drawMap(null, true);
  try {
    const stats = await statsPromise;
    if (serial !== loadSerial) return;
    statsKey = key;
    statsModel = buildModel(stats, filters);
  } catch (err) {
    if (serial !== loadSerial) return;
    statsKey = null;
    statsModel = null;
    setStatus("Counts: " + err.message, true);
  }
  // An API without `total` on its pages: the counts' total, where they filter alike.
  if (typeof page.total !== "number" && statsModel && !filters.has("q")) {
    showCount(page, statsModel.total);
  }
  renderMonths(statsModel);
  renderPairs(statsModel);
  drawMap(statsModel);
  document.getElementById("all-key").hidden = !statsModel || statsModel.split;
}

// The status line and the pager's range for a page of rows, with the total when known.
function showCount(page, total) {
  renderRange(page, total);
  if (document.getElementById("status").classList.contains("error")) return;
  const first = page.count ? page.offset + 1 : 0;
  setStatus(page.count
    ? "Storylines " + NUMBER.format(first) + "–" + NUMBER.format(page.offset + page.count) +
      (total !== null ? " of " + NUMBER.format(total) : (page.next ? " (more on the next page)" : ""))
    : "No storylines match these filters.");
}

function updateDownloads(filters) {
  for (const format of ["csv", "jsonl"]) {
    const params = new URLSearchParams(filters);
    params.set("format", format);
    document.getElementById("download-" + format).setAttribute("href",
      "/api/export?" + params.toString());
  }
  const query = filters.toString();
  document.getElementById("feed").setAttribute("href", "/api/feed.atom" + (query ? "?" + query : ""));
}

function renderRange(page, total) {
  const range = document.getElementById("range");
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  if (!page) {
    range.textContent = "";
    prev.disabled = true;
    next.disabled = true;
    return;
  }
  const first = page.count ? page.offset + 1 : 0;
  range.textContent = page.count
    ? NUMBER.format(first) + "–" + NUMBER.format(page.offset + page.count) +
      (total !== null && total !== undefined ? " of " + NUMBER.format(total) : "")
    : (total !== null && total !== undefined ? "none here, of " + NUMBER.format(total) : "none");
  prev.disabled = !page.previous && !page.offset;
  next.disabled = !page.next;
}

// --- aggregates: one model for the map, the monthly chart and the pairs -----------------------

function emptyCounts() { return {}; }

function addCounts(into, stage, n) { into[stage] = (into[stage] || 0) + n; }

function sumCounts(counts) { return Object.values(counts).reduce((a, b) => a + b, 0); }

// Which stage a count belongs to when the answer is not split: the stage filter's, else "all".
function wholeStage(filters) {
  const stage = filters.get("stage");
  return stage && STAGES.includes(stage) ? stage : ALL_STAGES;
}

function buildModel(stats, filters) {
  const model = { total: stats.total, byStage: stats.by_stage || {}, months: new Map(),
    pairs: new Map(), visitor: new Map(), destination: new Map(), split: false };
  const whole = wholeStage(filters);
  // Months and pairs come split by stage (`by_stage` on each row) in the one answer: asking
  // stage by stage instead cost the server up to 8 more groupings of the store per view.
  // An answer without the split is drawn in grey rather than asked for again.
  const rowsSplit = (stats.over_time || []).every((r) => r.by_stage) &&
    (stats.pairs || []).every((r) => r.by_stage);
  model.split = whole !== ALL_STAGES || rowsSplit;
  for (const r of stats.over_time || []) {
    const counts = emptyCounts();
    if (r.by_stage) for (const [s, n] of Object.entries(r.by_stage)) addCounts(counts, s, n);
    else addCounts(counts, whole, r.count);
    model.months.set(r.month, counts);
  }
  for (const r of stats.pairs || []) {
    const counts = emptyCounts();
    if (r.by_stage) for (const [s, n] of Object.entries(r.by_stage)) addCounts(counts, s, n);
    else addCounts(counts, whole, r.count);
    model.pairs.set(r.visitor_country + ">" + r.destination_country, counts);
  }
  for (const r of stats.by_visitor_country || []) model.visitor.set(r.country, r.count);
  for (const r of stats.by_destination_country || []) model.destination.set(r.country, r.count);
  return model;
}

function stageOrder(counts) {
  return [...STAGES, ALL_STAGES].filter((s) => counts[s]);
}

// The stage most of `counts` are in; the unsplit remainder only when nothing else is known.
function dominantStage(counts) {
  let best = ALL_STAGES;
  let most = 0;
  for (const s of STAGES.filter((x) => counts[x])) {
    if (counts[s] > most) { best = s; most = counts[s]; }
  }
  return best;
}

function colourOf(stage) { return STAGE_COLOURS[stage] || ALL_COLOUR; }

function countsText(counts) {
  return stageOrder(counts).map((s) => stageName(s) + " " + NUMBER.format(counts[s])).join(", ");
}

function renderLegend() {
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  for (const stage of STAGES) {
    const item = el("span", stageName(stage), "key");
    const swatch = el("i");
    swatch.style.background = STAGE_COLOURS[stage];
    item.prepend(swatch);
    legend.append(item);
  }
  const up = el("span", "upcoming", "key upcoming-key");
  up.prepend(el("i"));
  const all = el("span", "stage not known", "key all-key");
  all.prepend(el("i"));
  all.hidden = true;
  all.id = "all-key";
  legend.append(up, all);
}

// The stages a chart shows, with their counts among the storylines the filters keep.
function stageKey(model) {
  const legend = el("div", null, "legend chart-legend");
  for (const stage of STAGES) {
    const n = model.byStage[stage] || 0;
    if (!n) continue;
    const item = el("span", stageName(stage) + " " + NUMBER.format(n), "key");
    const swatch = el("i");
    swatch.style.background = STAGE_COLOURS[stage];
    item.prepend(swatch);
    legend.append(item);
  }
  return legend;
}

// --- time axes ---------------------------------------------------------------------------------

// Year ticks between two times, thinned so that labels `pxPerYear` apart never overlap.
function yearTicks(loMs, hiMs, pxPerYear) {
  const step = YEAR_STEPS.find((s) => s * pxPerYear >= MIN_TICK_GAP) || YEAR_STEPS.at(-1);
  const ticks = [];
  let year = new Date(loMs).getUTCFullYear();
  year = Math.ceil(year / step) * step;
  for (let t = Date.UTC(year, 0, 1); t <= hiMs; t = Date.UTC(year, 0, 1)) {
    if (t >= loMs) ticks.push({ ms: t, label: String(year) });
    year += step;
  }
  return ticks;
}

function monthTicks(loMs, hiMs, pxPerMonth) {
  const step = [1, 2, 3, 6].find((s) => s * pxPerMonth >= MIN_TICK_GAP * 1.6) || 12;
  const ticks = [];
  const d = new Date(loMs);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  m = Math.ceil(m / step) * step;
  for (let t = Date.UTC(y, m, 1); t <= hiMs; t = Date.UTC(y, m, 1)) {
    if (t >= loMs) ticks.push({ ms: t, label: new Date(t).toISOString().slice(0, 7) });
    m += step;
    if (m >= 12) { y += Math.floor(m / 12); m %= 12; }
  }
  return ticks;
}

function timeTicks(loMs, hiMs, width) {
  const years = (hiMs - loMs) / (365.25 * DAY_MS);
  if (years > 2) return yearTicks(loMs, hiMs, width / years);
  return monthTicks(loMs, hiMs, width / (years * 12));
}

// --- timeline of the page's storylines ---------------------------------------------------------

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
    role: "img", "aria-label": "Timeline of the storylines on this page", class: "timeline" });
  for (const tick of timeTicks(lo, hi, plot)) {
    const tx = x(tick.ms);
    root.append(svg("line", { x1: tx, x2: tx, y1: TL.axis - 6, y2: height, class: "grid" }));
    const label = svg("text", { x: tx + 2, y: TL.axis - 10, class: "tick" });
    label.textContent = tick.label;
    root.append(label);
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
      fill: colourOf(s.stage), class: "bar" + (isUpcoming(s) ? " upcoming" : "") });
    rect.dataset.stage = s.stage;
    svgTitle(rect, who(s.visitor) + " → " + countryName(s.destination.country) + " · " +
      stageName(s.stage) + " · " + whenText(s.when));
    const label = svg("text", { x: TL.width - TL.right + 8, y: y + TL.row - 4, class: "label" });
    label.textContent = who(s.visitor) + " → " + countryName(s.destination.country);
    a.append(rect, label);
    root.append(a);
  });
  box.append(root);
}

// --- storylines by month -------------------------------------------------------------------------

function monthKey(ms) { return new Date(ms).toISOString().slice(0, 7); }

// Months a bar may stand for, fewest first, and what such a bar is called.
const BIN_MONTHS = [[1, "month"], [3, "quarter"], [12, "year"]];
// Narrowest bar slot, in CSS pixels: below it bars merge into a grey comb (tuned at phone
// width, 390 px, on 26 years of months: monthly slots there are ~1 px, quarterly ~3 px).
const MIN_SLOT_PX = 1.5;

function addMonths(ms, n) {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
}

function renderMonths(model) {
  const box = document.getElementById("months");
  box.replaceChildren();
  if (!model || !model.months.size) {
    box.append(el("p", "No dated storylines to count.", "muted"));
    return;
  }
  const keys = [...model.months.keys()].sort();
  const width = Math.max(MC.minWidth, Math.floor(box.clientWidth) - 2 * PANEL_PADDING);
  const plot = width - MC.left - MC.right;
  const first = Date.parse(keys[0] + "-01T00:00:00Z");
  const span = Math.round((addMonths(Date.parse(keys.at(-1) + "-01T00:00:00Z"), 1) - first) /
    (30.44 * DAY_MS));
  // Months when the panel has room for them, else quarters or years.
  const [step, binName] = BIN_MONTHS.find(([n]) => plot / (span / n) >= MIN_SLOT_PX) ||
    BIN_MONTHS.at(-1);
  const start = new Date(first);
  const lo = Date.UTC(start.getUTCFullYear(), Math.floor(start.getUTCMonth() / step) * step, 1);
  const hi = addMonths(Date.parse(keys.at(-1) + "-01T00:00:00Z"), 1);
  // Every bin of the range, the empty ones too, so the bars' spacing is time.
  const bins = [];
  for (let t = lo; t < hi; t = addMonths(t, step)) {
    const counts = emptyCounts();
    let any = false;
    for (let m = 0; m < step; m++) {
      const c = model.months.get(monthKey(addMonths(t, m)));
      if (!c) continue;
      any = true;
      for (const [stage, n] of Object.entries(c)) addCounts(counts, stage, n);
    }
    bins.push({ t, counts: any ? counts : null });
  }
  const end = addMonths(bins.at(-1).t, step);
  const plotH = MC.height - MC.top - MC.bottom;
  const slot = plot / bins.length;
  const most = Math.max(1, ...bins.filter((b) => b.counts).map((b) => sumCounts(b.counts)));
  const y = (n) => MC.top + plotH - (n / most) * plotH;
  const x = (ms) => MC.left + ((ms - lo) / (end - lo)) * plot;
  const root = svg("svg", { viewBox: "0 0 " + width + " " + MC.height, width: "100%",
    role: "img", class: "months", "data-split": model.split ? "1" : "0", "data-bin": binName,
    "aria-label": "Storylines per " + binName + ", stacked by stage, " + keys[0] + " to " +
      keys.at(-1) });
  for (const n of niceSteps(most)) {
    root.append(svg("line", { x1: MC.left, x2: width - MC.right, y1: y(n), y2: y(n), class: "grid" }));
    const label = svg("text", { x: MC.left - 4, y: y(n) + 3, class: "tick", "text-anchor": "end" });
    label.textContent = NUMBER.format(n);
    root.append(label);
  }
  for (const tick of timeTicks(lo, end, plot)) {
    const tx = x(tick.ms);
    if (tx + MC.labelWidth > width) continue;  // a label cut off at the edge reads wrong
    root.append(svg("line", { x1: tx, x2: tx, y1: MC.top + plotH, y2: MC.top + plotH + 4, class: "axis" }));
    const label = svg("text", { x: tx + 2, y: MC.height - 8, class: "tick year" });
    label.textContent = tick.label;
    root.append(label);
  }
  const barW = Math.max(0.6, slot * 0.85);
  for (const { t, counts } of bins) {
    if (!counts) continue;
    const g = svg("g", { class: "month" });
    g.dataset.month = monthKey(t);
    g.dataset.months = String(step);
    let base = 0;
    for (const stage of stageOrder(counts)) {
      const n = counts[stage];
      g.append(svg("rect", { x: x(t), y: y(base + n), width: barW,
        height: Math.max(0.5, y(base) - y(base + n)), fill: colourOf(stage), class: "seg" }));
      base += n;
    }
    const label = step === 1 ? monthKey(t) : monthKey(t) + " – " + monthKey(addMonths(t, step - 1));
    svgTitle(g, label + ": " + plural(base, "storyline") + " (" + countsText(counts) +
      "); click to show this " + binName);
    root.append(g);
  }
  root.append(svg("line", { x1: MC.left, x2: width - MC.right, y1: MC.top + plotH,
    y2: MC.top + plotH, class: "axis" }));
  const note = step === 1 ? null : el("p", "One bar a " + binName + " at this width.", "muted small");
  box.append(root, stageKey(model));
  if (note) box.append(note);
}

// Gridline values for a count axis up to `most`: 1, 2 or 5 times a power of ten apart.
function niceSteps(most) {
  const raw = most / 4;
  const power = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || power * 10;
  const out = [];
  for (let n = step; n <= most; n += step) out.push(n);
  return out;
}

// --- country pairs ---------------------------------------------------------------------------

function renderPairs(model) {
  const box = document.getElementById("pairs");
  box.replaceChildren();
  if (!model || !model.pairs.size) {
    box.append(el("p", "No visits between countries to count.", "muted"));
    return;
  }
  // Both directions of a pair together, the busiest pairs first.
  const undirected = new Map();
  for (const [key, counts] of model.pairs) {
    const [a, b] = key.split(">");
    const id = [a, b].sort().join("|");
    const entry = undirected.get(id) || { total: 0, legs: [] };
    entry.total += sumCounts(counts);
    entry.legs.push({ from: a, to: b, counts });
    undirected.set(id, entry);
  }
  const rows = [...undirected.values()].sort((p, q) => q.total - p.total).slice(0, PAIR_ROWS);
  const most = Math.max(1, ...rows.flatMap((r) => r.legs.map((l) => sumCounts(l.counts))));
  const list = el("ol", null, "pairs");
  for (const row of rows) {
    row.legs.sort((p, q) => sumCounts(q.counts) - sumCounts(p.counts));
    const li = el("li", null, "pair");
    const [first] = row.legs;
    li.append(el("p", countryName(first.from) + " ⇄ " + countryName(first.to) + " · " +
      NUMBER.format(row.total), "pair-title"));
    for (const leg of row.legs) {
      const n = sumCounts(leg.counts);
      // A button: choosing a direction filters the page by it.
      const line = el("button", null, "leg");
      line.type = "button";
      line.dataset.from = leg.from;
      line.dataset.to = leg.to;
      const name = el("span", leg.from + " → " + leg.to, "leg-name");
      name.setAttribute("title", countryName(leg.from) + " → " + countryName(leg.to));
      const bar = el("span", null, "leg-bar");
      bar.style.width = (100 * n / most).toFixed(1) + "%";
      for (const stage of stageOrder(leg.counts)) {
        const seg = el("i", null, "seg");
        seg.style.width = (100 * leg.counts[stage] / n).toFixed(2) + "%";
        seg.style.background = colourOf(stage);
        seg.setAttribute("title", stageName(stage) + ": " + NUMBER.format(leg.counts[stage]));
        bar.append(seg);
      }
      const track = el("span", null, "leg-track");
      track.append(bar);
      line.append(name, track, el("span", NUMBER.format(n), "leg-count"));
      line.setAttribute("title", countryLabel(leg.from) + " → " + countryLabel(leg.to) + ": " +
        countsText(leg.counts) + "; choose to show these visits");
      li.append(line);
    }
    list.append(li);
  }
  box.append(list);
  box.append(stageKey(model));
  const unsplit = rows.some((r) => r.legs.some((l) => l.counts[ALL_STAGES]));
  box.append(el("p", "The " + plural(rows.length, "busiest pair") + " among the stored " +
    "storylines these filters keep; bar colours split each direction by stage" +
    (unsplit ? " (grey: counts the server did not split by stage)." : "."),
    "muted small"));
}

// --- the map ---------------------------------------------------------------------------------

// Equal Earth projection (Šavrič, Patterson, Jenny 2018), as d3-geo writes it.
const EE = { A1: 1.340264, A2: -0.081106, A3: 0.000893, A4: 0.003796, M: Math.sqrt(3) / 2 };

function equalEarth(lon, lat) {
  const lambda = lon * Math.PI / 180;
  const l = Math.asin(EE.M * Math.sin(lat * Math.PI / 180));
  const l2 = l * l;
  const l6 = l2 * l2 * l2;
  return [lambda * Math.cos(l) / (EE.M * (EE.A1 + 3 * EE.A2 * l2 + l6 * (7 * EE.A3 + 9 * EE.A4 * l2))),
    l * (EE.A1 + EE.A2 * l2 + l6 * (EE.A3 + EE.A4 * l2))];
}

const EE_HALF_WIDTH = equalEarth(180, 0)[0];
const MAP_SCALE = MAP.width / (2 * EE_HALF_WIDTH);
const MAP_TOP = -equalEarth(0, MAP.north)[1] * MAP_SCALE;
const MAP_HEIGHT = -equalEarth(0, MAP.south)[1] * MAP_SCALE - MAP_TOP;

function project(lon, lat) {
  const [px, py] = equalEarth(lon, lat);
  return [MAP.width / 2 + px * MAP_SCALE, -py * MAP_SCALE - MAP_TOP];
}

// The map's country table (names, ISO numeric ids, capitals): small, and wanted before the
// table is drawn, so that rows show names.
async function loadCountryTable() {
  const table = await fetch("/static/map-countries.json").then((r) => r.json());
  for (const [code, c] of Object.entries(table.countries)) {
    const known = countries.get(code);
    countries.set(code, known ? { ...c, ...known } : { ...c });
  }
  fillCountryList();
  return table.countries;
}

// The countries' shapes, projected and written as SVG path data at build time
// (scripts/build_map_data.py from the vendored world-atlas TopoJSON): the page parses them and
// draws them as they are, with no decoding or projecting on the first load.
async function loadWorld() {
  const world = await fetch("/static/map-land.json").then((r) => {
    if (!r.ok) throw new Error("the map's shapes did not load (" + r.status + ")");
    return r.json();
  });
  return world.features;
}

// Where a country's flows start and end: its capital, else the middle of its largest polygon.
function anchor(code, features) {
  const c = countries.get(code);
  if (c && typeof c.lon === "number") return project(c.lon, c.lat);
  const f = features.find((g) => g.code === code);
  return f && f.at ? f.at : null;
}

async function drawMap(model, pending) {
  const box = document.getElementById("map");
  let features;
  try {
    features = await worldReady;
  } catch (err) {
    box.replaceChildren(el("p", "The map could not be drawn: " + err.message, "status error"));
    return;
  }
  if (model !== statsModel && model !== null) return;  // a newer model is being drawn
  const filters = filterParams();
  const picked = new Set(COUNTRY_KEYS.map((k) => filters.get(k)).filter(Boolean)
    .map((v) => v.toUpperCase()));
  const root = svg("svg", { viewBox: "0 0 " + MAP.width + " " + MAP_HEIGHT.toFixed(0),
    width: "100%", class: "map", role: "group", "aria-label": "World map of visits" });
  const mostDest = model ? Math.max(1, ...model.destination.values()) : 1;
  const drawn = new Set();
  const land = svg("g", { class: "land" });
  for (const f of features) {
    const path = svg("path", { d: f.d, class: "country" });
    if (f.code) {
      drawn.add(f.code);
      decorateCountry(path, f.code, model, mostDest, picked);
    }
    land.append(path);
  }
  root.append(land);
  // Countries too small for the 110m geometry but in the counts: a dot at the capital.
  if (model) {
    for (const code of new Set([...model.visitor.keys(), ...model.destination.keys()])) {
      if (drawn.has(code) || code === "XIO") continue;
      const at = anchor(code, features);
      if (!at) continue;
      const dot = svg("circle", { cx: at[0].toFixed(1), cy: at[1].toFixed(1), r: MAP.dot,
        class: "country small" });
      decorateCountry(dot, code, model, mostDest, picked);
      land.append(dot);
    }
  }
  const flows = svg("g", { class: "flows" });
  let mapped = 0;
  let unmapped = 0;
  if (model) {
    const entries = [...model.pairs.entries()];
    const most = Math.max(1, ...entries.map(([, c]) => sumCounts(c)));
    // Thin flows first, so the busiest lie on top.
    entries.sort((p, q) => sumCounts(p[1]) - sumCounts(q[1]));
    for (const [key, counts] of entries) {
      const [from, to] = key.split(">");
      const a = anchor(from, features);
      const b = anchor(to, features);
      const n = sumCounts(counts);
      if (!a || !b || from === to) { unmapped += n; continue; }
      mapped += n;
      // Bent to the left of the direction of travel, so A→B and B→A are two arcs.
      const mx = (a[0] + b[0]) / 2;
      const my = (a[1] + b[1]) / 2;
      const dx = b[0] - a[0];
      const dy = b[1] - a[1];
      const bend = 0.2;
      const cx = mx + dy * bend;
      const cy = my - dx * bend;
      const stage = dominantStage(counts);
      const path = svg("path", {
        d: "M" + a[0].toFixed(1) + "," + a[1].toFixed(1) + "Q" + cx.toFixed(1) + "," +
          cy.toFixed(1) + " " + b[0].toFixed(1) + "," + b[1].toFixed(1),
        class: "flow", stroke: colourOf(stage),
        "stroke-width": (MAP.minFlow + (MAP.maxFlow - MAP.minFlow) * Math.sqrt(n / most)).toFixed(2),
      });
      path.dataset.from = from;
      path.dataset.to = to;
      path.dataset.stage = stage;
      svgTitle(path, countryLabel(from) + " → " + countryLabel(to) + ": " +
        plural(n, "storyline") + " (" + countsText(counts) + ")");
      flows.append(path);
      flows.append(svg("circle", { cx: b[0].toFixed(1), cy: b[1].toFixed(1), r: 2, class: "end",
        fill: colourOf(stage) }));
    }
  }
  root.append(flows);
  const note = el("p", null, "muted small map-note");
  if (!model) note.textContent = pending ? "Counting…" : "No counts to draw.";
  else if (!model.pairs.size) note.textContent = "No visits between countries match these filters.";
  else {
    note.textContent = "Lines: the " + plural(model.pairs.size, "busiest country pair") +
      " (" + plural(mapped, "storyline") + "), from the visitor's capital to the destination's," +
      " thicker for more storylines, coloured by their most common stage; countries shaded by" +
      " visits received." + (unmapped ? " " + plural(unmapped, "storyline") +
      " by international bodies or to places off the map are not drawn." : "");
  }
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.code : null;
  box.replaceChildren(root, note);
  if (focused) {
    const again = countryNode(focused);
    if (again) again.focus();
  }
}

function decorateCountry(node, code, model, mostDest, picked) {
  const out = model ? model.visitor.get(code) || 0 : 0;
  const inn = model ? model.destination.get(code) || 0 : 0;
  node.dataset.code = code;
  node.classList.add("pickable");
  if (inn) {
    // Shaded by visits received: a light-to-dark blue scale on the square root of the count.
    const t = Math.sqrt(inn / mostDest);
    node.style.fill = "rgb(" + Math.round(226 - 150 * t) + "," + Math.round(236 - 110 * t) + "," +
      Math.round(248 - 60 * t) + ")";
  }
  if (out || inn) node.classList.add("active");
  if (picked.has(code)) node.classList.add("picked");
  const label = countryLabel(code) + ": " + NUMBER.format(out) + " visits from, " +
    NUMBER.format(inn) + " to (top countries)";
  node.setAttribute("aria-label", label);
  node.setAttribute("role", "button");
  // Only countries with visits are in the tab order; every country can be clicked.
  node.setAttribute("tabindex", out || inn || picked.has(code) ? "0" : "-1");
  svgTitle(node, label);
}

let choiceCode = null;
let choiceReturn = null;

function openChoice(code, node, clientX, clientY) {
  const box = document.getElementById("map-choice");
  const panel = document.getElementById("map");
  choiceCode = code;
  choiceReturn = node;
  document.getElementById("map-choice-title").textContent = countryLabel(code);
  box.hidden = false;
  const rect = panel.getBoundingClientRect();
  let x = clientX;
  let y = clientY;
  if (x === undefined) {
    const r = node.getBoundingClientRect();
    x = r.left + r.width / 2;
    y = r.top + r.height / 2;
  }
  const left = Math.max(0, Math.min(rect.width - box.offsetWidth, x - rect.left + 8));
  const top = Math.max(0, Math.min(rect.height - box.offsetHeight, y - rect.top + 8));
  box.style.left = left.toFixed(0) + "px";
  box.style.top = (panel.offsetTop + top).toFixed(0) + "px";
  box.querySelector("button").focus();
}

function countryNode(code) {
  return document.querySelector("#map .pickable[data-code=\"" + CSS.escape(code) + "\"]");
}

function closeChoice(restoreFocus) {
  const box = document.getElementById("map-choice");
  if (box.hidden) return;
  box.hidden = true;
  // The map may have been drawn again meanwhile (the stage split arriving): the same country.
  const back = choiceReturn && choiceReturn.isConnected ? choiceReturn
    : (choiceCode ? countryNode(choiceCode) : null);
  if (restoreFocus && back) back.focus();
  choiceCode = null;
}

function pickCountry(side) {
  const code = choiceCode;
  closeChoice(!side);
  if (!side || !code) return;
  const form = document.getElementById("filters");
  form.elements[side].value = code;
  applyFilters(0);
}

// A click on a month's bar narrows the dates to that month (the date fields do the same from
// the keyboard).
function initMonths() {
  document.getElementById("months").addEventListener("click", (event) => {
    const bar = event.target.closest("g.month");
    if (!bar) return;
    const [y, m] = bar.dataset.month.split("-").map(Number);
    const months = Number(bar.dataset.months) || 1;
    const form = document.getElementById("filters");
    form.elements.from.value = bar.dataset.month + "-01";
    form.elements.to.value = new Date(Date.UTC(y, m - 1 + months, 0)).toISOString().slice(0, 10);
    applyFilters(0);
  });
}

function initPairs() {
  document.getElementById("pairs").addEventListener("click", (event) => {
    const leg = event.target.closest("button.leg");
    if (!leg) return;
    const form = document.getElementById("filters");
    form.elements.origin.value = leg.dataset.from;
    form.elements.destination.value = leg.dataset.to;
    form.elements.country.value = "";
    applyFilters(0);
  });
}

function initMap() {
  const box = document.getElementById("map");
  box.addEventListener("click", (event) => {
    const node = event.target.closest(".pickable");
    if (node) openChoice(node.dataset.code, node, event.clientX, event.clientY);
  });
  box.addEventListener("keydown", (event) => {
    const node = event.target.closest(".pickable");
    if (node && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      openChoice(node.dataset.code, node);
    }
  });
  const choice = document.getElementById("map-choice");
  choice.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (button) pickCountry(button.dataset.side);
  });
  choice.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); closeChoice(true); }
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest("#map-choice, #map")) closeChoice(false);
  });
}

function fillCountryList() {
  const list = document.getElementById("country-list");
  const options = [...countries.entries()].filter(([, c]) => c.name)
    .sort((a, b) => a[1].name.localeCompare(b[1].name));
  list.replaceChildren(...options.map(([code, c]) => {
    const option = el("option", c.name);
    option.value = code;
    return option;
  }));
}

// Names from the API's own table (it knows the international-body code too); the map's table
// covers the same countries when the endpoint is missing.
async function loadCountryNames() {
  try {
    const answer = await api("/api/countries");
    for (const c of answer.countries || []) {
      const known = countries.get(c.code) || {};
      countries.set(c.code, { ...known, name: c.name, iso2: c.iso2 });
    }
    fillCountryList();
  } catch (_) { /* the map's table has the names */ }
}

// --- the table ---------------------------------------------------------------------------------

function stageBadge(stage) {
  const badge = el("span", stageName(stage), "stage");
  badge.style.background = colourOf(stage);
  return badge;
}

function markSort() {
  const key = sortKey || DEFAULT_SORT;
  const descending = sortOrder ? sortOrder === "desc" : DESCENDING_FIRST.has(key);
  for (const th of document.querySelectorAll("#table th[data-sort]")) {
    if (th.dataset.sort === key) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    else th.removeAttribute("aria-sort");
  }
}

function sortBy(key) {
  const current = sortKey || DEFAULT_SORT;
  const descending = sortOrder ? sortOrder === "desc" : DESCENDING_FIRST.has(current);
  if (key === current) {
    sortOrder = descending ? "asc" : "desc";
  } else {
    sortOrder = DESCENDING_FIRST.has(key) ? "desc" : "asc";
  }
  sortKey = key;
  applyFilters(0);
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
    row.append(name, el("td", countryLabel(s.visitor.country)),
      el("td", countryLabel(s.destination.country) +
        (s.destination.city ? ", " + s.destination.city : "")),
      stage, el("td", whenText(s.when)), el("td", s.mentions ?? s.doc_ids.length),
      el("td", s.first_reported || ""));
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
  try { await namesReady; } catch (_) { /* codes only */ }
  const head = el("h1", who(s.visitor) + ", " + countryLabel(s.visitor.country) + " → " +
    countryLabel(s.destination.country) + (s.destination.city ? ", " + s.destination.city : ""));
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
    const option = el("option", stageName(stage));
    option.value = stage;
    select.append(option);
  }
  namesReady = loadCountryTable();
  namesReady.catch(() => null);  // rows then show codes only
  worldReady = loadWorld();
  worldReady.catch(() => null);  // shown where the map would be
  loadCountryNames();
  // The view's data is asked for first: the server works on it while the panels are built
  // (everything drawn from the answers waits on them, so the panels are ready by then).
  route();
  renderLegend();
  initMap();
  initMonths();
  initPairs();
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters(0);
  });
  document.getElementById("reset").addEventListener("click", () => {
    sortKey = "";
    sortOrder = "";
    navigate("/");
  });
  document.getElementById("prev").addEventListener("click",
    () => applyFilters(Math.max(0, pageOffset - PAGE_SIZE)));
  document.getElementById("next").addEventListener("click", () => applyFilters(pageOffset + PAGE_SIZE));
  for (const th of document.querySelectorAll("#table th[data-sort]")) {
    th.querySelector("button").addEventListener("click", () => sortBy(th.dataset.sort));
  }
  document.getElementById("submit-form").addEventListener("submit", submitDocument);
  // The monthly chart is drawn at the panel's width: drawn again when that changes.
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (statsModel) renderMonths(statsModel); }, RESIZE_DELAY_MS);
  });
}

init();
