/* The job list of one state: type filter, sort, infinite scroll, search, selection.
 *
 * Kue's window: the list shows the ranks 0..to of the state's set (priority, then id), sorted
 * by id. Scrolling near the end fetches only the next PAGE ranks (to+1..to+PAGE) and merges
 * them in; a live refresh fetches the loaded ranks again (0..to), so rows that moved while
 * pages were fetched are neither shown twice nor missing after it. Every list request asks
 * for rows (`?brief=true`: no job data), so a refresh costs bytes per row, not per job's data.
 * One list request runs at a time (`pump`), so a page and a refresh never cross.
 *
 * Cards are keyed by job id and updated in place, so a refresh keeps the scroll position,
 * the selection and the open details.
 *
 * A search shows the newest matches in the list's state and type, fetched in one request
 * (`job/search?jobs=true`), and is re-run only for events that concern it (`wants`). "#123"
 * and Enter opens job 123; plain digits are searched like any text (a zip code, an order
 * number), and only open a job when full-text search is off.
 */
"use strict";

(function (KP) {
  const { el, api, act, config } = KP;
  const PAGE = 50;
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
    state: null, order: "asc", type: "", query: "",
    /* The loaded ranks 0..to, as rows by job id; `to` is -1 before the first answer. */
    rows: new Map(), to: -1, hasMore: false,
    /* `generation` grows with every reset: an answer for an older list is dropped. `busy`:
     * a list request is out; `stale`: the loaded ranks must be fetched again. */
    generation: 0, busy: false, stale: false,
    cards: new Map(), selected: null, seq: 0, armed: null,
  };
  const listEl = () => document.getElementById("job-list");
  const pane = () => document.getElementById("list-pane");

  function rangePath(from, to) {
    const range = `${from}..${to}/${list.order}?brief=true`;
    if (list.type) return `jobs/${encodeURIComponent(list.type)}/${list.state}/${range}`;
    return `jobs/${list.state}/${range}`;
  }

  function open(id) {
    select(id);
    KP.details.openPanel(id);
  }

  /* Shows `jobs` in this order, reusing the card of every unchanged job. */
  function render(jobs) {
    const container = listEl();
    const seen = new Set();
    let previous = null;
    for (const job of jobs) {
      let card = list.cards.get(job.id);
      if (!card || card.dataset.json !== JSON.stringify(job)) {
        const fresh = KP.cards.build(job, list.selected === job.id, open);
        if (card) card.replaceWith(fresh);
        card = fresh;
        list.cards.set(job.id, card);
      } else {
        KP.cards.retime(card, job);
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

  /* The loaded rows by id, as the server sorts one window (Kue's order). */
  function renderRows() {
    const sign = list.order === "desc" ? -1 : 1;
    render([...list.rows.values()].sort((a, b) => sign * (a.id - b.id)));
  }

  function nearEnd() {
    const box = pane();
    return Boolean(box) && box.scrollTop + box.clientHeight >= box.scrollHeight - Math.max(300, box.clientHeight);
  }

  /* The loaded ranks again (at least the first page): rows that left go, rows that moved in
   * come, whatever happened while pages were fetched. */
  async function reload(generation) {
    const upto = Math.max(list.to, PAGE - 1);
    const jobs = await api("GET", rangePath(0, upto));
    if (generation !== list.generation) return;
    list.to = upto;
    list.rows = new Map(jobs.map((job) => [job.id, job]));
    list.hasMore = jobs.length > upto;
    renderRows();
  }

  /* The next PAGE ranks only. A row already loaded (ranks shift as jobs come and go) is
   * merged by id; one that shifted back past `to` is brought by the reload its event asks. */
  async function nextPage(generation) {
    const from = list.to + 1;
    const jobs = await api("GET", rangePath(from, from + PAGE - 1));
    if (generation !== list.generation) return;
    list.to = from + PAGE - 1;
    for (const job of jobs) list.rows.set(job.id, job);
    list.hasMore = jobs.length === PAGE;
    renderRows();
  }

  /* Runs the list's requests one at a time, until nothing is due: a reload when the list is
   * stale, else the next page while the end of the list is in sight. */
  async function pump() {
    if (list.busy) return;
    list.busy = true;
    try {
      while (list.state && !list.query) {
        const generation = list.generation;
        if (list.stale) { list.stale = false; await reload(generation); }
        else if (list.hasMore && nearEnd()) await nextPage(generation);
        else break;
      }
    } catch (error) {
      list.stale = true; /* the next refresh or scroll tries again */
      KP.toast(error.message, "error");
    } finally {
      list.busy = false;
    }
  }

  function refresh() {
    if (!list.state) return undefined;
    if (list.query) return runSearch(list.query);
    list.stale = true;
    return pump();
  }

  /* How often live events may refresh the list (ms): a long loaded list less often. */
  function pace() {
    return list.query ? 250 : Math.max(250, Math.min(3000, list.rows.size));
  }

  function jobNumber(query) {
    const hashed = /^#(\d+)$/.exec(query);
    if (hashed) return Number(hashed[1]);
    return !config.searchEnabled && /^\d+$/.test(query) ? Number(query) : null;
  }

  function openButton(id) {
    return el("button", { type: "button", className: "linkish", "data-open-job": id,
      text: `Open job #${id}`, onclick: () => KP.details.openPanel(id) });
  }

  /* A job number typed in the box: it opens on Enter (or this button), never while typing. */
  function showJumpHint(id) {
    const banner = document.getElementById("search-banner");
    if (id === null) { if (!list.query) banner.hidden = true; return; }
    banner.hidden = false;
    banner.replaceChildren(el("span", { className: "search-summary", text: `Press Enter to open job #${id}` }),
      openButton(id));
  }

  /* One request: the matches themselves, one more than shown to know whether there are more. */
  async function runSearch(query) {
    const banner = document.getElementById("search-banner");
    const seq = ++list.seq;
    const params = new URLSearchParams({
      q: query, state: list.state, limit: String(SEARCH_SHOWN + 1), jobs: "true", brief: "true",
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
      /^\d+$/.test(query) ? openButton(Number(query)) : null,
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

  /* `explicit`: Enter was pressed (a job number opens its job); else the text was typed. */
  function search(text, explicit) {
    const query = text.trim();
    const id = jobNumber(query);
    if (id !== null && explicit) { KP.details.openPanel(id); return; }
    const wanted = id === null && query.length >= 2 && config.searchEnabled ? query : "";
    if (wanted !== list.query) {
      list.query = wanted;
      if (wanted) {
        list.cards.forEach((card) => card.remove());
        list.cards.clear();
        runSearch(wanted);
      } else {
        endSearch();
      }
    }
    if (!wanted) showJumpHint(id);
  }

  function clearSearch() {
    document.getElementById("search").value = "";
    document.getElementById("search-banner").hidden = true;
    if (list.query) { list.query = ""; endSearch(); }
  }

  /* Back to the state's list (the text typed so far stays in the box). */
  function endSearch() {
    document.getElementById("search-banner").hidden = true;
    reset();
  }

  function reset() {
    list.generation++;
    list.seq++;
    list.to = -1;
    list.rows = new Map();
    list.hasMore = false;
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
    list.rows.delete(id);
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
    if (list.rows.has(id)) list.rows.set(id, job);
    const fresh = KP.cards.build(job, list.selected === id, open);
    card.replaceWith(fresh);
    list.cards.set(id, fresh);
    return true;
  }

  function bind() {
    const input = document.getElementById("search");
    if (!config.searchEnabled) input.placeholder = "Go to job #id ⏎  (full-text search is off)";
    input.addEventListener("input", KP.debounce(() => search(input.value, false), 250));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") search(input.value, true);
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
    pane().addEventListener("scroll", () => { if (list.hasMore && nearEnd()) pump(); }, { passive: true });
  }

  KP.list = {
    state: () => list.state, selected: () => list.selected, show, refresh, move, bind, search, refreshTypes,
    setProgress, restartJob, removeJob, keepArmed, select, wants, pace, type: () => list.type,
    removeSelected() {
      if (list.selected === null) return;
      const button = list.cards.get(list.selected)?.querySelector('[data-action="remove"]');
      removeJob(list.selected, button);
    },
    restartSelected() { if (list.selected !== null) restartJob(list.selected); },
  };
})(window.KP);
