// Single-job enqueues from CLIENTS concurrent clients for SECONDS seconds (POST /api/v1/jobs, one
// keep-alive connection each), into queue QUEUE (pause it first to time the enqueue alone).
// Prints the enqueues a second and the latency percentiles (bench/notify.sh).
import http from "node:http";

const base = new URL(process.env.HARRIER_URL || "http://localhost:8080");
const key = process.env.HARRIER_KEY;
const clients = Number(process.env.CLIENTS || 16);
const seconds = Number(process.env.SECONDS || 10);
const body = JSON.stringify({ kind: "noop", queue: process.env.QUEUE || "load", args: {} });
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const latencies = [];
let failed = 0;

function post() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const request = http.request({ host: base.hostname, port: base.port, path: "/api/v1/jobs", method: "POST", agent,
      headers: { "Content-Type": "application/json", "Authorization": `Bearer ${key}`, "Content-Length": Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on("end", () => {
          if (response.statusCode !== 201) failed++;
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      });
    request.on("error", () => { failed++; resolve(); });
    request.end(body);
  });
}

const end = Date.now() + seconds * 1000;
const start = process.hrtime.bigint();
await Promise.all(Array.from({ length: clients }, async () => { while (Date.now() < end) await post(); }));
const took = Number(process.hrtime.bigint() - start) / 1e9;
latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2);
console.log(`${(latencies.length / took).toFixed(0)} enqueues/s, ${latencies.length} in ${took.toFixed(1)} s, ${failed} failed, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
agent.destroy();
