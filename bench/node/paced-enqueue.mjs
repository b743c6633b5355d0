// Enqueues JOBS noop jobs at RATE jobs a second: one POST /api/v1/jobs/batch of BATCH jobs every
// BATCH/RATE seconds, on a fixed timetable (a late batch does not shift the ones after it).
// Prints the rate it achieved (bench/dashboard.sh).
import http from "node:http";

const base = new URL(process.env.HARRIER_URL || "http://localhost:8080");
const key = process.env.HARRIER_KEY;
const jobs = Number(process.env.JOBS || 100000);
const rate = Number(process.env.RATE || 1000);
const batch = Number(process.env.BATCH || 100);
const queue = process.env.QUEUE || "default";
const body = JSON.stringify({ jobs: Array.from({ length: batch }, () => ({ kind: "noop", queue, args: {} })) });
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let failed = 0;

function post() {
  return new Promise((resolve) => {
    const request = http.request({ host: base.hostname, port: base.port, path: "/api/v1/jobs/batch", method: "POST", agent,
      headers: { "Content-Type": "application/json", "Authorization": `Bearer ${key}`, "Content-Length": Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on("end", () => { if (response.statusCode !== 201) failed++; resolve(); });
      });
    request.on("error", () => { failed++; resolve(); });
    request.end(body);
  });
}

const batches = Math.ceil(jobs / batch);
const spacing = (batch / rate) * 1000;
const start = Date.now();
const sent = [];
for (let i = 0; i < batches; i++) {
  const wait = start + i * spacing - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  sent.push(post());
}
await Promise.all(sent);
const took = (Date.now() - start) / 1000;
console.log(`${batches * batch} jobs in ${took.toFixed(1)} s (${(batches * batch / took).toFixed(0)} jobs/s), ${failed} batches failed`);
agent.destroy();
if (failed > 0) process.exit(1);
