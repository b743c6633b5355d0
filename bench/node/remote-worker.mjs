// A no-op remote worker for bench/remote.sh: claims up to BATCH jobs of kind "bench" with the long
// poll, completes each at once (one HTTP call a job; Node's fetch keeps connections alive) and tells
// the driver how many it completed, until it is killed.
const URL = process.env.HARRIER_URL;
const KEY = process.env.HARRIER_API_KEY;
const BATCH = Number(process.env.BATCH ?? "1");
const NAME = `bench-${process.pid}`;
const headers = { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" };

async function post(path, body, lease) {
  const reply = await fetch(URL + path, {
    method: "POST", body: JSON.stringify(body),
    headers: lease ? { ...headers, "Harrier-Lease": lease } : headers,
  });
  if (reply.status >= 400) throw new Error(`${path}: ${reply.status} ${await reply.text()}`);
  return reply.status === 204 ? null : reply.json();
}

for (;;) {
  const claimed = await post("/api/v1/workers/claim", { worker: NAME, kinds: ["bench"], max: BATCH, waitSeconds: 30 });
  const jobs = claimed?.jobs ?? [];
  await Promise.all(jobs.map((job) => post(`/api/v1/jobs/${job.id}/complete`, { result: null }, job.leaseToken)));
  if (jobs.length > 0) process.send?.(jobs.length); // the driver counts completions: no polling
}
