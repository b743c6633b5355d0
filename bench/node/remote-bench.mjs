// Drives bench/remote.sh: for each (workers, batch) setting, starts that many remote-worker.mjs
// processes, enqueues JOBS no-op jobs of kind "bench" in batches of 1,000, and times the drain from
// the queue's unpause to the last completion (the jobs wait in the paused queue while enqueued);
// then, with the workers idle in their long poll, enqueues PICKUP single jobs 50 ms apart and takes
// the pickup latency of each (startedAt - createdAt). Prints one line per setting.
import { fork } from "node:child_process";

const URL = process.env.HARRIER_URL;
const KEY = process.env.HARRIER_API_KEY;
const JOBS = Number(process.env.JOBS ?? "10000");
const PICKUP = Number(process.env.PICKUP ?? "100");
const headers = { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" };
const settings = (process.env.SETTINGS ?? "1x1 4x1 16x1 1x50 4x50 16x50").split(" ").map((s) => s.split("x").map(Number));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(method, path, body) {
  const reply = await fetch(URL + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (reply.status >= 400) throw new Error(`${method} ${path}: ${reply.status} ${await reply.text()}`);
  return reply.status === 204 ? null : reply.json();
}

async function completed(ids) {
  const docs = [];
  for (let i = 0; i < ids.length; i += 1) docs.push(await call("GET", `/api/v1/jobs/${ids[i]}`));
  return docs;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

await call("PUT", "/api/v1/kinds/bench", {});
for (const [workers, batch] of settings) {
  const children = [];
  let done = 0;
  let onDone = () => {};
  for (let w = 0; w < workers; w++) {
    const child = fork(new globalThis.URL("./remote-worker.mjs", import.meta.url).pathname, [],
      { env: { ...process.env, BATCH: String(batch) } });
    child.on("message", (n) => { done += n; onDone(); });
    children.push(child);
  }
  const until = (n) => new Promise((resolve) => {
    onDone = () => { if (done >= n) resolve(); };
    onDone();
  });
  await sleep(1000);
  // Enqueued into the paused queue, so that only the drain is timed: from the unpause to the last completion.
  await call("PATCH", "/api/v1/queues/bench", { paused: true });
  for (let i = 0; i < JOBS; i += 1000) {
    const n = Math.min(1000, JOBS - i);
    await call("POST", "/api/v1/jobs/batch", { jobs: Array.from({ length: n }, () => ({ kind: "bench", queue: "bench" })) });
  }
  const started = performance.now();
  await call("PATCH", "/api/v1/queues/bench", { paused: false });
  await until(JOBS);
  const seconds = (performance.now() - started) / 1000;
  // Pickup: one job at a time, the workers idle in their claim.
  const latencies = [];
  for (let i = 0; i < PICKUP; i++) {
    const job = await call("POST", "/api/v1/jobs", { kind: "bench", queue: "bench" });
    await sleep(50);
    latencies.push(job.id);
  }
  await until(JOBS + PICKUP);
  const docs = await completed(latencies);
  const ms = docs.map((d) => Date.parse(d.startedAt) - Date.parse(d.createdAt)).sort((a, b) => a - b);
  console.log(`BENCH remote workers=${workers} batch=${batch} jobs=${JOBS} seconds=${seconds.toFixed(2)} jobs/s=${Math.round(JOBS / seconds)}`
    + ` pickup_ms p50=${pct(ms, 0.5)} p90=${pct(ms, 0.9)} p99=${pct(ms, 0.99)} max=${ms[ms.length - 1]}`);
  children.forEach((child) => child.kill());
  await sleep(500);
}
