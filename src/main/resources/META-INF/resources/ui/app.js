// Harrier's dashboard: plain JavaScript, no build step, nothing from another origin. Every value a
// job holds reaches the page as text (textContent, never innerHTML). The API key is kept in this
// tab's sessionStorage and sent as a header; the streams use a workspace token (EventSource cannot
// send headers), never the key.

const KEY = "harrier.apiKey";
const page = document.getElementById("page");
const streams = new Set();
let workspaceToken = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// replaceChildren writes null as the text "null": what is absent is left out.
function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined));
}

function json(value) {
  return el("pre", {}, value === null || value === undefined ? "null" : JSON.stringify(value, null, 2));
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    method: options.method || "GET",
    headers: { "Authorization": "Bearer " + sessionStorage.getItem(KEY), "Content-Type": "application/json" },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 401) {
    signOut();
    throw new Error("The API key was refused");
  }
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((body && body.detail) || response.statusText);
  return body;
}

async function token() {
  if (!workspaceToken || workspaceToken.until < Date.now() + 60000) {
    const issued = await api("/api/v1/tokens", { method: "POST", body: { ttlSeconds: 3600 } });
    workspaceToken = { value: issued.token, until: Date.parse(issued.expiresAt) };
  }
  return workspaceToken.value;
}

async function stream(path, handlers) {
  const separator = path.includes("?") ? "&" : "?";
  const source = new EventSource(path + separator + "access_token=" + encodeURIComponent(await token()));
  for (const [name, handler] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => handler(JSON.parse(event.data), source));
  }
  streams.add(source);
  return source;
}

function closeStreams() {
  for (const source of streams) source.close();
  streams.clear();
}

function time(instant, zone) {
  if (!instant) return "";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium", timeZone: zone || undefined })
    .format(new Date(instant));
}

function statusCell(status) {
  return el("td", { class: "status-" + status }, status);
}

// Ids are UUIDv7: their first characters are a time, the same for jobs made together; the end tells them apart.
function jobLink(job) {
  return el("a", { href: "#/job/" + job.id, "aria-label": "Job " + job.id, title: job.id }, "…" + job.id.slice(-12));
}

