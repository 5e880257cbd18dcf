// immunobalance browser UI: a small single-page app over the REST API (/api/v1).
// No framework, no CDN: DOM helpers below, Plotly served from the plotly Python package.
"use strict";

const API = "/api/v1";
const TOKEN_KEY = "immunobalance.token";

// ------------------------------------------------------------------------------- DOM helpers
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const badge = (text, kind) => el("span", { class: `badge ${kind || text}` }, String(text).replace(/_/g, " "));
const pct = (p) => (p === null || p === undefined ? "—" : `${(100 * p).toFixed(0)} %`);
const main = () => document.getElementById("main");
function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes);
  m.focus({ preventScroll: true });
}
function errorBox(err) {
  const box = el("div", { class: "error", role: "alert" }, err.message || String(err));
  if (err.problems && err.problems.length) {
    box.append(el("ul", {}, err.problems.map((p) => el("li", {}, `${p.path}: ${p.message}`))));
  }
  return box;
}

// ------------------------------------------------------------------------------- API access
function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
async function api(path, options = {}) {
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  const response = await fetch(path.startsWith("/") ? path : `${API}/${path}`, {
    method: options.method || "GET", headers, body: options.body,
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const err = new Error(`${response.status}: ${(data && data.detail) || response.statusText}`);
    err.status = response.status;
    err.problems = (data && data.problems) || [];
    throw err;
  }
  return data;
}

// ------------------------------------------------------------------------------- token form
function setupToken() {
  const form = document.getElementById("token-form");
  const state = document.getElementById("token-state");
  const refresh = () => { state.textContent = token() ? "token set" : "no token"; };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("token-input");
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = "";
    try {
      await api("kb/diseases");
      state.textContent = "token accepted";
    } catch (err) {
      state.textContent = err.status === 401 ? "token rejected" : "error";
    }
    route();
  });
  refresh();
}

