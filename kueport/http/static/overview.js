/* The overview (throughput chart, per-type counts with pause/resume) and the
 * workers view. The chart is plain SVG drawn here: no chart library, nothing fetched.
 */
"use strict";

(function (KP) {
  const { el, svg, api, act, config } = KP;
  const COLUMNS = ["inactive", "active", "delayed", "failed", "complete"];

  function drawChart(minutes) {
    const box = document.getElementById("throughput-chart");
    const width = 600; const height = 160; const pad = 24; const top = 10;
    const peak = Math.max(1, ...minutes.map((m) => (m.complete || 0) + (m.failed || 0)));
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", class: "chart-svg" });
    const slot = (width - pad) / Math.max(1, minutes.length);
    const scale = (height - pad - top) / peak;
    for (const y of [0, 0.5, 1]) {
      const at = height - pad - (height - pad - top) * y;
      chart.append(svg("line", { x1: pad, x2: width, y1: at, y2: at, class: "grid" }));
      const label = svg("text", { x: 0, y: at + 4, class: "axis" });
      label.textContent = String(Math.round(peak * y));
      chart.append(label);
    }
    minutes.forEach((minute, index) => {
      const x = pad + index * slot + 1;
      const done = (minute.complete || 0) * scale;
      const bad = (minute.failed || 0) * scale;
      const group = svg("g", { class: "bar-group" });
      const tip = svg("title", {});
      tip.textContent = `${new Date(minute.t).toLocaleTimeString()}: ${minute.complete || 0} complete, ${minute.failed || 0} failed`;
      group.append(tip,
        svg("rect", { x, y: height - pad - done, width: Math.max(1, slot - 2), height: done, class: "bar-complete" }),
        svg("rect", { x, y: height - pad - done - bad, width: Math.max(1, slot - 2), height: bad, class: "bar-failed" }));
      chart.append(group);
    });
    for (const [index, text] of [[0, "-60 min"], [Math.floor(minutes.length / 2), "-30 min"], [minutes.length - 1, "now"]]) {
      const anchor = index === 0 ? "start" : index === minutes.length - 1 ? "end" : "middle";
      const x = index === minutes.length - 1 ? width : pad + index * slot;
      const label = svg("text", { x, y: height - 6, class: "axis", "text-anchor": anchor });
      label.textContent = text;
      chart.append(label);
    }
    box.replaceChildren(chart);
    const complete = minutes.reduce((sum, m) => sum + (m.complete || 0), 0);
    const failed = minutes.reduce((sum, m) => sum + (m.failed || 0), 0);
    document.getElementById("throughput-summary").textContent = `${complete} complete, ${failed} failed in the last hour`;
  }

  function pauseButton(row) {
    if (config.readOnly) return null;
    const paused = Boolean(row.paused);
    return el("button", {
      type: "button", className: `btn btn-small ${paused ? "btn-primary" : ""}`, "data-mutating": true,
      "data-action": paused ? "resume" : "pause", text: paused ? "Resume" : "Pause",
      onclick: async () => {
        const verb = paused ? "resume" : "pause";
        const reply = await act("POST", `types/${encodeURIComponent(row.type)}/${verb}`);
        if (reply !== null) KP.toast(`${row.type} ${reply.paused ? "paused" : "resumed"}`, "ok");
        refreshOverview();
      },
    });
  }

  function typeRow(row) {
    const cells = COLUMNS.map((state) => el("td", { className: `num state-text-${state}${row[state] ? "" : " zero"}` },
      el("a", { href: KP.url(state).href, text: String(row[state] || 0),
        onclick: (event) => { event.preventDefault(); KP.app.go(state, null, row.type); } })));
    const status = row.paused ? el("span", { className: "tag tag-paused", text: "paused" }) : el("span", { className: "muted", text: "running" });
    return el("tr", { "data-type": row.type }, el("th", { scope: "row", text: row.type }), ...cells,
      el("td", {}, status), el("td", { className: "right" }, pauseButton(row)));
  }

  async function refreshOverview() {
    const [types, throughput, workers] = await Promise.all([
      api("GET", "stats/types").catch(() => null),
      api("GET", "stats/throughput?minutes=60").catch(() => null),
      api("GET", "workers").catch(() => null),
    ]);
    if (workers) {
      const busy = workers.reduce((sum, w) => sum + (w.running || []).length, 0);
      document.getElementById("workers-link").textContent = `${KP.plural(workers.length, "worker")} alive, ${busy} running →`;
    }
    if (types) {
      const body = document.querySelector("#types-table tbody");
      body.replaceChildren(...types.map(typeRow));
      if (!types.length) body.append(el("tr", {}, el("td", { colspan: 8, className: "empty", text: "No job types yet." })));
    }
    if (throughput && Array.isArray(throughput.minutes)) drawChart(throughput.minutes);
  }

  function workerRow(worker) {
    const types = Array.isArray(worker.types) ? worker.types : [worker.type].filter(Boolean);
    const running = (worker.running || []).map((id) => el("a", {
      href: KP.url(`inspect/${id}`).href, className: "job-link", text: `#${id}`,
      onclick: (event) => { event.preventDefault(); KP.app.go("inspect", id); },
    }));
    return el("tr", {},
      el("td", { className: "mono", text: worker.id }),
      el("td", { text: worker.host }),
      el("td", { className: "num", text: String(worker.pid) }),
      el("td", {}, types.join(", "), worker.paused ? el("span", { className: "tag tag-paused", text: "paused" }) : null),
      el("td", { className: "num", text: String(worker.concurrency) }),
      el("td", {}, ...(running.length ? running : [el("span", { className: "muted", text: "idle" })])),
      el("td", { text: KP.ago(worker.startedAt), title: KP.stamp(worker.startedAt) }),
      el("td", { text: KP.ago(worker.lastSeen), title: KP.stamp(worker.lastSeen) }));
  }

  async function refreshWorkers() {
    let workers;
    try { workers = await api("GET", "workers"); } catch (error) { KP.toast(error.message, "error"); return; }
    document.querySelector("#workers-table tbody").replaceChildren(...workers.map(workerRow));
    document.getElementById("workers-empty").hidden = workers.length > 0;
    const busy = workers.reduce((sum, w) => sum + (w.running || []).length, 0);
    document.getElementById("workers-summary").textContent = `${KP.plural(workers.length, "worker")} alive, ${busy} running`;
  }

  KP.overview = { refresh: refreshOverview, refreshWorkers };
})(window.KP);