function jobsTable(jobs, extra) {
  return el("div", { class: "scroll" }, el("table", {},
    el("thead", {}, el("tr", {}, ["Job", "Kind", "Queue", "Status", "Attempt", "Created", "Tags", ...(extra ? [""] : [])]
      .map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, jobs.map((job) => el("tr", { "data-job": job.id },
      el("td", {}, jobLink(job)), el("td", {}, job.kind), el("td", {}, job.queue), statusCell(job.status),
      el("td", {}, job.attempt + " / " + job.maxAttempts), el("td", {}, time(job.createdAt)),
      el("td", {}, (job.tags || []).join(", ")), extra ? el("td", {}, extra(job)) : null)))));
}

function show(...nodes) {
  fill(page, ...nodes);
}

function failure(error) {
  show(el("p", { class: "bad", role: "alert" }, String(error.message || error)));
}

// Overview: queues with their counts, what finished lately, instances; live from the workspace stream.
async function overview() {
  const [queues, instances] = await Promise.all([api("/api/v1/queues"), api("/api/v1/instances")]);
  const instancesBox = el("div", {}, instancesTable(instances.instances));
  const counts = el("div", {});
  const render = (list) => counts.replaceChildren(el("div", { class: "scroll" }, el("table", {},
    el("thead", {}, el("tr", {}, ["Queue", "Pending", "Running", "Waiting", "Retrying", "Scheduled", "Completed", "Failed",
      "Cancelled", "Oldest pending", "Paused", "Concurrency"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, list.queues.map((q) => el("tr", {}, el("td", {}, q.name),
      ["pending", "running", "waiting", "retrying", "scheduled", "completed", "failed", "cancelled"]
        .map((s) => el("td", {}, q.counts[s] ?? 0)),
      el("td", {}, q.oldestPendingAgeSeconds === null ? "" : Math.round(q.oldestPendingAgeSeconds) + " s"),
      el("td", {}, q.paused ? "yes" : "no"), el("td", {}, q.concurrency ?? "")))))));
  render(queues);
  const chart = el("div", {});
  const buckets = [];
  const drawChart = () => {
    const max = Math.max(1, ...buckets.map((b) => b.completed + b.failed));
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 600 100");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Jobs finished every 2 seconds, the last 2 minutes");
    buckets.forEach((b, i) => {
      for (const [outcome, offset] of [["completed", 0], ["failed", b.completed]]) {
        const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
        rect.setAttribute("class", outcome);
        rect.setAttribute("x", String(i * 10));
        rect.setAttribute("width", "9");
        rect.setAttribute("y", String(100 - ((offset + b[outcome]) / max) * 100));
        rect.setAttribute("height", String((b[outcome] / max) * 100));
        svg.append(rect);
      }
    });
    chart.replaceChildren(svg);
  };
  // Live from the workspace stream's counts events (every 2 s): the table and the chart, no polling.
  const settings = new Map(queues.queues.map((q) => [q.name, q]));
  await stream("/api/v1/events?events=counts", {
    counts: (event) => {
      const tick = Number(chart.dataset.ticks || 0) + 1;
      chart.dataset.ticks = String(tick);
      // The instances are not in the stream: read again every fifth tick (10 s, the default
      // heartbeat), so that the running counts move and an instance that joins or dies shows. A
      // read that fails keeps the last table (the next tick's stream failure says more).
      if (tick % 5 === 0) {
        api("/api/v1/instances").then((list) => instancesBox.replaceChildren(instancesTable(list.instances)), () => {});
      }
      render({ queues: event.queues.map((q) => ({ ...q, paused: settings.get(q.name)?.paused ?? false,
        concurrency: settings.get(q.name)?.concurrency ?? null })) });
      const bucket = { completed: 0, failed: 0 };
      for (const q of event.queues) { bucket.completed += q.finished.completed; bucket.failed += q.finished.failed; }
      buckets.push(bucket);
      if (buckets.length > 60) buckets.shift();
      drawChart();
    },
  });
  drawChart();
  show(el("h1", {}, "Overview"), el("h2", {}, "Queues"), counts, el("h2", {}, "Finished, live"), chart,
    el("h2", {}, "Instances"), instancesBox);
}

function instancesTable(list) {
  return el("div", { class: "scroll" }, el("table", { id: "instances" },
    el("thead", {}, el("tr", {}, ["Instance", "Version", "Region", "Started", "Heartbeat", "Worker", "Leader", "Running"]
      .map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, list.map((i) => el("tr", {}, el("td", {}, i.id), el("td", {}, i.version), el("td", {}, i.region ?? ""),
      el("td", {}, time(i.startedAt)), el("td", {}, time(i.heartbeatAt)), el("td", {}, i.worker ? "yes" : "API only"),
      el("td", {}, i.leader ? "leader" : ""), el("td", {}, i.running))))));
}

async function instances() {
  const list = await api("/api/v1/instances");
  show(el("h1", {}, "Instances"), instancesTable(list.instances));
}

function filtersForm(params, fields, onSubmit) {
  const form = el("form", { class: "filters", onsubmit: (event) => { event.preventDefault(); onSubmit(new FormData(form)); } },
    fields.map((name) => el("label", {}, name, el("input", { name, value: params.get(name) || "" }))),
    el("button", { type: "submit" }, "Filter"));
  return form;
}

function query(params) {
  const out = new URLSearchParams();
  for (const [name, value] of params) if (value) out.append(name, value);
  return out.toString();
}

// Jobs: every list filter, pages by cursor.
async function jobs(params) {
  const list = await api("/api/v1/jobs?" + query(params));
  const next = list.nextCursor ? el("button", { type: "button", onclick: () => {
    const more = new URLSearchParams(params);
    more.set("cursor", list.nextCursor);
    location.hash = "#/jobs?" + more.toString();
  } }, "Next page") : null;
  show(el("h1", {}, "Jobs"),
    filtersForm(params, ["status", "kind", "queue", "tag", "schedule", "parent"], (data) => {
      location.hash = "#/jobs?" + query(data);
    }),
    jobsTable(list.jobs), next);
}

// The dead letter: failed jobs, retried one by one or all that match the filters.
async function failed(params) {
  const filters = new URLSearchParams(params);
  filters.set("status", "failed");
  const list = await api("/api/v1/jobs?" + query(filters));
  const message = el("p", { role: "status" });
  const retryAll = el("button", { type: "button", id: "retry-all", onclick: async () => {
    const body = { status: ["failed"] };
    for (const name of ["kind", "queue", "tag"]) if (params.get(name)) body[name] = params.get(name);
    const result = await api("/api/v1/jobs/retry", { method: "POST", body });
    message.textContent = result.retried + " jobs retried";
    route();
  } }, "Retry all shown by these filters");
  show(el("h1", {}, "Failed jobs"),
    filtersForm(params, ["kind", "queue", "tag"], (data) => { location.hash = "#/failed?" + query(data); }),
    el("div", { class: "actions" }, retryAll), message,
    el("div", { class: "scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, ["Job", "Kind", "Queue", "Attempts", "Error", "Failed at", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, list.jobs.map((job) => el("tr", { "data-job": job.id },
        el("td", {}, jobLink(job)), el("td", {}, job.kind), el("td", {}, job.queue),
        el("td", {}, job.attempt + " / " + job.maxAttempts),
        el("td", {}, job.error ? (job.error.type + ": " + job.error.message) : ""),
        el("td", {}, time(job.finishedAt)),
        el("td", {}, el("button", { type: "button", class: "retry", onclick: async () => {
          await api("/api/v1/jobs/" + job.id + "/retry", { method: "POST" });
          route();
        } }, "Retry"))))))));
}

