/* One job as a card of a list: id, type, title, when, priority, progress, last update, error
 * line, and (unless read-only) its restart and remove buttons.
 *
 * A card is built from a list row (`?brief=true`: the job without its data, with a short
 * `title`) or from a full job alike: `KP.jobTitle` reads either. The row it was built from is
 * kept on the card (`data-json`), so a list can tell an unchanged row from a changed one.
 */
"use strict";

(function (KP) {
  const { el, config } = KP;

  function progressOf(job) {
    const n = Number(job.progress);
    return Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : 0;
  }

  function progressBar(percent) {
    const bar = el("span", { className: "bar" });
    bar.style.width = `${percent}%`;
    return el("span", { className: "progress", title: `${percent}%` },
      el("span", { className: "track" }, bar), el("span", { className: "pct", text: `${percent}%` }));
  }

  function actionButtons(job) {
    if (config.readOnly) return null;
    const restart = el("button", {
      type: "button", className: "icon-btn", "data-action": "restart", "data-mutating": true,
      title: "Restart (r)", "aria-label": `Restart job ${job.id}`, text: "↻",
      onclick: (event) => { event.stopPropagation(); KP.list.restartJob(job.id); },
    });
    const remove = el("button", {
      type: "button", className: "icon-btn icon-danger", "data-action": "remove",
      "data-mutating": true, title: "Remove (x, twice)", "aria-label": `Remove job ${job.id}`,
      "data-where": "card", text: "✕",
      onclick: (event) => { event.stopPropagation(); KP.list.removeJob(job.id, remove); },
    });
    KP.list.keepArmed(job.id, remove);
    return el("span", { className: "job-actions" }, restart, remove);
  }

  /* `selected`: whether the card starts selected; `onOpen` runs on a click. */
  function build(job, selected, onOpen) {
    const percent = progressOf(job);
    const showProgress = job.state === "active" || (percent > 0 && percent < 100);
    const when = el("span", { className: "job-when" });
    if (job.state === "delayed" && job.promote_at) when.textContent = `(${KP.ago(job.promote_at)})`;
    if (job.state === "complete" && job.duration) when.textContent = `took ${KP.duration(job.duration)}`;
    const title = KP.jobTitle(job);
    const card = el("li", {
      className: `job-card state-${job.state}`, "data-id": job.id, tabindex: "-1",
      onclick: () => onOpen(job.id),
    },
    el("span", { className: "job-id", text: `#${job.id}` }),
    el("span", { className: "job-type", text: job.type }),
    el("span", { className: "job-title", text: title, title }),
    when,
    el("span", { className: `prio prio-${KP.priorityName(job.priority)}`, text: KP.priorityName(job.priority) }),
    showProgress ? progressBar(percent) : el("span", { className: "progress-none" }),
    el("span", { className: "job-updated", text: KP.ago(job.updated_at), title: KP.stamp(job.updated_at) }),
    actionButtons(job));
    if (job.error && job.state !== "complete") {
      card.append(el("div", { className: "job-error", text: KP.firstLine(job.error) }));
    }
    card.dataset.json = JSON.stringify(job);
    if (selected) card.classList.add("selected");
    return card;
  }

  /* An unchanged job's relative times still move on ("3 minutes ago"). */
  function retime(card, job) {
    card.querySelector(".job-updated").textContent = KP.ago(job.updated_at);
    if (job.state === "delayed" && job.promote_at) {
      card.querySelector(".job-when").textContent = `(${KP.ago(job.promote_at)})`;
    }
  }

  KP.cards = { build, retime };
})(window.KP);
