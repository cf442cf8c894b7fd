/* The job list of one state: type filter, sort, infinite scroll, search, selection, cards.
 *
 * Cards are keyed by job id and updated in place, so a live refresh keeps the scroll position,
 * the selection and the open details. Kue's paging: the window is 0..to, `to` grows by 10
 * whenever the list is scrolled within 30 px of its end.
 *
 * A search shows the newest matches in the list's state and type, fetched in one request
 * (`job/search?jobs=true`), and is re-run only for events that concern it (`wants`).
 */
"use strict";

(function (KP) {
  const { el, api, act, config } = KP;
  const PAGE = 10;
  const SEARCH_SHOWN = 50;
  /* The events that bring a job into each state: a search there may have a new match. */
  const ARRIVALS = {
    inactive: ["enqueue", "promotion", "failed attempt"],
    active: ["start"],
    delayed: ["failed attempt"],
    failed: ["failed"],
    complete: ["complete"],
  };
  /* Events whose first argument is the job's type. */
  const TYPED = ["enqueue", "start"];
  const list = {
    state: null, to: PAGE - 1, order: "asc", type: "", query: "",
    cards: new Map(), selected: null, hasMore: false, loading: false, seq: 0, armed: null,
  };
  const listEl = () => document.getElementById("job-list");
  const pane = () => document.getElementById("list-pane");

  function jobsPath() {
    const range = `0..${list.to}/${list.order}`;
    if (list.type) return `jobs/${encodeURIComponent(list.type)}/${list.state}/${range}`;
    return `jobs/${list.state}/${range}`;
  }

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
      onclick: (event) => { event.stopPropagation(); restartJob(job.id); },
    });
    const remove = el("button", {
      type: "button", className: "icon-btn icon-danger", "data-action": "remove",
      "data-mutating": true, title: "Remove (x, twice)", "aria-label": `Remove job ${job.id}`,
      "data-where": "card", text: "✕",
      onclick: (event) => { event.stopPropagation(); removeJob(job.id, remove); },
    });
    keepArmed(job.id, remove);
    return el("span", { className: "job-actions" }, restart, remove);
  }

  function buildCard(job) {
    const percent = progressOf(job);
    const showProgress = job.state === "active" || (percent > 0 && percent < 100);
    const when = el("span", { className: "job-when" });
    if (job.state === "delayed" && job.promote_at) when.textContent = `(${KP.ago(job.promote_at)})`;
    if (job.state === "complete" && job.duration) when.textContent = `took ${KP.duration(job.duration)}`;
    const card = el("li", {
      className: `job-card state-${job.state}`, "data-id": job.id, tabindex: "-1",
      onclick: () => { select(job.id); KP.details.openPanel(job.id); },
    },
    el("span", { className: "job-id", text: `#${job.id}` }),
    el("span", { className: "job-type", text: job.type }),
    el("span", { className: "job-title", text: KP.jobTitle(job), title: KP.jobTitle(job) }),
    when,
    el("span", { className: `prio prio-${KP.priorityName(job.priority)}`, text: KP.priorityName(job.priority) }),
    showProgress ? progressBar(percent) : el("span", { className: "progress-none" }),
    el("span", { className: "job-updated", text: KP.ago(job.updated_at), title: KP.stamp(job.updated_at) }),
    actionButtons(job));
    if (job.error && job.state !== "complete") {
      card.append(el("div", { className: "job-error", text: KP.firstLine(job.error) }));
    }
    card.dataset.json = JSON.stringify(job);
    if (list.selected === job.id) card.classList.add("selected");
    return card;
  }

  /* An unchanged job's relative times still move on ("3 minutes ago"). */
  function retime(card, job) {
    card.querySelector(".job-updated").textContent = KP.ago(job.updated_at);
    if (job.state === "delayed" && job.promote_at) {
      card.querySelector(".job-when").textContent = `(${KP.ago(job.promote_at)})`;
    }
  }

  function render(jobs) {
    const container = listEl();
    const seen = new Set();
    let previous = null;
    for (const job of jobs) {
      let card = list.cards.get(job.id);
      if (!card || card.dataset.json !== JSON.stringify(job)) {
        const fresh = buildCard(job);
        if (card) card.replaceWith(fresh);
        card = fresh;
        list.cards.set(job.id, card);
      } else {
        retime(card, job);
      }
      seen.add(job.id);
      const expected = previous ? previous.nextSibling : container.firstChild;
      if (card !== expected) container.insertBefore(card, expected);
      previous = card;
    }
    for (const [id, card] of list.cards) {
      if (!seen.has(id)) { card.remove(); list.cards.delete(id); }
    }
    document.getElementById("list-empty").hidden = jobs.length > 0;
  }

  async function refresh() {
    if (!list.state) return;
    if (list.query) return runSearch(list.query);
    const seq = ++list.seq;
    list.loading = true;
    try {
      const jobs = await api("GET", jobsPath());
      if (seq !== list.seq) return;
      list.hasMore = jobs.length > list.to;
      render(jobs);
    } catch (error) {
      KP.toast(error.message, "error");
    } finally {
      if (seq === list.seq) list.loading = false;
    }
    maybeLoadMore();
  }

  function maybeLoadMore() {
    const box = pane();
    if (!box || list.loading || !list.hasMore || list.query) return;
    if (box.scrollTop + box.clientHeight >= box.scrollHeight - 30) {
      list.to += PAGE;
      refresh();
    }
  }

  /* One request: the matches themselves, one more than shown to know whether there are more. */
  async function runSearch(query) {
    const banner = document.getElementById("search-banner");
    const seq = ++list.seq;
    const params = new URLSearchParams({
      q: query, state: list.state, limit: String(SEARCH_SHOWN + 1), jobs: "true",
    });
    if (list.type) params.set("type", list.type);
    let found;
    try {
      found = await api("GET", `job/search?${params}`);
    } catch (error) {
      if (seq === list.seq) KP.toast(error.message, "error");
      return;
    }
    if (seq !== list.seq) return;
    const jobs = found.slice(0, SEARCH_SHOWN);
    const summary = found.length > SEARCH_SHOWN
      ? `More than ${SEARCH_SHOWN} jobs match “${query}”: showing the newest ${SEARCH_SHOWN}`
      : `${KP.plural(jobs.length, "job")} match “${query}”`;
    banner.hidden = false;
    banner.replaceChildren(
      el("span", { className: "search-summary", text: summary }),
      el("button", { type: "button", className: "linkish", text: "Clear search", onclick: clearSearch }),
    );
    render(jobs);
  }

  /* Whether a job event (other than progress) changes what the list shows: "now", "later"
   * (a search that may have a new match: re-run at a slower pace) or null. A plain list
   * refreshes for every event; a search only for its own jobs and for jobs that arrived in
   * its state, of its type when the event tells the type. */
  function wants(event) {
    if (!list.query) return "now";
    if (list.cards.has(event.id)) return "now";
    if (!(ARRIVALS[list.state] || []).includes(event.event)) return null;
    const args = Array.isArray(event.args) ? event.args : [];
    if (list.type && TYPED.includes(event.event) && args[0] !== list.type) return null;
    return "later";
  }

  function search(text) {
    const query = text.trim();
    const jump = /^#?(\d+)$/.exec(query);
    if (jump) { KP.details.openPanel(Number(jump[1])); return; }
    const wanted = query.length >= 2 && config.searchEnabled ? query : "";
    if (wanted === list.query) return;
    list.query = wanted;
    if (!wanted) { endSearch(); return; }
    list.cards.forEach((card) => card.remove());
    list.cards.clear();
    runSearch(list.query);
  }

  function clearSearch() {
    document.getElementById("search").value = "";
    if (list.query) { list.query = ""; endSearch(); }
  }

  /* Back to the state's list (the text typed so far stays in the box). */
  function endSearch() {
    document.getElementById("search-banner").hidden = true;
    reset();
  }

  function reset() {
    list.seq++;
    list.to = PAGE - 1;
    list.cards.forEach((card) => card.remove());
    list.cards.clear();
    pane().scrollTop = 0;
    refresh();
  }

  function addTypeOption(select, jobType) {
    if (select && ![...select.options].some((option) => option.value === jobType)) {
      select.append(el("option", { value: jobType, text: jobType }));
    }
  }

  /* Types first seen after the page loaded join the filters. */
  async function refreshTypes() {
    let types = [];
    try { types = await api("GET", "job/types"); } catch (error) { return; }
    for (const jobType of types) {
      addTypeOption(document.getElementById("type-filter"), jobType);
      addTypeOption(document.getElementById("bulk-type"), jobType);
    }
  }

  /* The filter goes into the URL, as its own history step: Back shows the previous one. */
  function rememberType() {
    const target = new URL(location.href);
    if (list.type) target.searchParams.set("type", list.type);
    else target.searchParams.delete("type");
    if (target.href !== location.href) history.pushState({}, "", target.href);
  }

  function show(state, jobType) {
    const select = document.getElementById("type-filter");
    if (jobType !== undefined && jobType !== null) {
      addTypeOption(select, jobType);
      select.value = jobType;
    }
    list.type = select.value;
    list.state = state;
    list.selected = null;
    document.getElementById("list-title").textContent = KP.STATE_LABEL[state] || state;
    for (const node of document.querySelectorAll(".list-bulk [data-for]")) {
      node.hidden = node.dataset.for !== state;
    }
    reset();
  }

  function select(id) {
    if (list.selected !== null) list.cards.get(list.selected)?.classList.remove("selected");
    list.selected = id;
    const card = list.cards.get(id);
    if (card) { card.classList.add("selected"); card.scrollIntoView({ block: "nearest" }); }
  }

  function move(delta) {
    const ids = [...listEl().children].map((card) => Number(card.dataset.id));
    if (!ids.length) return;
    const at = ids.indexOf(list.selected);
    const next = at < 0 ? (delta > 0 ? 0 : ids.length - 1) : Math.max(0, Math.min(ids.length - 1, at + delta));
    select(ids[next]);
  }

  async function restartJob(id) {
    if (await act("GET", `inactive/${id}`) !== null) {
      KP.toast(`Job #${id} restarted`, "ok");
      KP.app.refreshSoon();
      if (KP.details.current() === id) KP.details.reload();
    }
  }

  /* Two presses remove: the first arms the job's button for three seconds. One job at a
   * time is armed: arming another disarms the first, so a button reading "Remove?" always
   * removes on the next press. */
  async function removeJob(id, button) {
    if (!list.armed || list.armed.id !== id) { arm(id, button); return; }
    disarm();
    try {
      await api("DELETE", `job/${id}`);
      KP.toast(`Job #${id} removed`, "ok");
    } catch (error) {
      KP.toast(error.message, "error");
      if (error.status !== 404) return; /* gone already: its card goes too */
    }
    list.cards.get(id)?.remove();
    list.cards.delete(id);
    KP.details.closeIf(id);
    KP.app.refreshSoon();
  }

  function armedLook(button) {
    button.classList.add("armed");
    button.textContent = "Remove?";
  }

  function arm(id, button) {
    disarm();
    list.armed = {
      id, button, where: button ? button.dataset.where : null, label: button ? button.textContent : "",
      timer: setTimeout(disarm, 3000),
    };
    if (button) armedLook(button);
  }

  function disarm() {
    const armed = list.armed;
    if (!armed) return;
    list.armed = null;
    clearTimeout(armed.timer);
    if (armed.button) { armed.button.classList.remove("armed"); armed.button.textContent = armed.label; }
  }

  /* A card or details panel rebuilt while its job is armed shows the new button armed. */
  function keepArmed(id, button) {
    const armed = list.armed;
    if (!armed || armed.id !== id || armed.where !== button.dataset.where) return;
    armed.button = button;
    armedLook(button);
  }

  function setProgress(id, percent) {
    const card = list.cards.get(id);
    if (!card) return false;
    const job = JSON.parse(card.dataset.json);
    job.progress = String(percent);
    const fresh = buildCard(job);
    card.replaceWith(fresh);
    list.cards.set(id, fresh);
    return true;
  }

  function bind() {
    const input = document.getElementById("search");
    if (!config.searchEnabled) input.placeholder = "Go to job #id  (full-text search is off)";
    input.addEventListener("input", KP.debounce(() => search(input.value), 250));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") search(input.value);
      if (event.key === "Escape") { clearSearch(); input.blur(); }
    });
    document.getElementById("type-filter").addEventListener("change", (event) => {
      list.type = event.target.value;
      rememberType();
      reset();
    });
    document.getElementById("sort").addEventListener("change", (event) => {
      list.order = event.target.value; reset();
    });
    pane().addEventListener("scroll", maybeLoadMore, { passive: true });
  }

  KP.list = {
    state: () => list.state, selected: () => list.selected, show, refresh, move, bind, search, refreshTypes,
    setProgress, restartJob, removeJob, keepArmed, select, wants, type: () => list.type,
    removeSelected() {
      if (list.selected === null) return;
      const button = list.cards.get(list.selected)?.querySelector('[data-action="remove"]');
      removeJob(list.selected, button);
    },
    restartSelected() { if (list.selected !== null) restartJob(list.selected); },
  };
})(window.KP);