// A job: live status, progress, logs, items; children, result or error; cancel and retry.
async function job(id) {
  const doc = await api("/api/v1/jobs/" + id);
  const status = el("span", { id: "job-status" });
  const bar = el("progress", { id: "job-progress", max: 1, value: 0, "aria-label": "Progress" });
  const step = el("p", { id: "job-step", class: "muted" });
  const outcome = el("div", { id: "job-outcome" });
  const children = el("div", {});
  const logs = el("ol", { id: "job-logs" });
  const items = el("tbody", { id: "job-items" });
  const message = el("p", { role: "status" });
  const progress = (p) => {
    if (!p) return;
    if (p.total) { bar.max = p.total; bar.value = p.done || 0; }
    step.textContent = [p.step, p.details].filter(Boolean).join(": ");
  };
  const render = (d) => {
    status.textContent = d.status;
    status.className = "status-" + d.status;
    progress(d.progress);
    fill(outcome,
      d.error ? el("div", {}, el("h2", {}, "Error"), json(d.error)) : null,
      d.result !== null && d.result !== undefined ? el("div", {}, el("h2", {}, "Result"), json(d.result)) : null);
    fill(children, d.children ? el("p", {}, el("a", { href: "#/jobs?parent=" + d.id }, "Children"), ": ",
      Object.entries(d.children).map(([k, v]) => k + " " + v).join(", ")) : null);
  };
  render(doc);
  const itemRow = (item) => el("tr", {}, el("td", {}, item.index), statusCell(item.status), el("td", {}, item.httpStatus ?? ""),
    el("td", {}, item.input === undefined || item.input === null ? "" : typeof item.input === "string" ? item.input : JSON.stringify(item.input)));
  const seenItems = new Set();
  const addItem = (item) => { if (!seenItems.has(item.index)) { seenItems.add(item.index); items.append(itemRow(item)); } };
  // The items already stored, read after the stream is open (none falls between the two), and again at the end.
  const seenLogs = new Set();
  const addLog = (line) => {
    if (!seenLogs.has(line.seq)) { seenLogs.add(line.seq); logs.append(el("li", {}, time(line.at) + " " + line.level + " " + line.message)); }
  };
  const readItems = async () => (await api("/api/v1/jobs/" + id + "/items?limit=1000")).items.forEach(addItem);
  const act = (name) => el("button", { type: "button", id: name, onclick: async () => {
    try { render(await api("/api/v1/jobs/" + id + "/" + name, { method: "POST" })); message.textContent = name + " sent"; }
    catch (error) { message.textContent = error.message; }
  } }, name === "cancel" ? "Cancel" : "Retry");
  await stream("/api/v1/jobs/" + id + "/events", {
    status: (d) => { render(d); if (["completed", "failed", "cancelled"].includes(d.status)) readItems(); },
    progress: (p) => progress(p),
    log: (line) => addLog(line),
    item: (item) => addItem(item),
  });
  await readItems();
  (await api("/api/v1/jobs/" + id + "/logs")).logs.forEach(addLog);
  show(el("h1", {}, "Job ", el("code", {}, id)),
    el("p", {}, "Kind ", el("strong", {}, doc.kind), " in queue ", el("strong", {}, doc.queue), " · status ", status,
      doc.schedule ? [" · schedule ", doc.schedule] : null),
    doc.parentId ? el("p", {}, "Parent ", el("a", { href: "#/job/" + doc.parentId }, doc.parentId)) : null,
    doc.then ? el("div", {}, el("h2", {}, "Then"), json(doc.then)) : null,
    bar, step, el("div", { class: "actions" }, act("cancel"), act("retry")), message, children, outcome,
    el("h2", {}, "Log"), logs,
    el("h2", {}, "Items"), el("div", { class: "scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, ["Index", "Status", "HTTP", "Input"].map((h) => el("th", { scope: "col" }, h)))), items)),
    el("h2", {}, "Arguments"), json(doc.args));
}

// Schedules: next runs in the schedule's time zone and in UTC; pause, resume, trigger.
async function schedules() {
  const list = await api("/api/v1/schedules");
  const message = el("p", { role: "status" });
  show(el("h1", {}, "Schedules"), message, el("div", { class: "scroll" }, el("table", {},
    el("thead", {}, el("tr", {}, ["Schedule", "Cron", "Time zone", "Next runs (zone / UTC)", "Paused", ""].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, list.schedules.map((s) => el("tr", { "data-schedule": s.name },
      el("td", {}, el("a", { href: "#/jobs?schedule=" + encodeURIComponent(s.name) }, s.name)),
      el("td", {}, [].concat(s.cron).join(" · ")), el("td", {}, s.timeZone),
      el("td", {}, el("ul", {}, (s.nextRuns || []).slice(0, 3).map((at) => el("li", {}, time(at, s.timeZone) + " / " + time(at, "UTC") + " UTC")))),
      el("td", {}, s.paused ? "yes" : "no"),
      el("td", {}, el("div", { class: "actions" },
        el("button", { type: "button", class: "pause", onclick: async () => {
          await api("/api/v1/schedules/" + encodeURIComponent(s.name), { method: "PATCH", body: { paused: !s.paused } });
          route();
        } }, s.paused ? "Resume" : "Pause"),
        el("button", { type: "button", class: "trigger", onclick: async () => {
          const run = await api("/api/v1/schedules/" + encodeURIComponent(s.name) + "/trigger", { method: "POST" });
          message.replaceChildren("Triggered: ", el("a", { href: "#/job/" + run.id }, run.id));
        } }, "Trigger now")))))))));
}

// Datasets: counts, the last sync, and what changed in it.
async function datasets() {
  const list = await api("/api/v1/datasets");
  show(el("h1", {}, "Datasets"), el("div", { class: "scroll" }, el("table", {},
    el("thead", {}, el("tr", {}, ["Dataset", "Key", "Active", "Expired", "Last sync", "New", "Changed", "Expired by it"]
      .map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, list.datasets.map((d) => el("tr", { "data-dataset": d.name },
      el("td", {}, el("a", { href: "#/dataset/" + encodeURIComponent(d.name) }, d.name)), el("td", {}, d.key.join(", ")),
      el("td", {}, d.counts.active), el("td", {}, d.counts.expired),
      el("td", {}, d.lastSync ? el("a", { href: "#/job/" + d.lastSync.jobId }, time(d.lastSync.at)) : ""),
      el("td", {}, d.lastSync ? d.lastSync.new : ""), el("td", {}, d.lastSync ? d.lastSync.changed : ""),
      el("td", {}, d.lastSync ? d.lastSync.expired : "")))))));
}

// A dataset: what its last sync changed (new, changed, expired), by state.
async function dataset(name) {
  const base = "/api/v1/datasets/" + encodeURIComponent(name) + "/records";
  const head = await api(base + "?limit=1");
  const changed = head.version > 0 ? await api(base + "?limit=500&afterVersion=" + (head.version - 1)) : { records: [] };
  const byState = new Map();
  for (const record of changed.records) {
    const state = record.state === "expired" ? "expired" : record.firstSeenAt === record.changedAt ? "new" : "changed";
    if (!byState.has(state)) byState.set(state, []);
    byState.get(state).push(record);
  }
  show(el("h1", {}, "Dataset ", el("code", {}, name)), el("p", {}, "Version " + head.version + ": what its last sync changed."),
    ["new", "changed", "expired"].map((state) => el("section", { "data-state": state },
      el("h2", {}, state + " (" + (byState.get(state) || []).length + ")"),
      el("div", { class: "scroll" }, el("table", {},
        el("thead", {}, el("tr", {}, ["Key", "Changed", "Data"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, (byState.get(state) || []).map((r) => el("tr", {}, el("td", {}, JSON.stringify(r.key)),
          el("td", {}, time(r.expiredAt || r.changedAt)), el("td", {}, json(r.data))))))))));
}

async function route() {
  closeStreams();
  const signedIn = !!sessionStorage.getItem(KEY);
  document.getElementById("sign-in").hidden = signedIn;
  document.getElementById("nav").hidden = !signedIn;
  if (!signedIn) { page.replaceChildren(); document.getElementById("api-key").focus(); return; }
  const [path, search] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(search || "");
  try {
    if (path.startsWith("/job/")) await job(decodeURIComponent(path.slice(5)));
    else if (path === "/jobs") await jobs(params);
    else if (path === "/failed") await failed(params);
    else if (path === "/schedules") await schedules();
    else if (path === "/datasets") await datasets();
    else if (path.startsWith("/dataset/")) await dataset(decodeURIComponent(path.slice(9)));
    else if (path === "/instances") await instances();
    else await overview();
  } catch (error) {
    failure(error);
  }
}

function signOut() {
  sessionStorage.removeItem(KEY);
  workspaceToken = null;
  closeStreams();
  route();
}

document.getElementById("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("api-key");
  sessionStorage.setItem(KEY, input.value);
  input.value = "";
  try {
    await api("/api/v1/queues");
    document.getElementById("sign-in-error").textContent = "";
    route();
  } catch (error) {
    document.getElementById("sign-in-error").textContent = "That key was refused.";
  }
});
document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", route);
route();
