/* Bulk actions (retry every failed job, promote every delayed one, remove finished jobs older
 * than N minutes), on the overview and in a state's toolbar.
 *
 * One click changes many jobs, so none runs at the first press: it asks how many jobs the set
 * holds now and shows a confirmation bar under the controls ("Retry 12 failed jobs of type
 * email?"), with the action's button and Cancel. The action runs with the set shown there,
 * whatever is typed or chosen later; changing the type or minutes, leaving the view, Escape
 * or 30 s without an answer put the bar away. No window.confirm: the page's strict CSP and
 * its own look stay.
 */
"use strict";

(function (KP) {
  const { el, api, act, plural } = KP;
  const EXPIRES_MS = 30000;
  const ACTIONS = {
    retry: { state: "failed", path: "jobs/failed/retry", key: "retried", done: "Retried" },
    promote: { state: "delayed", path: "jobs/delayed/promote", key: "promoted", done: "Promoted" },
    "remove-complete": { state: "complete", path: "jobs/complete/remove", key: "removed", done: "Removed" },
    "remove-failed": { state: "failed", path: "jobs/failed/remove", key: "removed", done: "Removed" },
  };
  let pending = null;

  async function countOf(state, jobType) {
    if (jobType) return (await api("GET", `jobs/${encodeURIComponent(jobType)}/${state}/stats`)).count;
    return (await api("GET", "stats"))[`${state}Count`];
  }

  /* What the bar asks, and its button's label, for `n` jobs in the state now. */
  function question(kind, n, jobType, minutes) {
    const of = jobType ? ` of type “${jobType}”` : "";
    const state = ACTIONS[kind].state;
    const jobs = `${plural(n, `${state} job`)}${of}`;
    if (kind === "retry") return [`Retry ${jobs}? Each starts over with its attempts reset.`, `Retry ${n}`];
    if (kind === "promote") return [`Promote ${jobs} to the queue now?`, `Promote ${n}`];
    if (minutes === 0) {
      const what = n === 1 ? `the only ${state} job${of}` : `all ${n} ${state} jobs${of}`;
      return [`Remove ${what}? This cannot be undone.`, `Remove ${n}`];
    }
    return [`Remove every ${state} job${of} last changed more than ${KP.span(minutes * 60000)} ago? `
      + `${n === 1 ? "There is 1" : `There are ${n}`} now, of any age. This cannot be undone.`, "Remove them"];
  }

  function nothing(kind, jobType) {
    const of = jobType ? ` of type “${jobType}”` : "";
    const state = ACTIONS[kind].state;
    const verb = { retry: "retry", promote: "promote" }[kind] || "remove";
    return `No ${state} jobs${of} to ${verb}`;
  }

  function cancel() {
    if (!pending) return false;
    clearTimeout(pending.timer);
    pending.bar.remove();
    pending = null;
    return true;
  }

  async function run(kind, payload) {
    const spec = ACTIONS[kind];
    const reply = await act("POST", spec.path, payload);
    if (reply !== null) KP.toast(`${spec.done} ${plural(Number(reply[spec.key]) || 0, "job")}`, "ok");
    KP.app.refreshSoon();
    KP.details.reload();
  }

  /* The first press: count the set, then ask under `anchor`. */
  async function ask(kind, jobType, minutes, anchor) {
    cancel();
    const spec = ACTIONS[kind];
    const ticket = {};
    pending = { bar: el("div"), timer: null, ticket };
    let n;
    try {
      n = Number(await countOf(spec.state, jobType)) || 0;
    } catch (error) {
      KP.toast(error.message, "error");
      if (pending && pending.ticket === ticket) pending = null;
      return;
    }
    if (!pending || pending.ticket !== ticket) return; /* cancelled or asked again meanwhile */
    if (n === 0) { pending = null; KP.toast(nothing(kind, jobType), "info"); return; }
    const payload = {};
    if (jobType) payload.type = jobType;
    if (kind.startsWith("remove")) payload.olderThanMs = minutes * 60000;
    const [text, label] = question(kind, n, jobType, minutes);
    const danger = kind.startsWith("remove");
    const no = el("button", { type: "button", className: "btn", "data-confirm": "no", text: "Cancel", onclick: cancel });
    const yes = el("button", {
      type: "button", className: `btn ${danger ? "btn-danger-solid" : "btn-primary"}`, "data-confirm": "yes",
      text: label, onclick: () => { cancel(); run(kind, payload); },
    });
    const bar = el("div", { className: `confirm-bar${danger ? " confirm-danger" : ""}`, role: "alert", "data-kind": kind },
      el("span", { className: "confirm-text", text }), yes, no);
    pending = { bar, ticket, timer: setTimeout(cancel, EXPIRES_MS) };
    anchor.after(bar);
    no.focus();
  }

  function minutesNear(button) {
    const input = button.parentElement.querySelector(".bulk-minutes");
    return Math.max(0, Math.floor(Number(input ? input.value : 0) || 0));
  }

  function bind() {
    for (const button of document.querySelectorAll("[data-bulk]")) {
      button.addEventListener("click", () => {
        const inList = button.closest(".list-bulk");
        const jobType = inList ? KP.list.type() : document.getElementById("bulk-type").value;
        const anchor = inList ? inList.closest(".toolbar") : button.closest(".bulk-form");
        ask(button.dataset.bulk, jobType, minutesNear(button), anchor);
      });
    }
    /* The set the bar names is no longer what the controls say. */
    for (const control of document.querySelectorAll("#bulk-type, #type-filter, .bulk-minutes")) {
      control.addEventListener("input", cancel);
      control.addEventListener("change", cancel);
    }
  }

  KP.bulk = { bind, cancel, run };
})(window.KP);
