/* One job in full: data, result, error, log, attempts, timestamps, and the actions on it.
 *
 * Shown as a side panel next to a list (URL `<state>?job=<id>`) or as its own page
 * (`inspect/<id>`). Every value from the job is set as text, never parsed as HTML.
 */
"use strict";

(function (KP) {
  const { el, api, act, config } = KP;
  const shown = { id: null, container: null, seq: 0 };

  function fact(label, value, title) {
    if (value === null || value === undefined || value === "") return null;
    return [el("dt", { text: label }), el("dd", { text: value, title: title || null })];
  }

  function facts(job) {
    const attempts = job.attempts || {};
    const rows = [
      fact("State", KP.STATE_LABEL[job.state] || job.state),
      fact("Priority", `${KP.priorityName(job.priority)} (${job.priority})`),
      fact("Attempts", attempts.max ? `${attempts.made || 0} of ${attempts.max}, ${attempts.remaining} remaining` : null),
      fact("Created", KP.ago(job.created_at), KP.stamp(job.created_at)),
      fact("Updated", KP.ago(job.updated_at), KP.stamp(job.updated_at)),
      fact("Started", job.started_at ? KP.ago(job.started_at) : null, KP.stamp(job.started_at)),
      fact("Failed", job.failed_at ? KP.ago(job.failed_at) : null, KP.stamp(job.failed_at)),
      fact(job.state === "delayed" ? "Runs" : "Promote at",
        job.state === "delayed" ? KP.ago(job.promote_at) : null, KP.stamp(job.promote_at)),
      fact(job.state === "complete" ? "Completed in" : "Duration", job.duration ? KP.duration(job.duration) : null),
      fact("Delay", job.delay ? KP.duration(job.delay) : null),
      fact("TTL", job.ttl ? KP.duration(job.ttl) : null),
      fact("Worker", job.workerId || null),
    ];
    return el("dl", { className: "facts" }, ...rows.filter(Boolean).flat());
  }

  function block(title, content, extraClass) {
    return el("section", { className: `detail-block ${extraClass || ""}` },
      el("h3", { text: title }), content);
  }

  function pre(value, className) {
    return el("pre", { className: className || "code", text: typeof value === "string" ? value : KP.pretty(value) });
  }

  /* The states a person may move the job to. Never "Active": only a worker's claim makes a
   * job active (with a lease; one moved by hand would have no worker to finish it). And
   * "Delayed" only for a job with a delay: without one it would be promoted straight back.
   * The current state is shown either way, as a choice only when it is one of those. */
  function movableTo(job, state) {
    if (state === "active") return false;
    if (state === "delayed") return Number(job.delay) > 0;
    return true;
  }

  function stateSelect(job) {
    const select = el("select", { "aria-label": "Change state", "data-control": "state" });
    for (const [state, label] of KP.STATES) {
      const here = state === job.state;
      if (!here && !movableTo(job, state)) continue;
      select.append(el("option", {
        value: state, text: label, selected: here, disabled: here && !movableTo(job, state),
      }));
    }
    select.addEventListener("change", async () => {
      if (await act("PUT", `job/${job.id}/state/${select.value}`) !== null) {
        KP.toast(`Job #${job.id} is now ${KP.STATE_LABEL[select.value]}`, "ok");
      }
      KP.app.refreshSoon();
      reload();
    });
    return select;
  }

  function prioritySelect(job) {
    const select = el("select", { "aria-label": "Change priority", "data-control": "priority" });
    const current = Number(job.priority);
    const known = Object.values(KP.PRIORITIES).includes(current);
    if (!known) select.append(el("option", { value: current, text: String(current), selected: true }));
    for (const [name, number] of Object.entries(KP.PRIORITIES)) {
      select.append(el("option", { value: number, text: `${name} (${number})`, selected: number === current }));
    }
    select.addEventListener("change", async () => {
      if (await act("PUT", `job/${job.id}/priority/${select.value}`) !== null) {
        KP.toast(`Job #${job.id} priority ${KP.priorityName(select.value)}`, "ok");
      }
      KP.app.refreshSoon();
      reload();
    });
    return select;
  }

  function actions(job) {
    if (config.readOnly) return null;
    const remove = el("button", {
      type: "button", className: "btn btn-danger", "data-action": "remove", "data-mutating": true,
      "data-where": "details", text: "Remove",
    });
    remove.addEventListener("click", () => KP.list.removeJob(job.id, remove));
    KP.list.keepArmed(job.id, remove);
    return el("div", { className: "detail-actions", "data-mutating": true },
      el("button", { type: "button", className: "btn", "data-action": "restart", text: "Restart",
        onclick: () => KP.list.restartJob(job.id).then(reload) }),
      remove,
      el("label", { className: "inline" }, "State ", stateSelect(job)),
      el("label", { className: "inline" }, "Priority ", prioritySelect(job)));
  }

  function progress(job) {
    const percent = Math.max(0, Math.min(100, Number(job.progress) || 0));
    const bar = el("span", { className: "bar" });
    bar.style.width = `${percent}%`;
    return el("div", { className: "detail-progress", "data-progress": percent },
      el("span", { className: "track track-wide" }, bar), el("span", { className: "pct", text: `${percent}%` }));
  }

  function build(job, log, panel) {
    const head = el("header", { className: "detail-head" },
      el("span", { className: `state-pill state-${job.state}`, text: KP.STATE_LABEL[job.state] || job.state }),
      el("h2", {}, el("span", { className: "job-id", text: `#${job.id}` }), " ",
        el("span", { className: "job-type", text: job.type }), " ",
        el("span", { className: "detail-title", text: KP.jobTitle(job) })),
      panel ? el("a", { className: "linkish", href: KP.url(`inspect/${job.id}`).href, text: "Full page",
        onclick: (event) => { event.preventDefault(); KP.app.go("inspect", job.id); } }) : null,
      panel ? el("button", { type: "button", className: "icon-btn", "aria-label": "Close details", text: "×", onclick: closePanel }) : null);
    const moving = job.state === "active" || Number(job.progress) > 0;
    const parts = [head, actions(job), moving ? progress(job) : null, facts(job)].filter(Boolean);
    if (job.error) parts.push(block("Error", pre(job.error, "code code-error"), "detail-error"));
    parts.push(block("Data", pre(job.data === undefined ? {} : job.data)));
    if (job.result !== undefined) parts.push(block("Result", pre(job.result)));
    if (job.progress_data !== undefined) parts.push(block("Progress data", pre(job.progress_data)));
    parts.push(logBlock(log));
    return parts;
  }

  function logBlock(log) {
    const lines = (log || []).map((line) => el("li", { text: line }));
    const box = block(`Log (${lines.length})`, lines.length ? el("ol", { className: "log" }, ...lines) : el("p", { className: "muted", text: "No log lines." }));
    box.dataset.block = "log";
    box.dataset.lines = JSON.stringify(log || []);
    return box;
  }

  /* A running job may log without any event (no progress): while an active job's details are
   * on screen, its log alone is fetched again every LOG_POLL_MS. The poll belongs to one load
   * (`seq`): another job opened, the panel closed or the job reloaded (its state changed)
   * ends it. A hidden tab pauses it until the tab is visible again. The container's
   * `data-log-poll` tells which ("on", "paused"; none when no log is polled). */
  const LOG_POLL_MS = 2000;

  function pollLog(id, seq) {
    const container = shown.container;
    const current = () => seq === shown.seq && shown.id === id;
    const tick = async () => {
      if (!current()) return;
      if (document.visibilityState !== "visible") {
        container.dataset.logPoll = "paused";
        document.addEventListener("visibilitychange", tick, { once: true });
        return;
      }
      container.dataset.logPoll = "on";
      let log;
      try { log = await api("GET", `job/${id}/log`); } catch (error) { log = null; }
      if (!current()) return;
      const old = container.querySelector("[data-block='log']");
      if (log && old && old.dataset.lines !== JSON.stringify(log)) old.replaceWith(logBlock(log));
      setTimeout(tick, LOG_POLL_MS);
    };
    container.dataset.logPoll = "on";
    setTimeout(tick, LOG_POLL_MS);
  }

  function endPoll(container) {
    if (container) delete container.dataset.logPoll;
  }

  async function load(id, container, panel) {
    const seq = ++shown.seq;
    shown.id = id;
    shown.container = container;
    let job; let log;
    try {
      [job, log] = await Promise.all([api("GET", `job/${id}`), api("GET", `job/${id}/log`).catch(() => [])]);
    } catch (error) {
      if (seq !== shown.seq) return;
      endPoll(container);
      container.replaceChildren(el("p", { className: "empty", text: `Job #${id}: ${error.message}` }));
      return;
    }
    if (seq !== shown.seq) return;
    container.dataset.jobId = String(id);
    container.replaceChildren(...build(job, log, panel));
    if (job.state === "active") pollLog(id, seq);
    else endPoll(container);
  }

  function reload() {
    if (shown.id !== null && shown.container) load(shown.id, shown.container, shown.container.id === "details");
  }

  function openPanel(id) {
    if (!KP.list.state()) { KP.app.go("inspect", id); return; }
    const panel = document.getElementById("details");
    panel.hidden = false;
    document.querySelector(".split").classList.add("with-details");
    const target = new URL(location.href);
    target.searchParams.set("job", String(id));
    if (target.href !== location.href) history.pushState({}, "", target.href);
    load(id, panel, true);
  }

  function closePanel() {
    const panel = document.getElementById("details");
    if (panel.hidden) return false;
    panel.hidden = true;
    document.querySelector(".split").classList.remove("with-details");
    shown.id = null;
    endPoll(panel);
    const target = new URL(location.href);
    if (target.searchParams.has("job")) {
      target.searchParams.delete("job");
      history.pushState({}, "", target.href);
    }
    return true;
  }

  function closeIf(id) {
    if (shown.id !== id) return;
    if (shown.container && shown.container.id === "details") { closePanel(); return; }
    shown.seq++;
    endPoll(shown.container);
    shown.container.replaceChildren(el("p", { className: "empty", text: `Job #${id} was removed.` }));
    shown.id = null;
  }

  function setProgress(id, percent) {
    if (shown.id !== id || !shown.container) return;
    const box = shown.container.querySelector(".detail-progress");
    if (!box) { reload(); return; }
    box.dataset.progress = String(percent);
    box.querySelector(".bar").style.width = `${percent}%`;
    box.querySelector(".pct").textContent = `${percent}%`;
  }

  KP.details = {
    openPanel, closePanel, closeIf, setProgress, reload,
    current: () => shown.id,
    showPage(id) { load(id, document.getElementById("inspect-body"), false); },
    hidePanel() {
      const panel = document.getElementById("details");
      panel.hidden = true;
      shown.id = null;
      endPoll(panel);
    },
  };
})(window.KP);