// ------------------------------------------------------------------------------- patients
async function patientsPage() {
  const list = await api("patients");
  const table = el("table", { "aria-label": "Patients" },
    el("thead", {}, el("tr", {}, ["Patient", "Sex", "Age / birth date", "Visits", "Last visit"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, list.map((p) => el("tr", {},
      el("td", {}, el("a", { href: `#/patients/${encodeURIComponent(p.id)}` }, p.id)),
      el("td", {}, p.sex),
      el("td", {}, p.birth_date || (p.age_years ? `${p.age_years} y` : "—")),
      el("td", {}, p.visits),
      el("td", {}, p.last_visit || "—")))));
  const upload = el("textarea", { id: "record-json", rows: 6, cols: 80, "aria-label": "Patient record JSON" });
  const message = el("div", { role: "status", "aria-live": "polite" });
  const form = el("form", { class: "card", onsubmit: async (e) => {
    e.preventDefault();
    message.replaceChildren();
    try {
      const created = await api("patients", { method: "POST", json: JSON.parse(upload.value) });
      location.hash = `#/patients/${encodeURIComponent(created.id)}`;
    } catch (err) { message.replaceChildren(errorBox(err)); }
  } }, el("h2", {}, "Add a patient"),
    el("label", { for: "record-json" }, "Patient record (JSON) or FHIR R4 Bundle"), upload,
    el("div", {}, el("button", { type: "submit" }, "Add patient")), message);
  show(el("h1", {}, "Patients"), list.length ? table : el("p", { class: "muted" }, "No patients stored yet."), form);
}

function bandsFor(indexInfo, key) {
  return (indexInfo.find((i) => i.key === key) || { bands: [] }).bands;
}

const PRIMARY_ORDER = ["CDAI", "SDAI", "DAS28CRP", "DAS28ESR", "PASI", "SLEDAI2K", "MAYO", "PARTIAL_MAYO", "HBI", "EDSS"];
const BAND_COLOURS = { remission: "rgba(35,120,74,0.12)", clear: "rgba(35,120,74,0.12)", low: "rgba(35,120,74,0.06)",
  mild: "rgba(35,120,74,0.06)" };

function timelinePlot(node, timeline, indexInfo, primary) {
  const keys = [...new Set(timeline.visits.flatMap((v) => Object.keys(v.indices)))];
  const traces = keys.map((key) => {
    const pts = timeline.visits.filter((v) => v.indices[key]);
    return { x: pts.map((v) => v.date), y: pts.map((v) => v.indices[key].value), name: key,
      mode: "lines+markers", type: "scatter", yaxis: key === primary ? "y" : "y",
      text: pts.map((v) => v.indices[key].category || ""), hovertemplate: "%{x}: %{y} (%{text})<extra>" + key + "</extra>" };
  });
  const dates = timeline.visits.map((v) => v.date);
  const therapies = timeline.therapies.filter((t) => t.start);
  const end = dates.length ? dates[dates.length - 1] : new Date().toISOString().slice(0, 10);
  therapies.forEach((t, i) => {
    traces.push({ x: [t.start, t.stop || end], y: [t.agent, t.agent], mode: "lines", type: "scatter",
      line: { width: 12 }, name: t.agent, yaxis: "y2", showlegend: false,
      hovertemplate: `${t.agent} ${t.dose || ""} every ${t.every || "?"} (${t.outcome || "ongoing"})<extra></extra>` });
  });
  const shapes = [];
  let lower = 0;
  for (const band of bandsFor(indexInfo, primary)) {
    if (band.upper === null) break;
    if (BAND_COLOURS[band.name]) {
      shapes.push({ type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0: lower, y1: band.upper,
        fillcolor: BAND_COLOURS[band.name], line: { width: 0 }, layer: "below" });
    }
    lower = band.upper;
  }
  timeline.actions.forEach((a) => shapes.push({ type: "line", xref: "x", x0: a.date, x1: a.date, yref: "paper",
    y0: 0, y1: 1, line: { color: "#888", dash: "dot", width: 1 } }));
  const layout = {
    margin: { t: 30, r: 20, b: 40, l: 110 }, height: 420, hovermode: "closest",
    yaxis: { domain: therapies.length ? [0.38, 1] : [0, 1], title: "index value", rangemode: "tozero" },
    yaxis2: { domain: [0, 0.28], type: "category", automargin: true },
    xaxis: { type: "date" }, shapes, legend: { orientation: "h", y: -0.12 },
    annotations: timeline.actions.map((a) => ({ x: a.date, y: 1, xref: "x", yref: "paper", text: a.kind.replace(/_/g, " "),
      showarrow: false, yanchor: "bottom", font: { size: 10 } })),
  };
  window.Plotly.newPlot(node, traces, layout, { responsive: true, displaylogo: false });
}

function actionCard(a) {
  return el("div", { class: "card action", "data-kind": a.kind },
    el("div", {}, badge(a.kind), " ", el("strong", {}, a.summary), " ", el("span", { class: "muted" }, `(${a.date})`)),
    a.target ? el("div", { class: "muted" }, `Target: ${a.target}`) : null,
    el("ul", { class: "reasons" }, a.reasons.map((r) => el("li", {}, r))),
    a.safety_alerts.length ? el("ul", { class: "reasons" }, a.safety_alerts.map((s) => el("li", {}, badge(s.severity), " ", s.message))) : null,
    a.candidates.length ? el("div", {}, "Twin candidates: ", a.candidates.map((c) => `${c.agents.join(" + ")} (${pct(c.probability)})`).join("; ")) : null,
    el("details", {}, el("summary", {}, "Sources"), el("ul", {}, a.sources.map((s) => el("li", {}, s)))));
}

function twinPlot(node, rec) {
  const ranked = rec.options.filter((o) => o.rank !== null && o.predicted).slice(0, 12);
  const names = ranked.map((o) => `${o.rank}. ${[...new Set(o.regimen.map((r) => r.agent))].join(" + ")}`);
  const p = ranked.map((o) => o.predicted.probability);
  const trace = { type: "scatter", mode: "markers", x: p, y: names, name: "twin",
    error_x: { type: "data", symmetric: false, array: ranked.map((o) => o.predicted.ci95[1] - o.predicted.probability),
      arrayminus: ranked.map((o) => o.predicted.probability - o.predicted.ci95[0]) } };
  const pop = { type: "scatter", mode: "markers", x: ranked.map((o) => o.predicted.population_probability), y: names,
    name: "population", marker: { symbol: "line-ns-open", size: 14 } };
  const endpoint = ranked.length ? ranked[0].predicted.endpoint : "";
  window.Plotly.newPlot(node, [trace, pop], {
    title: { text: `Twin prediction (top ${ranked.length}) with 95 % interval: ${endpoint}`, font: { size: 14 } },
    margin: { t: 40, r: 20, b: 40, l: 220 }, height: 80 + 32 * Math.max(ranked.length, 3),
    xaxis: { range: [0, 1], tickformat: ".0%", title: "probability" }, yaxis: { autorange: "reversed", automargin: true },
  }, { responsive: true, displaylogo: false });
}

async function dashboardPage(id) {
  const [patient, timeline, assessment, indexInfo] = await Promise.all([
    api(`patients/${encodeURIComponent(id)}`), api(`patients/${encodeURIComponent(id)}/timeline`),
    api(`patients/${encodeURIComponent(id)}/assessment`), api("kb/indices")]);
  const latestAction = timeline.actions[timeline.actions.length - 1];
  const keys = Object.keys(assessment.indices || {});
  const primary = (latestAction && latestAction.index) || PRIMARY_ORDER.find((k) => keys.includes(k)) || keys[0];
  const plot = el("div", { id: "timeline-plot", class: "plot", role: "img", "aria-label": "Disease-activity timeline with therapy bars and target bands" });
  const twin = el("div", { id: "twin-plot", class: "plot", role: "img", "aria-label": "Twin prediction intervals per option" });
  const twinState = el("p", { class: "muted", role: "status", "aria-live": "polite" }, "Computing the digital twin (may take a while on a cold cache)…");
  const indexRows = Object.entries(assessment.indices || {}).map(([k, r]) => el("tr", {}, el("td", {}, k), el("td", {}, r.value), el("td", {}, r.category || "—"), el("td", {}, r.date)));
  const responses = Object.entries(assessment.response || {}).map(([k, v]) => el("li", {}, `${k}: ${v}`));
  const current = patient.medications.filter((m) => !m.stop && !["inadequate_response", "loss_of_response", "intolerance", "adverse_event"].includes(m.outcome));
  const visitForm = visitFormCard(id);
  show(
    el("h1", {}, `Patient ${patient.id}`),
    el("div", { class: "grid" },
      el("div", { class: "card" }, el("h2", {}, "Summary"),
        el("div", {}, `Disease: ${(assessment.disease || "none").replace(/_/g, " ")}`),
        el("div", {}, `Sex: ${patient.sex}; born ${patient.birth_date || "—"}; weight ${patient.weight_kg || "—"} kg`),
        el("div", {}, `Conditions: ${patient.conditions.map((c) => c.code).join(", ") || "—"}`),
        el("div", {}, `Current therapy: ${current.map((m) => `${m.agent} ${m.dose || ""}`).join(", ") || "none"}`),
        el("p", {}, el("a", { class: "button", href: `#/patients/${encodeURIComponent(id)}/recommendations` }, "Open recommendations"))),
      el("div", { class: "card" }, el("h2", {}, "Latest indices"),
        el("table", {}, el("thead", {}, el("tr", {}, ["index", "value", "category", "date"].map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, indexRows)),
        responses.length ? el("div", {}, el("h2", {}, "Response vs baseline"), el("ul", {}, responses)) : null)),
    el("div", { class: "card" }, el("h2", {}, "Timeline"),
      el("p", { class: "muted" }, primary ? `Shaded: ${primary} target bands (remission, low activity); dotted lines: treat-to-target actions; bars: therapies.` : ""), plot),
    el("div", { class: "card" }, el("h2", {}, "Treat-to-target actions"),
      timeline.actions.length ? el("div", { id: "actions" }, [...timeline.actions].reverse().map(actionCard)) : el("p", { class: "muted" }, "No action proposed yet.")),
    el("div", { class: "card" }, el("h2", {}, "Digital twin prediction"), twinState, twin),
    visitForm);
  timelinePlot(plot, timeline, indexInfo, primary);
  try {
    const rec = await api(`patients/${encodeURIComponent(id)}/recommendations`);
    twinState.textContent = `Twin: ${rec.twin ? `${rec.twin.n} virtual patients, effective sample size ${rec.twin.ess}` : ""}`;
    twinPlot(twin, rec);
  } catch (err) { twinState.replaceChildren(errorBox(err)); }
}

function visitFormCard(id) {
  const today = new Date().toISOString().slice(0, 10);
  const rows = el("div", {});
  const addRow = (code = "", value = "", unit = "") => {
    const n = rows.children.length;
    rows.append(el("div", { class: "row obs-row" },
      el("div", {}, el("label", { for: `obs-code-${n}` }, "code"), el("input", { id: `obs-code-${n}`, name: "code", value: code, size: 10 })),
      el("div", {}, el("label", { for: `obs-value-${n}` }, "value"), el("input", { id: `obs-value-${n}`, name: "value", value, size: 8 })),
      el("div", {}, el("label", { for: `obs-unit-${n}` }, "unit (UCUM)"), el("input", { id: `obs-unit-${n}`, name: "unit", value: unit, size: 8 }))));
  };
  ["TJC28", "SJC28", "PTGA", "PHGA", "CRP"].forEach((c) => addRow(c, "", c === "CRP" ? "mg/L" : ""));
  const message = el("div", { role: "status", "aria-live": "polite" });
  const date = el("input", { id: "visit-date", type: "date", value: today, required: true });
  return el("form", { class: "card", id: "visit-form", onsubmit: async (e) => {
    e.preventDefault();
    const observations = [...rows.querySelectorAll(".obs-row")].map((r) => {
      const get = (n) => r.querySelector(`[name=${n}]`).value.trim();
      if (!get("code") || get("value") === "") return null;
      const raw = get("value");
      const num = Number(raw);
      const value = raw === "true" ? true : raw === "false" ? false : Number.isNaN(num) ? raw : num;
      return Object.assign({ code: get("code"), value }, get("unit") ? { unit: get("unit") } : {});
    }).filter(Boolean);
    try {
      const created = await api(`patients/${encodeURIComponent(id)}/visits`, { method: "POST", json: { date: date.value, observations } });
      message.replaceChildren(el("p", {}, `Visit ${created.id} stored.`), created.action ? actionCard(created.action) : "");
      setTimeout(() => route(), 1200);
    } catch (err) { message.replaceChildren(errorBox(err)); }
  } }, el("h2", {}, "Add a visit"), el("label", { for: "visit-date" }, "date"), date, rows,
    el("div", { class: "row" }, el("button", { type: "button", class: "secondary", onclick: () => addRow() }, "Add observation"),
      el("button", { type: "submit" }, "Store visit")), message);
}

async function recommendationsPage(id) {
  show(el("h1", {}, `Recommendations for ${id}`), el("p", { class: "muted", role: "status" }, "Computing the digital twin…"));
  const rec = await api(`patients/${encodeURIComponent(id)}/recommendations`);
  const name = (o) => [...new Set(o.regimen.map((r) => r.agent))].join(" + ");
  const regimen = (o) => o.regimen.map((r) => `${r.agent} ${r.dose} ${r.route}${r.every ? ` every ${r.every}` : r.at_weeks ? ` at weeks ${r.at_weeks.map((w) => +(+w).toFixed(2)).join(", ")}` : ""}`).join("; ");
  const ranked = rec.options.filter((o) => o.rank !== null);
  const excluded = rec.options.filter((o) => o.rank === null);
  const twinNode = el("div", { id: "rec-twin-plot", class: "plot", role: "img", "aria-label": "Predicted probability with 95 % interval per option" });
  show(
    el("h1", {}, `Recommendations for ${rec.patient}`),
    el("p", {}, `${rec.disease.replace(/_/g, " ")} — ${rec.population ? rec.population.replace(/_/g, " ") : ""}. ${rec.line_of_therapy || ""}`),
    el("div", { class: "card" }, twinNode),
    el("h2", {}, "Ranked options"),
    el("table", { id: "ranked-options" },
      el("thead", {}, el("tr", {}, ["#", "regimen", "status", "predicted (95 % CI)", "reasons", "warnings"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ranked.map((o) => el("tr", {},
        el("td", {}, o.rank), el("td", {}, el("strong", {}, name(o)), el("div", { class: "muted" }, regimen(o))), el("td", {}, badge(o.status)),
        el("td", {}, o.predicted ? `${pct(o.predicted.probability)} (${pct(o.predicted.ci95[0])}–${pct(o.predicted.ci95[1])}) ${o.predicted.endpoint}` : "—"),
        el("td", {}, el("ul", { class: "reasons" }, o.reasons.map((r) => el("li", {}, r)))),
        el("td", {}, el("ul", { class: "reasons" }, o.warnings.map((w) => el("li", {}, w)))))))),
    el("h2", {}, "Excluded options"),
    el("table", { id: "excluded-options" },
      el("thead", {}, el("tr", {}, ["regimen", "reason", "rule"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, excluded.map((o) => el("tr", {}, el("td", {}, name(o)), el("td", {}, o.reasons.join("; ")),
        el("td", {}, (o.excluded_by || []).map((x) => x.rule_id).join(", ")))))),
    rec.not_offered && rec.not_offered.length ? el("details", {}, el("summary", {}, "Not offered"),
      el("ul", {}, rec.not_offered.map((x) => el("li", {}, `${x.agent}: ${x.reason}`)))) : null,
    el("p", {}, el("a", { href: `#/patients/${encodeURIComponent(id)}` }, "← back to the dashboard")));
  twinPlot(twinNode, rec);
}

// ------------------------------------------------------------------------------- trials
async function trialsPage() {
  const [diseases, populations, agents] = await Promise.all([api("kb/diseases"), api("kb/populations"), api("kb/agents")]);
  const disease = el("select", { id: "trial-disease", name: "disease" }, diseases.map((d) => el("option", { value: d.key }, d.name)));
  const population = el("select", { id: "trial-population", name: "population" });
  const endpoints = el("input", { id: "trial-endpoints", value: "", size: 40 });
  const fillPopulations = () => {
    population.replaceChildren(...populations.filter((p) => p.disease === disease.value).map((p) => el("option", { value: p.key }, p.name)));
    const d = diseases.find((x) => x.key === disease.value);
    endpoints.value = (d ? d.endpoints : []).slice(0, 3).join(", ");
  };
  disease.addEventListener("change", fillPopulations);
  const agentList = el("datalist", { id: "agent-keys" }, agents.map((a) => el("option", { value: a.key })));
  const arms = el("div", { id: "arms" });
  const addArm = (armName = "", items = []) => {
    const n = arms.children.length;
    const itemsBox = el("div", {});
    const addItem = (it = {}) => {
      const m = itemsBox.children.length;
      const id = (f) => `arm-${n}-${m}-${f}`;
      itemsBox.append(el("div", { class: "row item" },
        el("div", {}, el("label", { for: id("agent") }, "agent"), el("input", { id: id("agent"), name: "agent", list: "agent-keys", value: it.agent || "" })),
        el("div", {}, el("label", { for: id("dose") }, "dose"), el("input", { id: id("dose"), name: "dose", value: it.dose || "", size: 8 })),
        el("div", {}, el("label", { for: id("route") }, "route"), el("select", { id: id("route"), name: "route" }, ["sc", "iv", "oral", "im"].map((r) => el("option", { value: r, selected: it.route === r }, r)))),
        el("div", {}, el("label", { for: id("every") }, "every"), el("input", { id: id("every"), name: "every", value: it.every || "", size: 8 }))));
    };
    items.forEach(addItem);
    arms.append(el("fieldset", { class: "arm" }, el("legend", {}, `Arm ${n + 1}`),
      el("label", { for: `arm-${n}-name` }, "arm name"), el("input", { id: `arm-${n}-name`, name: "arm-name", value: armName }),
      itemsBox, el("button", { type: "button", class: "secondary", onclick: () => addItem() }, "Add agent")));
  };
  addArm("placebo", []);
  addArm("active", [{ agent: "", dose: "", route: "sc", every: "" }]);
  const out = el("div", { id: "trial-output", role: "status", "aria-live": "polite" });
  const field = (label, input) => el("div", {}, el("label", { for: input.id }, label), input);
  const form = el("form", { class: "card", id: "trial-form", onsubmit: async (e) => {
    e.preventDefault();
    const spec = {
      trial: { name: document.getElementById("trial-name").value, disease: disease.value, population: population.value,
        n_per_arm: Number(document.getElementById("trial-n").value), weeks: Number(document.getElementById("trial-weeks").value),
        seed: Number(document.getElementById("trial-seed").value) },
      arms: [...arms.querySelectorAll("fieldset")].map((fs) => ({ name: fs.querySelector("[name=arm-name]").value,
        regimen: [...fs.querySelectorAll(".item")].map((it) => {
          const get = (n) => it.querySelector(`[name=${n}]`).value.trim();
          return Object.assign({ agent: get("agent"), dose: get("dose"), route: get("route") }, get("every") ? { every: get("every") } : {});
        }).filter((i) => i.agent) })),
      endpoints: { codes: endpoints.value.split(",").map((s) => s.trim()).filter(Boolean),
        at_weeks: document.getElementById("trial-at").value.split(",").map((s) => Number(s.trim())).filter((x) => !Number.isNaN(x)) },
    };
    out.replaceChildren();
    try {
      const submitted = await api("trials", { method: "POST", json: spec });
      followTrial(submitted.id, out);
    } catch (err) { out.replaceChildren(errorBox(err)); }
  } },
    el("h2", {}, "Design"),
    el("div", { class: "row" },
      field("name", el("input", { id: "trial-name", value: "UI trial", required: true })), field("disease", disease), field("population", population),
      field("virtual patients per arm", el("input", { id: "trial-n", type: "number", min: 10, value: 200 })),
      field("weeks", el("input", { id: "trial-weeks", type: "number", min: 1, value: 12 })),
      field("seed", el("input", { id: "trial-seed", type: "number", value: 1 }))),
    el("h2", {}, "Arms"), arms, agentList,
    el("button", { type: "button", class: "secondary", onclick: () => addArm() }, "Add arm"),
    el("h2", {}, "Endpoints"),
    el("div", { class: "row" }, field("codes (comma-separated)", endpoints),
      field("at weeks", el("input", { id: "trial-at", value: "12", size: 10 }))),
    el("p", {}, el("button", { type: "submit" }, "Run trial")));
  show(el("h1", {}, "Trial designer"), form, out);
  fillPopulations();
}

async function followTrial(id, out) {
  const bar = el("progress", { max: 1, value: 0, "aria-label": "trial progress" });
  const state = el("div", {}, "queued");
  out.replaceChildren(el("div", { class: "card" }, el("h2", {}, `Trial ${id}`), state, bar));
  for (;;) {
    const t = await api(`trials/${id}`);
    bar.value = t.progress;
    state.replaceChildren(badge(t.status), ` ${(100 * t.progress).toFixed(0)} %`);
    if (t.status === "failed") { out.append(errorBox(new Error(t.error || "trial failed"))); return; }
    if (t.status === "done") { out.append(trialResult(t.result)); return; }
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
}

function trialResult(result) {
  const node = el("div", { id: "trial-plot", class: "plot", role: "img", "aria-label": "Trial result per arm and endpoint" });
  const keys = [...new Set(result.arms.flatMap((a) => Object.keys(a.endpoints)))];
  const traces = result.arms.map((arm) => ({
    type: "bar", name: arm.name, x: keys, y: keys.map((k) => (arm.endpoints[k] ? arm.endpoints[k].value : null)),
    error_y: { type: "data", symmetric: false,
      array: keys.map((k) => (arm.endpoints[k] && arm.endpoints[k].ci95 ? arm.endpoints[k].ci95[1] - arm.endpoints[k].value : 0)),
      arrayminus: keys.map((k) => (arm.endpoints[k] && arm.endpoints[k].ci95 ? arm.endpoints[k].value - arm.endpoints[k].ci95[0] : 0)) },
  }));
  const card = el("div", { class: "card", id: "trial-result" }, el("h2", {}, `Result: ${result.trial || ""}`), node);
  setTimeout(() => window.Plotly.newPlot(node, traces, { barmode: "group", margin: { t: 30, r: 20, b: 60, l: 60 }, height: 400,
    title: { text: "Endpoints per arm (95 % CI)", font: { size: 14 } } }, { responsive: true, displaylogo: false }), 0);
  return card;
}

// ------------------------------------------------------------------------------- knowledge base
async function kbPage(key) {
  if (key) {
    const a = await api(`kb/agents/${encodeURIComponent(key)}`);
    const list = (title, items) => (items && items.length ? el("div", {}, el("h2", {}, title), el("ul", {}, items.map((x) => el("li", {}, typeof x === "string" ? x : JSON.stringify(x))))) : null);
    show(el("h1", {}, `${a.name} (${a.key})`),
      el("div", { class: "card" }, el("div", {}, `Class: ${a.class.replace(/_/g, " ")}; modality: ${a.modality.replace(/_/g, " ")}; targets: ${a.targets.join(", ")}`),
        el("p", {}, a.mechanism)),
      el("div", { class: "card" }, list("Approvals", (a.approvals || []).map((x) => `${x.disease}: ${x.status || ""} ${x.source || ""}`)),
        list("Warnings", (a.warnings || []).map((w) => (typeof w === "string" ? w : `${w.text || JSON.stringify(w)}`))),
        list("Sources", a.sources)),
      el("details", { class: "card" }, el("summary", {}, "Full record (JSON)"), el("pre", {}, JSON.stringify(a, null, 2))),
      el("p", {}, el("a", { href: "#/kb" }, "← all agents")));
    return;
  }
  const [agents, diseases] = await Promise.all([api("kb/agents"), api("kb/diseases")]);
  const filter = el("select", { id: "kb-disease" }, el("option", { value: "" }, "all diseases"), diseases.map((d) => el("option", { value: d.key }, d.name)));
  const search = el("input", { id: "kb-search", type: "search", placeholder: "name, class or target" });
  const body = el("tbody", {});
  const render = () => {
    const q = search.value.toLowerCase();
    body.replaceChildren(...agents.filter((a) => (!filter.value || a.diseases.includes(filter.value)) &&
      (!q || `${a.key} ${a.name} ${a.class} ${a.targets.join(" ")}`.toLowerCase().includes(q))).map((a) => el("tr", {},
      el("td", {}, el("a", { href: `#/kb/${a.key}` }, a.name)), el("td", {}, a.class.replace(/_/g, " ")), el("td", {}, a.targets.join(", ")),
      el("td", {}, a.status), el("td", {}, a.diseases.map((d) => d.replace(/_/g, " ")).join(", ")))));
  };
  filter.addEventListener("change", render);
  search.addEventListener("input", render);
  show(el("h1", {}, "Knowledge base"),
    el("div", { class: "row" }, el("div", {}, el("label", { for: "kb-disease" }, "disease"), filter), el("div", {}, el("label", { for: "kb-search" }, "search"), search)),
    el("table", { id: "kb-agents" }, el("thead", {}, el("tr", {}, ["agent", "class", "targets", "status", "diseases"].map((h) => el("th", { scope: "col" }, h)))), body),
    el("h2", {}, "Diseases"), el("ul", {}, diseases.map((d) => el("li", {}, `${d.name}: indices ${d.indices.join(", ")}`))));
  render();
}

// ------------------------------------------------------------------------------- router
async function route() {
  const parts = (location.hash || "#/patients").slice(2).split("/").map(decodeURIComponent);
  document.querySelectorAll("[data-nav]").forEach((a) => a.removeAttribute("aria-current"));
  const nav = document.querySelector(`[data-nav="${parts[0] || "patients"}"]`);
  if (nav) nav.setAttribute("aria-current", "page");
  if (!token()) {
    show(el("h1", {}, "Welcome"), el("p", {}, "Enter an API token above (", el("code", {}, "immunobalance token create --role clinician"), ")."));
    return;
  }
  try {
    if (parts[0] === "patients" && parts[1] && parts[2] === "recommendations") await recommendationsPage(parts[1]);
    else if (parts[0] === "patients" && parts[1]) await dashboardPage(parts[1]);
    else if (parts[0] === "trials") await trialsPage();
    else if (parts[0] === "kb") await kbPage(parts[1]);
    else await patientsPage();
  } catch (err) {
    show(el("h1", {}, "Error"), errorBox(err));
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => { setupToken(); route(); });
