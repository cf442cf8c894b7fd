/* kueport dashboard: shared helpers (API calls, safe DOM building, toasts, time formatting).
 *
 * Job data, logs and errors come from whoever enqueued the job, so nothing here ever parses
 * job content as HTML: `el()` only sets textContent and attributes.
 */
"use strict";

window.KP = (function () {
  const body = document.body;
  const ROOT = new URL(body.dataset.root || "./", location.href);
  const config = {
    title: body.dataset.title || "Kue",
    readOnly: body.dataset.readOnly === "true",
    searchEnabled: true,
  };

  const STATES = [
    ["inactive", "Queued"], ["active", "Active"], ["delayed", "Delayed"],
    ["failed", "Failed"], ["complete", "Complete"],
  ];
  const STATE_LABEL = Object.fromEntries(STATES);
  const PRIORITIES = { critical: -15, high: -10, medium: -5, normal: 0, low: 10 };

  function url(path) {
    return new URL(path, ROOT);
  }

  /* `status` is the answer's HTTP status (0 when the server could not be reached). */
  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  /* One JSON request. Mutating requests carry the CSRF header and a JSON body; every
   * `{"error": msg}` answer (whatever its status) becomes a toast and a rejected promise. */
  async function api(method, path, payload) {
    const headers = { Accept: "application/json", "X-Requested-With": "kueport" };
    const options = { method, headers, cache: "no-store" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload === undefined ? {} : payload);
    }
    let response;
    try {
      response = await fetch(url(path), options);
    } catch (error) {
      throw new ApiError("the dashboard cannot reach the server", 0);
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (error) { data = null; }
    }
    /* An error body is exactly {"error": msg}; a job's own `error` field is not one. */
    const failed = data !== null && typeof data === "object" && !Array.isArray(data)
      && Object.keys(data).length === 1 && "error" in data;
    if (!response.ok || failed) {
      const message = failed ? String(data.error) : `${response.status} ${response.statusText}`;
      throw new ApiError(message, response.status);
    }
    return data;
  }

  /* Like api(), but shows the error as a toast; resolves to null on failure. */
  async function act(method, path, payload) {
    try {
      return await api(method, path, payload);
    } catch (error) {
      toast(error.message, "error");
      return null;
    }
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else if (name === "className") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    return node;
  }

  function toast(message, kind) {
    const box = el("div", { className: `toast toast-${kind || "info"}`, role: "status", text: message });
    document.getElementById("toasts").append(box);
    setTimeout(() => box.classList.add("toast-out"), 3600);
    setTimeout(() => box.remove(), 4000);
  }

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
  }

  /* "3 minutes" from milliseconds, in the largest unit that fits. */
  function span(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return plural(s, "second");
    const m = Math.floor(s / 60);
    if (m < 60) return plural(m, "minute");
    const h = Math.floor(m / 60);
    if (h < 48) return plural(h, "hour");
    return plural(Math.floor(h / 24), "day");
  }

  function ago(value) {
    const ms = Number(value);
    if (!ms) return "–";
    const diff = Date.now() - ms;
    return diff >= 0 ? `${span(diff)} ago` : `in ${span(-diff)}`;
  }

  function duration(value) {
    const ms = Number(value);
    if (!Number.isFinite(ms)) return "–";
    if (ms < 1000) return `${ms} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
    return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
  }

  function stamp(value) {
    const ms = Number(value);
    return ms ? new Date(ms).toLocaleString() : "";
  }

  function priorityName(value) {
    const n = Number(value);
    for (const [name, number] of Object.entries(PRIORITIES)) if (number === n) return name;
    return String(value);
  }

  /* A list row (`?brief=true`) brings its title as `title`; a full job has it in its data. */
  function jobTitle(job) {
    if (typeof job.title === "string") return job.title;
    const data = job.data;
    if (data && typeof data === "object" && !Array.isArray(data) && data.title !== undefined) {
      return typeof data.title === "string" ? data.title : JSON.stringify(data.title);
    }
    return "untitled";
  }

  function firstLine(text) {
    return String(text || "").split("\n")[0];
  }

  function pretty(value) {
    return JSON.stringify(value, null, 2);
  }

  async function loadConfig() {
    try {
      const remote = await api("GET", "config");
      if (remote && typeof remote === "object") {
        config.readOnly = config.readOnly || Boolean(remote.readOnly);
        config.searchEnabled = remote.searchEnabled !== false;
        if (config.readOnly) body.classList.add("read-only");
      }
    } catch (error) {
      /* an older server without /config: keep what the page said */
    }
  }

  function debounce(fn, ms) {
    let timer = null;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  return {
    ROOT, config, STATES, STATE_LABEL, PRIORITIES, ApiError,
    url, api, act, el, svg, toast, span, ago, duration, stamp, plural, priorityName,
    jobTitle, firstLine, pretty, loadConfig, debounce,
  };
})();
