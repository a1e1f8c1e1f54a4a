// Live dashboard: polls the trainer's JSON endpoints once a second.
//
// State: `models` (the latest /models listing), `curves` (per model, every curve point received so
// far: the server keeps points forever once kept, so asking for the points after the last step we
// hold keeps us in step), `inspected` (the model whose weights and raw loss are shown) and
// `plotted` (the models whose loss EMA is drawn, and whose accuracy EMA too if they classify). The two choices live in the URL:
// ?model=ID&plot=ID,ID — a reload or a shared link shows the same view.
(function () {
  "use strict";

  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
  const MAX_DEFAULT_PLOTTED = 5;

  const curves = new Map();   // model id → {step: [], loss: [], lossEma: [], accuracyEma: [], last: step}
  let models = [];
  let inspected = null;
  let plotted = [];
  let explicitPlot = false;   // the user (or the URL) chose the plotted set
  let curvePlot = null, curveKey = "";
  let ratePlot = null;
  let accuracyPlot = null, accuracyKey = "";

  // --- numbers: one format everywhere, 6 significant figures -------------------------------
  function fmt(x) {
    if (x === null || x === undefined || Number.isNaN(x)) return "–";
    if (x === 0) return "0";
    const a = Math.abs(x);
    return a >= 1e-4 && a < 1e6 ? String(+x.toPrecision(6)) : x.toExponential(5).replace(/\.?0+e/, "e");
  }

  function fmtTick(v) {
    if (v == null) return "";
    const a = Math.abs(v);
    return a === 0 || (a >= 1e-3 && a < 1e5) ? String(+v.toPrecision(6)) : v.toExponential(0);
  }

  function colourOf(id) {
    const sorted = models.map(m => m.modelId).sort();
    const k = sorted.indexOf(id);
    return PALETTE[(k < 0 ? 0 : k) % PALETTE.length];
  }

  // --- the URL keeps the choice -------------------------------------------------------------
  function readUrl() {
    const q = new URLSearchParams(location.search);
    if (q.has("model")) inspected = q.get("model");
    if (q.has("plot")) {
      plotted = q.get("plot").split(",").filter(s => s.length > 0);
      explicitPlot = true;
    }
  }

  function writeUrl() {
    const q = new URLSearchParams();
    if (inspected !== null) q.set("model", inspected);
    if (explicitPlot) q.set("plot", plotted.join(","));
    const search = q.toString();
    history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
  }

  // --- requests -----------------------------------------------------------------------------
  // With `run --http-token-file`, open the page as /#token=TOKEN: the fragment never leaves the
  // browser; the page keeps the token for this tab only and sends it as a bearer token.
  const token = (function () {
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      let t = m[1];
      try { t = decodeURIComponent(t); } catch (e) { /* not %-encoded: use it as it is */ }
      sessionStorage.setItem("bps-token", t);
      history.replaceState(null, "", location.pathname + location.search);
    }
    return sessionStorage.getItem("bps-token");
  })();

  async function getJson(url) {
    const headers = token ? { "Authorization": "Bearer " + token } : {};
    const r = await fetch(url, { cache: "no-store", headers: headers });
    if (!r.ok) throw new Error(url + " → " + r.status);
    return r.json();
  }

  // --- the models table ---------------------------------------------------------------------
  // Server values come from Kafka and are untrusted: cells are filled as text, never parsed as HTML.
  function cell(tr, value) {
    const td = document.createElement("td");
    td.textContent = String(value);
    tr.appendChild(td);
    return td;
  }

  function inspect(id) {
    if (id === inspected) return;
    inspected = id;
    writeUrl();
    renderSelection();
    refreshCurves();
  }

  function togglePlotted(id, on) {
    explicitPlot = true;
    plotted = on ? [...new Set([...plotted, id])] : plotted.filter(p => p !== id);
    writeUrl();
    refreshCurves();
  }

  function renderSelection() {
    document.getElementById("curve-model").textContent = inspected === null ? "" : inspected;
    document.getElementById("weights-model").textContent = inspected === null ? "" : inspected;
    document.querySelectorAll("#models tbody tr").forEach(tr => tr.classList.toggle("selected", tr.dataset.model === inspected));
  }

  function renderModels() {
    const tbody = document.querySelector("#models tbody");
    tbody.replaceChildren();
    for (const m of models) {
      const tr = document.createElement("tr");
      tr.dataset.model = m.modelId;
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = plotted.includes(m.modelId);
      box.title = "draw this model's loss EMA";
      box.addEventListener("click", e => { e.stopPropagation(); togglePlotted(m.modelId, box.checked); });
      const first = document.createElement("td");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colourOf(m.modelId);
      first.append(box, swatch);
      tr.appendChild(first);
      cell(tr, m.modelId).title = m.modelId;   // a long id is cut with an ellipsis; the whole id on hover
      if (m.unavailable !== undefined) {
        // a model whose stored state cannot be read: say why, keep every other row live
        cell(tr, "unavailable");
        cell(tr, m.unavailable);
        cell(tr, "–");
        cell(tr, "–");
      } else {
        cell(tr, m.shape.join("-"));
        cell(tr, m.step);
        cell(tr, fmt(m.lossEma));
        cell(tr, m.samplesPerSecond === undefined ? "–" : fmt(Math.round(m.samplesPerSecond)));
        tr.addEventListener("click", () => inspect(m.modelId));
      }
      tbody.appendChild(tr);
    }
    renderSelection();
  }

  /** Until the user chooses: the first model inspected, the first few drawn. */
  function chooseDefaults() {
    const ids = models.filter(m => m.unavailable === undefined).map(m => m.modelId);
    if (inspected === null && ids.length > 0) inspected = ids[0];
    if (!explicitPlot) plotted = ids.slice(0, MAX_DEFAULT_PLOTTED);
  }

  // --- the learning curves ------------------------------------------------------------------
  /** Appends the points after the last one held; one request per model at a time, so none is appended twice. */
  function fetchCurve(id) {
    let c = curves.get(id);
    if (!c) { c = { step: [], loss: [], lossEma: [], accuracyEma: [], drifts: [], last: 0, inflight: null }; curves.set(id, c); }
    if (!c.inflight) c.inflight = appendCurve(c, id).finally(() => { c.inflight = null; });
    return c.inflight;
  }

  async function appendCurve(c, id) {
    const got = await getJson(`/models/${encodeURIComponent(id)}/curve?since=${encodeURIComponent(c.last)}`).catch(() => null);
    if (got && Array.isArray(got.drifts)) c.drifts = got.drifts;
    if (!got || got.step.length === 0) return;
    if (got.step[0] <= c.last) { c.step = []; c.loss = []; c.lossEma = []; c.accuracyEma = []; }   // a reset: a new history
    const acc = got.accuracyEma || [];
    for (let k = 0; k < got.step.length; k++) {
      c.step.push(got.step[k]);
      // the y-axis is logarithmic: a loss of exactly 0 is drawn at the smallest double, not dropped
      c.loss.push(Math.max(got.loss[k], 1e-300));
      c.lossEma.push(Math.max(got.lossEma[k], 1e-300));
      // null until the model's first one-hot sample: a gap, not a zero
      c.accuracyEma.push(acc[k] === undefined || acc[k] === null ? null : acc[k]);
    }
    c.last = got.step[got.step.length - 1];
  }

  function chartWidth(el) {
    return Math.max(200, Math.floor(el.clientWidth));
  }

  /** The series drawn: each plotted model's EMA, and the inspected model's raw loss on top. */
  function seriesSet() {
    const out = [];
    const ids = plotted.filter(id => models.some(m => m.modelId === id));
    if (inspected !== null && !ids.includes(inspected)) ids.push(inspected);
    for (const id of ids) {
      const c = curves.get(id);
      if (!c || c.step.length === 0) continue;
      if (plotted.includes(id)) out.push({ id: id, kind: "loss EMA", xs: c.step, ys: c.lossEma });
      if (id === inspected) out.push({ id: id, kind: "loss", xs: c.step, ys: c.loss });
    }
    return out;
  }

  function drawCurves() {
    const el = document.getElementById("curve");
    const set = seriesSet();
    const points = inspected !== null && curves.has(inspected) ? curves.get(inspected).step.length : 0;
    document.getElementById("curve-points").textContent = points;
    renderLegend("curve-legend", curvePlot, set, null);
    if (set.length === 0) {
      if (curvePlot) { curvePlot.destroy(); curvePlot = null; curveKey = ""; }
      document.getElementById("curve-drifts").textContent = "";
      el.textContent = inspected === null ? "no models yet" : "no training steps seen for " + inspected + " yet";
      return;
    }
    const data = uPlot.join(set.map(s => [s.xs, s.ys]));
    const key = set.map(s => s.id + "/" + s.kind).join("|");
    if (curvePlot && key === curveKey) {
      curvePlot.setData(data);
      return;
    }
    // a different set of series: a new chart (uPlot's series count is fixed per chart)
    if (curvePlot) curvePlot.destroy();
    el.textContent = "";
    curveKey = key;
    curvePlot = new uPlot({
      width: chartWidth(el), height: 320,
      scales: { x: { time: false }, y: { distr: 3 } },
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      // uPlot's default tick labels keep 3 decimals, so on this log scale 1e-4 and below read "0"
      axes: [{ label: "step", values: (u, splits) => splits.map(fmtTick) },
             { label: "loss", size: 64, values: (u, splits) => splits.map(fmtTick) }],
      series: [{ label: "step" }].concat(set.map(s => ({
        label: s.id + " " + s.kind,
        stroke: s.kind === "loss" ? colourOf(s.id) : colourOf(s.id) + "80",
        width: s.kind === "loss" ? 1 : 4,
        spanGaps: true,
        points: { show: false },
      }))),
      hooks: { setCursor: [u => renderLegend("curve-legend", u, set, u.cursor.idx)], draw: [drawDriftMarks] },
    }, data, el);
  }

  /** A dashed vertical line, in the model's colour, at every drift detection of a model drawn on the curve. */
  function drawDriftMarks(u) {
    const ctx = u.ctx;
    const ids = new Set(seriesSet().map(s => s.id));
    ctx.save();
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    for (const id of ids) {
      const c = curves.get(id);
      if (!c) continue;
      ctx.strokeStyle = colourOf(id);
      for (const d of c.drifts) {
        const x = Math.round(u.valToPos(d.step, "x", true));
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
      }
    }
    ctx.restore();
    const marks = [];
    for (const id of ids) {
      const c = curves.get(id);
      if (c) for (const d of c.drifts) marks.push(id + " at step " + d.step + " (" + d.detector + ")");
    }
    document.getElementById("curve-drifts").textContent = marks.length === 0 ? "" : "drift: " + marks.join(", ");
  }

  /** The models whose accuracy EMA is drawn: those plotted or inspected that have classified a sample. */
  function accuracySet() {
    const out = [];
    const ids = plotted.filter(id => models.some(m => m.modelId === id));
    if (inspected !== null && !ids.includes(inspected)) ids.push(inspected);
    for (const id of ids) {
      const c = curves.get(id);
      if (c && c.accuracyEma.some(v => v !== null)) out.push({ id: id, kind: "accuracy EMA", xs: c.step, ys: c.accuracyEma });
    }
    return out;
  }

  /** The accuracy chart, shown only while a drawn model classifies; a regression model never brings it up. */
  function drawAccuracy() {
    const section = document.getElementById("accuracy-section");
    const el = document.getElementById("accuracy-chart");
    const set = accuracySet();
    section.hidden = set.length === 0;
    if (set.length === 0) {
      if (accuracyPlot) { accuracyPlot.destroy(); accuracyPlot = null; accuracyKey = ""; }
      document.getElementById("accuracy-legend").replaceChildren();
      return;
    }
    renderLegend("accuracy-legend", accuracyPlot, set, null);
    const data = uPlot.join(set.map(s => [s.xs, s.ys]));
    const key = set.map(s => s.id).join("|");
    if (accuracyPlot && key === accuracyKey) {
      accuracyPlot.setData(data);
      return;
    }
    if (accuracyPlot) accuracyPlot.destroy();
    el.textContent = "";
    accuracyKey = key;
    accuracyPlot = new uPlot({
      width: chartWidth(el), height: 180,
      scales: { x: { time: false }, y: { range: [0, 1] } },
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      axes: [{ label: "step", values: (u, splits) => splits.map(fmtTick) },
             { label: "accuracy", size: 64, values: (u, splits) => splits.map(fmtTick) }],
      series: [{ label: "step" }].concat(set.map(s => ({
        label: s.id + " " + s.kind, stroke: colourOf(s.id), width: 2, spanGaps: false, points: { show: false },
      }))),
      hooks: { setCursor: [u => renderLegend("accuracy-legend", u, set, u.cursor.idx)] },
    }, data, el);
  }

  /** A chart's legend: every series with its latest value, or the value under the cursor while hovering. */
  function renderLegend(listId, plot, set, idx) {
    const ul = document.getElementById(listId);
    ul.replaceChildren();
    for (let k = 0; k < set.length; k++) {
      const s = set[k];
      let step = s.xs[s.xs.length - 1], value = s.ys[s.ys.length - 1];
      if (idx !== null && idx !== undefined && plot) {
        step = plot.data[0][idx];
        value = plot.data[k + 1][idx];
      }
      const li = document.createElement("li");
      li.dataset.model = s.id;
      li.dataset.kind = s.kind;
      li.dataset.points = s.xs.length;
      li.dataset.colour = colourOf(s.id);
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = s.kind === "loss EMA" ? colourOf(s.id) + "80" : colourOf(s.id);
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = s.id + " " + s.kind + " ";
      const v = document.createElement("span");
      v.className = "value";
      v.textContent = value === undefined || value === null ? "–" : fmt(value);
      const at = document.createElement("span");
      at.textContent = step === undefined ? "" : " at step " + step;
      li.append(sw, name, v, at);
      ul.appendChild(li);
    }
  }

  async function refreshCurves() {
    const ids = [...new Set(plotted.concat(inspected === null ? [] : [inspected]))]
      .filter(id => models.some(m => m.modelId === id && m.unavailable === undefined));
    await Promise.all(ids.map(fetchCurve));
    drawCurves();
    drawAccuracy();
  }

  // --- throughput and dead letters ----------------------------------------------------------
  function renderRateLegend(history) {
    const ul = document.getElementById("rate-legend");
    ul.replaceChildren();
    const n = history.time.length;
    for (const [label, colour, values] of [["samples/s", "#1f77b4", history.samplesPerSecond],
                                           ["dead letters (total)", "#d62728", history.deadLetters]]) {
      const li = document.createElement("li");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = colour;
      const name = document.createElement("span");
      name.textContent = label + " ";
      const v = document.createElement("span");
      v.className = "value";
      v.textContent = n === 0 ? "–" : fmt(values[n - 1]);
      li.append(sw, name, v);
      ul.appendChild(li);
    }
  }

  function drawRates(history) {
    const el = document.getElementById("throughput-chart");
    const data = [history.time, history.samplesPerSecond, history.deadLetters];
    renderRateLegend(history);
    if (history.time.length === 0) { el.textContent = "no history yet"; return; }
    if (ratePlot) { ratePlot.setData(data); return; }
    el.textContent = "";
    ratePlot = new uPlot({
      width: chartWidth(el), height: 180,
      legend: { show: false },
      scales: { x: { time: true }, rate: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
                dead: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{},
             { scale: "rate", label: "samples/s", size: 64, values: (u, splits) => splits.map(fmtTick) },
             { scale: "dead", label: "dead letters", side: 1, size: 64, grid: { show: false },
               values: (u, splits) => splits.map(fmtTick) }],
      series: [{},
               { label: "samples/s", scale: "rate", stroke: "#1f77b4", width: 1.5, points: { show: false } },
               { label: "dead letters (total)", scale: "dead", stroke: "#d62728", width: 1.5, points: { show: false },
                 paths: uPlot.paths.stepped({ align: 1 }) }],
    }, data, el);
  }

  // --- the weights heat map -----------------------------------------------------------------
  /** Blue for −max, white for 0, red for +max: the same scale as the bar under each layer. */
  function heatColour(w, max) {
    const t = max === 0 ? 0 : Math.max(-1, Math.min(1, w / max));
    const r = t > 0 ? 255 : Math.round(255 * (1 + t));
    const b = t < 0 ? 255 : Math.round(255 * (1 - t));
    const g = Math.round(255 * (1 - Math.abs(t)));
    return `rgb(${r},${g},${b})`;
  }

  function th(tr, text, title) {
    const h = document.createElement("th");
    h.textContent = text;
    if (title) h.title = title;
    tr.appendChild(h);
  }

  function renderWeights(model) {
    document.getElementById("weights-step").textContent = model.step;
    const host = document.getElementById("weights");
    host.replaceChildren();
    host.dataset.model = model.modelId;   // which model the tables below show
    const SHOWN = 16;
    model.layers.forEach((layer, l) => {
      const max = Math.max(1e-12, ...layer.weights.map(Math.abs));
      const rows = Math.min(layer.outputs, SHOWN), cols = Math.min(layer.inputs, SHOWN);
      const box = document.createElement("div");
      box.className = "layer";
      const caption = document.createElement("div");
      caption.className = "caption";
      caption.textContent = `layer ${l + 1}: ${layer.outputs}×${layer.inputs} ${layer.activation}` +
                            (rows < layer.outputs || cols < layer.inputs ? ` (first ${SHOWN}×${SHOWN})` : "");
      const scroll = document.createElement("div");
      scroll.className = "scroll";
      const table = document.createElement("table");
      table.className = "heat";
      // the column labels: the inputs of this layer (x for the network's inputs, h for hidden outputs)
      const head = document.createElement("tr");
      th(head, "");
      const inName = l === 0 ? "x" : "h" + l + ".";
      for (let i = 0; i < cols; i++) th(head, inName + (i + 1), `input ${i + 1} of layer ${l + 1}`);
      th(head, "bias");
      const thead = document.createElement("thead");
      thead.appendChild(head);
      table.appendChild(thead);
      const tbody = document.createElement("tbody");
      for (let j = 0; j < rows; j++) {
        const tr = document.createElement("tr");
        th(tr, (l === model.layers.length - 1 ? "out" : "h" + (l + 1) + ".") + (j + 1), `neuron ${j + 1} of layer ${l + 1}`);
        for (let i = 0; i < cols; i++) {
          const w = layer.weights[j * layer.inputs + i];
          const td = document.createElement("td");
          td.textContent = w.toFixed(4);
          td.title = `w[${j}][${i}] = ${w}`;
          td.style.background = heatColour(w, max);
          td.style.color = Math.abs(w) > 0.6 * max ? "#fff" : "#222"; // readable on saturated cells
          tr.appendChild(td);
        }
        const b = document.createElement("td");
        b.className = "bias";
        b.textContent = "b " + layer.biases[j].toFixed(4);
        b.title = `b[${j}] = ${layer.biases[j]}`;
        tr.appendChild(b);
        tbody.appendChild(tr);
      }
      table.appendChild(tbody);
      scroll.appendChild(table);
      // the colour scale of this layer's weights
      const scale = document.createElement("div");
      scale.className = "colour-scale";
      const lo = document.createElement("span"), bar = document.createElement("span"), hi = document.createElement("span");
      lo.textContent = fmt(-max);
      bar.className = "bar";
      bar.title = "weight colour: blue negative, white 0, red positive";
      hi.textContent = fmt(max);
      scale.append(lo, bar, hi);
      box.append(caption, scroll, scale);
      host.appendChild(box);
    });
  }

  // --- the loop -----------------------------------------------------------------------------
  async function tick() {
    try {
      const [listing, stats] = await Promise.all([getJson("/models"), getJson("/stats")]);
      models = listing.sort((a, b) => a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0);
      chooseDefaults();
      renderModels();
      document.getElementById("throughput").textContent = fmt(Math.round(stats.samplesPerSecond));
      document.getElementById("dead-letters").textContent =
        Object.values(stats.deadLetters).reduce((a, b) => a + b, 0);
      if (stats.history) drawRates(stats.history);
      await refreshCurves();
      if (inspected !== null && models.some(m => m.modelId === inspected && m.unavailable === undefined)) {
        renderWeights(await getJson(`/models/${encodeURIComponent(inspected)}`));
      }
      document.getElementById("status").textContent = "live";
    } catch (e) {
      document.getElementById("status").textContent = "error: " + e.message;
    }
  }

  // charts follow the window's width
  new ResizeObserver(() => {
    if (curvePlot) curvePlot.setSize({ width: chartWidth(document.getElementById("curve")), height: 320 });
    if (ratePlot) ratePlot.setSize({ width: chartWidth(document.getElementById("throughput-chart")), height: 180 });
    if (accuracyPlot) accuracyPlot.setSize({ width: chartWidth(document.getElementById("accuracy-chart")), height: 180 });
  }).observe(document.querySelector("main"));

  // one poll a second, the next one only after the last has finished
  async function loop() {
    await tick();
    setTimeout(loop, 1000);
  }

  readUrl();
  loop();
})();
