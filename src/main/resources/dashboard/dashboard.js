// Live dashboard: polls the trainer's JSON endpoints once a second.
(function () {
  "use strict";
  let selected = null;
  let lastStep = 0;
  let data = [[], [], []];
  let plot = null;

  function fmt(x) {
    if (x === null || x === undefined || Number.isNaN(x)) return "–";
    return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toFixed(6) : x.toExponential(4);
  }

  function fmtTick(v) {
    return v >= 1e-3 && v < 1e4 ? String(+v.toPrecision(6)) : v.toExponential(0);
  }

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

  function makePlot() {
    const el = document.getElementById("curve");
    plot = new uPlot({
      width: Math.min(1000, window.innerWidth - 60), height: 320,
      scales: { x: { time: false }, y: { distr: 3 } },
      // uPlot's default tick labels keep 3 decimals, so on this log scale 1e-4 and below read "0"
      axes: [{ label: "step" },
             { label: "loss", size: 60, values: (u, splits) => splits.map(v => v == null ? "" : fmtTick(v)) }],
      series: [{ label: "step" },
               { label: "loss", stroke: "#c0392b", width: 1 },
               { label: "loss EMA", stroke: "#1f77b4", width: 2 }],
    }, data, el);
  }

  function selectModel(id) {
    if (id === selected) return;
    selected = id;
    lastStep = 0;
    data = [[], [], []];
    plot.setData(data);
    document.getElementById("curve-model").textContent = id;
    document.getElementById("weights-model").textContent = id;
    document.querySelectorAll("#models tbody tr").forEach(tr => tr.classList.toggle("selected", tr.dataset.model === id));
  }

  // Server values come from Kafka and are untrusted: cells are filled as text, never parsed as HTML.
  function appendCell(tr, value) {
    const td = document.createElement("td");
    td.textContent = String(value);
    tr.appendChild(td);
    return td;
  }

  function renderModels(models) {
    const tbody = document.querySelector("#models tbody");
    tbody.replaceChildren();
    models.sort((a, b) => a.modelId.localeCompare(b.modelId));
    for (const m of models) {
      const tr = document.createElement("tr");
      tr.dataset.model = m.modelId;
      if (m.modelId === selected) tr.classList.add("selected");
      appendCell(tr, m.modelId);
      if (m.unavailable !== undefined) {
        // a model whose stored state cannot be read: say why, keep every other row live
        appendCell(tr, "unavailable");
        appendCell(tr, m.unavailable);
        appendCell(tr, "–");
        appendCell(tr, "–");
        tbody.appendChild(tr);
        continue;
      }
      appendCell(tr, m.shape.join("-"));
      appendCell(tr, m.step);
      appendCell(tr, fmt(m.lossEma));
      appendCell(tr, m.samplesPerSecond === undefined ? "–" : m.samplesPerSecond.toFixed(0));
      tr.addEventListener("click", () => selectModel(m.modelId));
      tbody.appendChild(tr);
    }
    if (selected === null && models.length > 0) selectModel(models[0].modelId);
  }

  function heatColour(w, max) {
    const t = max === 0 ? 0 : Math.max(-1, Math.min(1, w / max));
    const r = t > 0 ? 255 : Math.round(255 * (1 + t));
    const b = t < 0 ? 255 : Math.round(255 * (1 - t));
    const g = Math.round(255 * (1 - Math.abs(t)));
    return `rgb(${r},${g},${b})`;
  }

  function renderWeights(model) {
    document.getElementById("weights-step").textContent = model.step;
    const host = document.getElementById("weights");
    host.replaceChildren();
    model.layers.forEach((layer, l) => {
      const max = Math.max(1e-12, ...layer.weights.map(Math.abs));
      const shown = Math.min(layer.outputs, 16), cols = Math.min(layer.inputs, 16);
      const table = document.createElement("table");
      table.className = "heat layer";
      const caption = document.createElement("caption");
      caption.textContent = `layer ${l + 1}: ${layer.outputs}×${layer.inputs} ${layer.activation}` +
                            (shown < layer.outputs || cols < layer.inputs ? " (first 16×16)" : "");
      table.appendChild(caption);
      for (let j = 0; j < shown; j++) {
        const tr = document.createElement("tr");
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
        b.textContent = "b " + layer.biases[j].toFixed(4);
        tr.appendChild(b);
        table.appendChild(tr);
      }
      host.appendChild(table);
    });
  }

  async function tick() {
    try {
      const [models, stats] = await Promise.all([getJson("/models"), getJson("/stats")]);
      renderModels(models);
      document.getElementById("throughput").textContent = stats.samplesPerSecond.toFixed(0);
      document.getElementById("dead-letters").textContent =
        Object.values(stats.deadLetters).reduce((a, b) => a + b, 0);
      if (selected !== null) {
        const id = encodeURIComponent(selected);
        const [curve, model] = await Promise.all([
          getJson(`/models/${id}/curve?since=${encodeURIComponent(lastStep)}`).catch(() => null),
          getJson(`/models/${id}`)]);
        if (curve && curve.step.length > 0) {
          if (curve.step[0] <= lastStep) data = [[], [], []];
          for (let k = 0; k < curve.step.length; k++) {
            data[0].push(curve.step[k]);
            data[1].push(Math.max(curve.loss[k], 1e-300));
            data[2].push(Math.max(curve.lossEma[k], 1e-300));
          }
          lastStep = curve.step[curve.step.length - 1];
          plot.setData(data);
        }
        document.getElementById("curve-points").textContent = data[0].length;
        renderWeights(model);
      }
      document.getElementById("status").textContent = "live";
    } catch (e) {
      document.getElementById("status").textContent = "error: " + e.message;
    }
  }

  makePlot();
  tick();
  setInterval(tick, 1000);
})();
