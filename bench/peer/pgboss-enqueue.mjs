// Creates pg-boss's schema and queue "noop" and enqueues JOBS no-op jobs through its batch
// insert, 10,000 a call (bench/peers.sh).
import { PgBoss } from "pg-boss";

const jobs = Number(process.env.JOBS || 200000);
const boss = new PgBoss({ connectionString: process.env.PEER_DB_URL, schedule: false, supervise: false });
boss.on("error", (e) => console.error(e));
await boss.start();
await boss.createQueue("noop");
const batch = Array.from({ length: 10000 }, () => ({ data: {} }));
for (let done = 0; done < jobs; done += batch.length) {
  await boss.insert("noop", batch.slice(0, Math.min(batch.length, jobs - done)));
}
await boss.stop({ graceful: false, close: true });
