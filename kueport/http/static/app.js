/* The dashboard's entry point: views and history, counts, the live event stream, keys.
 *
 * A list's URL holds its state, its type filter (`?type=`) and the open job (`&job=`), so a
 * view survives a reload, a bookmark and Back/Forward.
 *
 * Live updates come from `events` (Server-Sent Events): progress is applied to the card and
 * details at once; other job events are coalesced into at most one refresh of counts and
 * view every 250 ms (a list with many rows loaded: up to 3 s, see `KP.list.pace`), and of
 * the open job when the event is about it. A search on screen
 * asks the list which events concern it, so a busy queue does not re-run it for nothing.
 * When the stream comes back after an error, events were missed: everything is refreshed.
 * A slow refresh (every 20 s, every 5 s while the stream is down) keeps relative times fresh.
 */
"use strict";

(function (KP) {
  const VIEWS = ["overview", "inactive", "active", "delayed", "failed", "complete", "inspect", "workers"];
  const STATE_NAMES = KP.STATES.map(([state]) => state);
  /* `stale`: the stream failed since it last opened, so events may have been missed. */
  const current = { view: null, id: null, live: false, stale: false };

  function pathFor(view, id, jobType) {
    if (view === "overview") return "./";
    if (view === "inspect") return `inspect/${id}`;
    if (view === "workers") return "workers-view";
    const query = new URLSearchParams();
    if (jobType) query.set("type", jobType);
    if (id) query.set("job", String(id));
    const text = query.toString();
    return text ? `${view}?${text}` : view;
  }

  function parse(location) {
    const path = location.pathname.startsWith(KP.ROOT.pathname)
      ? location.pathname.slice(KP.ROOT.pathname.length) : "";
    const inspect = /^inspect\/(\d+)\/?$/.exec(path);
    if (inspect) return { view: "inspect", id: Number(inspect[1]) };
    if (path === "workers-view") return { view: "workers", id: null };
    const clean = path.replace(/\/$/, "");
    const query = new URL(location.href).searchParams;
    const job = query.get("job");
    if (STATE_NAMES.includes(clean)) {
      return { view: clean, id: job ? Number(job) : null, type: query.get("type") || "" };
    }
    return { view: "overview", id: null };
  }

  function section(view) {
    if (STATE_NAMES.includes(view)) return "view-list";
    return `view-${view}`;
  }

  function show(view, id, jobType) {
    KP.bulk.cancel();
    current.view = view;
    current.id = id;
    for (const node of document.querySelectorAll(".view")) node.hidden = node.id !== section(view);
    for (const link of document.querySelectorAll("[data-nav]")) {
      link.classList.toggle("current", link.dataset.nav === view);
    }
    const label = KP.STATE_LABEL[view] || { overview: "Overview", workers: "Workers", inspect: `Job #${id}` }[view];
    document.title = `${label} · ${KP.config.title}`;
    if (STATE_NAMES.includes(view)) {
      KP.details.hidePanel();
      document.querySelector(".split").classList.remove("with-details");
      KP.list.show(view, jobType);
      if (id) KP.details.openPanel(id);
    } else {
      leaveList();
      if (view === "overview") KP.overview.refresh();
      if (view === "workers") KP.overview.refreshWorkers();
      if (view === "inspect") KP.details.showPage(id);
    }
    document.body.dataset.currentView = view;
  }

  function leaveList() {
    KP.details.hidePanel();
  }

  /* A list keeps the type filter it shows unless told another (the states' links and keys). */
  function go(view, id, jobType) {
    const listed = STATE_NAMES.includes(view);
    const type = listed && (jobType === undefined || jobType === null) ? KP.list.type() : jobType;
    const target = KP.url(pathFor(view, id, type)).href;
    if (target !== location.href) history.pushState({}, "", target);
    show(view, id, listed ? type : undefined);
  }

  /* Back/Forward. A step that only opens or closes a job (the same list, the same filter)
   * keeps the list as it is, loaded rows and scroll position included. */
  function onHistory() {
    const where = parse(location);
    const sameList = STATE_NAMES.includes(where.view) && where.view === current.view
      && where.type === KP.list.type();
    if (!sameList) { show(where.view, where.id, where.type); return; }
    current.id = where.id;
    if (where.id) {
      KP.list.select(where.id);
      KP.details.openPanel(where.id);
    } else {
      KP.details.closePanel();
    }
  }

  async function refreshCounts() {
    let stats;
    try { stats = await KP.api("GET", "stats"); } catch (error) { return; }
    for (const state of STATE_NAMES) {
      const value = stats[`${state}Count`];
      for (const node of document.querySelectorAll(`[data-count="${state}"]`)) node.textContent = String(value ?? 0);
    }
    const work = document.getElementById("work-time");
    if (work) work.textContent = stats.workTime ? KP.duration(stats.workTime) : "–";
  }

  function refreshView() {
    if (STATE_NAMES.includes(current.view)) KP.list.refresh();
    if (current.view === "overview") KP.overview.refresh();
    if (current.view === "workers") KP.overview.refreshWorkers();
  }

  /* Calls within `ms` share one run: a busy queue's stream of events becomes at most one
   * refresh per `ms`, and (unlike a debounce) a steady stream can never postpone it forever.
   * `ms` may be a function, asked at the first call of each run. */
  function coalesce(fn, ms) {
    let timer = null;
    return () => {
      if (timer !== null) return;
      timer = setTimeout(() => { timer = null; fn(); }, typeof ms === "function" ? ms() : ms);
    };
  }

  const countsSoon = coalesce(refreshCounts, 250);
  /* A list with many rows loaded refreshes less often (see `KP.list.pace`). */
  const viewSoon = coalesce(refreshView, () => (STATE_NAMES.includes(current.view) ? KP.list.pace() : 250));
  /* For events that may bring a new match into a search on screen: a job that arrived in its
   * state. Each re-runs the search, so they share one run every 2 s. */
  const viewLater = coalesce(refreshView, 2000);
  const refreshSoon = () => { countsSoon(); viewSoon(); };
  const reloadDetailsSoon = coalesce(() => KP.details.reload(), 250);
  /* A running job's progress events reload its open details, at most every 1.5 s (its log
   * alone is polled every 2 s while it is active: see details.js). */
  const reloadDetailsLater = coalesce(() => KP.details.reload(), 1500);

  function setLive(state, text) {
    const node = document.getElementById("live-status");
    node.className = `live-status live-${state}`;
    node.textContent = text;
    document.body.dataset.live = state;
  }

  function connect() {
    if (!window.EventSource) { setLive("off", "polling"); return; }
    const source = new EventSource(KP.url("events"));
    source.onopen = () => {
      current.live = true;
      setLive("on", "live");
      /* Whatever happened while the stream was down sent no event here: catch up at once. */
      if (current.stale) {
        current.stale = false;
        refreshSoon();
        reloadDetailsSoon();
        KP.list.refreshTypes();
      }
    };
    source.onerror = () => {
      current.live = false;
      current.stale = true;
      setLive("off", "reconnecting…");
      /* An error answer (503 while the storage is down) closes an EventSource for good;
       * a stream that merely ended is reopened by the browser itself. */
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
    };
    source.onmessage = (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (error) { return; }
      if (event.event === "progress") {
        const percent = Math.max(0, Math.min(100, Number(event.args[0]) || 0));
        KP.list.setProgress(event.id, percent);
        KP.details.setProgress(event.id, percent);
        if (KP.details.current() === event.id) reloadDetailsLater();
        return;
      }
      countsSoon();
      const wanted = event.event === "resync" || !STATE_NAMES.includes(current.view)
        ? "now" : KP.list.wants(event);
      if (wanted === "now") viewSoon();
      if (wanted === "later") viewLater();
      if (KP.details.current() === event.id || event.event === "resync") reloadDetailsSoon();
    };
  }

  function typing(target) {
    return target && (target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName));
  }

  function toggleHelp(open) {
    document.getElementById("help").hidden = !open;
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      if (!document.getElementById("help").hidden) { toggleHelp(false); return; }
      if (KP.bulk.cancel()) return;
      if (typing(event.target)) { event.target.blur(); return; }
      KP.details.closePanel();
      return;
    }
    if (typing(event.target)) return;
    const inList = STATE_NAMES.includes(current.view);
    const keys = {
      "/": () => { if (inList) document.getElementById("search").focus(); },
      "?": () => toggleHelp(document.getElementById("help").hidden),
      j: () => inList && KP.list.move(1),
      k: () => inList && KP.list.move(-1),
      Enter: () => { if (inList && KP.list.selected() !== null) KP.details.openPanel(KP.list.selected()); },
      o: () => { if (inList && KP.list.selected() !== null) KP.details.openPanel(KP.list.selected()); },
      r: () => { if (inList && !KP.config.readOnly) KP.list.restartSelected(); },
      x: () => { if (inList && !KP.config.readOnly) KP.list.removeSelected(); },
      w: () => go("workers"),
      0: () => go("overview"),
    };
    STATE_NAMES.forEach((state, index) => { keys[String(index + 1)] = () => go(state); });
    const action = keys[event.key];
    if (action) { event.preventDefault(); action(); }
  }

  function bindNav() {
    for (const link of document.querySelectorAll("a[data-nav]")) {
      link.addEventListener("click", (event) => {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
        event.preventDefault();
        go(link.dataset.nav);
      });
    }
    window.addEventListener("popstate", onHistory);
  }

  async function start() {
    await KP.loadConfig();
    KP.list.bind();
    KP.bulk.bind();
    bindNav();
    document.addEventListener("keydown", onKey);
    document.getElementById("help-button").addEventListener("click", () => toggleHelp(true));
    document.getElementById("help-close").addEventListener("click", () => toggleHelp(false));
    const where = parse(location);
    const view = VIEWS.includes(document.body.dataset.view) ? document.body.dataset.view : where.view;
    show(view, view === "inspect" ? Number(document.body.dataset.jobId) : where.id, where.type);
    refreshCounts();
    connect();
    setInterval(() => {
      if (document.visibilityState === "visible" || !current.live) {
        refreshSoon();
        reloadDetailsSoon();
        KP.list.refreshTypes();
      }
    }, 20000);
    setInterval(() => { if (!current.live) { refreshSoon(); reloadDetailsSoon(); } }, 5000);
    document.body.dataset.ready = "true";
  }

  KP.app = { go, refreshSoon, refreshCounts };
  start();
})(window.KP);
