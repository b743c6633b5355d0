// One pg-boss process that runs JOBS no-op jobs of queue "noop" and stops when all are done:
// 24 workers (localConcurrency) fetching batches of 500, fetching again at once while a batch
// comes back full, as the measurement set it (bench/peers.sh). Prints the seconds from
// the first fetch to the last completion written.
import { PgBoss } from "pg-boss";

const jobs = Number(process.env.JOBS || 200000);
const concurrency = Number(process.env.PEER_CONCURRENCY || 24);
const boss = new PgBoss({ connectionString: process.env.PEER_DB_URL, schedule: false, supervise: false, max: concurrency + 2 });
boss.on("error", (e) => console.error(e));
await boss.start();
let ran = 0;
let finish;
const done = new Promise((resolve) => (finish = resolve));
const start = process.hrtime.bigint();
await boss.work("noop", { localConcurrency: concurrency, batchSize: 500, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
  async (batch) => {
    ran += batch.length;
    if (ran >= jobs) setImmediate(finish);
  });
await done;
await boss.stop({ graceful: true, close: true, timeout: 30000 });
console.log((Number(process.hrtime.bigint() - start) / 1e9).toFixed(3));
