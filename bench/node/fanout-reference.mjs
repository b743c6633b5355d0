// The reference for bench/fanout.sh: a plain Node.js script with undici fetching the same number of
// URLs at the same concurrency from a stub that answers after 50 ms, storing nothing.
// Run: bench/node/fanout-reference.sh [urls] [concurrency]
import { fork } from 'node:child_process';
import { Pool } from 'undici';

const urls = Number(process.argv[2] ?? 10_000);
const concurrency = Number(process.argv[3] ?? 200);
const warmUp = 2_000;
const latencyMs = 50;

const stub = fork(new URL('./stub.mjs', import.meta.url));
const port = await new Promise((resolve) => stub.once('message', resolve));
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 });

async function run(count) {
  let next = 0;
  async function worker() {
    while (next < count) {
      const n = next++;
      const { statusCode, body } = await pool.request({ path: `/page?n=${n}`, method: 'GET' });
      await body.text();
      if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
}

await run(warmUp);
const started = process.hrtime.bigint();
await run(urls);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const ideal = (urls / concurrency) * latencyMs / 1000;
console.log(`NODE fan-out: ${urls} URLs at concurrency ${concurrency}, stub latency ${latencyMs} ms: `
  + `${seconds.toFixed(2)} s (ideal ${ideal.toFixed(2)} s, ratio ${(seconds / ideal).toFixed(2)}), `
  + `${Math.round(urls / seconds)} requests/s`);
await pool.close();
stub.kill();
