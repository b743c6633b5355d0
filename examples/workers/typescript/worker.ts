// A Harrier worker in TypeScript on Node's built-in fetch: claims jobs of remote kinds over HTTP,
// heartbeats on a timer, reports progress, completes or fails, and stops a job whose lease was lost
// or whose cancel was asked. Build and run: npm ci && npm run build && HARRIER_API_KEY=hk_... node dist/worker.js
const URL = (process.env.HARRIER_URL ?? "http://localhost:8080").replace(/\/$/, "");
const KEY = process.env.HARRIER_API_KEY ?? "";
const NAME = process.env.WORKER_NAME ?? `ts-${process.pid}`;
const KINDS = (process.env.WORKER_KINDS ?? "demo").split(",");
const SLOTS = Number(process.env.WORKER_CONCURRENCY ?? "4");
const HEARTBEAT_MS = 1000 * Number(process.env.WORKER_HEARTBEAT_SECONDS ?? "10");

class LeaseLost extends Error {}
type Doc = { id: string; kind: string; args: Record<string, unknown>; leaseToken: string };
type Handler = (job: Job) => Promise<unknown>;

async function call(path: string, body: unknown = {}, lease?: string): Promise<any> {
  const headers: Record<string, string> = { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" };
  if (lease) headers["Harrier-Lease"] = lease;
  const reply = await fetch(URL + path, { method: "POST", headers, body: JSON.stringify(body) });
  if (reply.status === 409) throw new LeaseLost(path);
  if (!reply.ok) throw new Error(`${path}: ${reply.status} ${await reply.text()}`);
  return reply.status === 204 ? null : reply.json();
}

class Job {
  stopped = false;
  cancelled = false;
  constructor(readonly doc: Doc) {}
  get args() { return this.doc.args; }
  async report(path: string, body: unknown) {
    if (this.stopped) throw new LeaseLost(path);
    await call(`/api/v1/jobs/${this.doc.id}/${path}`, body, this.doc.leaseToken);
  }
  progress(step: string, done?: number, total?: number, details?: string) {
    return this.report("progress", { step, done, total, details });
  }
  log(message: string, level = "info") { return this.report("logs", { logs: [{ level, message }] }); }
}

async function run(handlers: Record<string, Handler>, doc: Doc) {
  const job = new Job(doc);
  const path = `/api/v1/jobs/${doc.id}`;
  const beat = setInterval(() => call(`${path}/heartbeat`, {}, doc.leaseToken).then(
    (r) => { if (r.cancelRequested) job.cancelled = job.stopped = true; },
    (e) => { if (e instanceof LeaseLost) job.stopped = true; }), HEARTBEAT_MS); // other errors: a blip
  try {
    const result = await handlers[doc.kind](job);
    await call(`${path}/complete`, { result }, doc.leaseToken);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!(e instanceof LeaseLost)) await call(`${path}/fail`, { message, type: "error" }, doc.leaseToken).catch(() => {});
    else if (job.cancelled) await call(`${path}/fail`, { message: "cancelled" }, doc.leaseToken).catch(() => {});
  } finally {
    clearInterval(beat);
    job.stopped = true;
  }
}

export async function serve(handlers: Record<string, Handler>) {
  let free = SLOTS;
  const wake: Array<() => void> = [];
  for (;;) {
    if (free === 0) await new Promise<void>((resolve) => wake.push(resolve));
    const room = free;
    const reply = await call("/api/v1/workers/claim", { worker: NAME, kinds: KINDS, max: room, waitSeconds: 30 })
      .catch(() => new Promise((resolve) => setTimeout(() => resolve(null), 1000)));
    for (const doc of ((reply as { jobs?: Doc[] } | null)?.jobs ?? [])) {
      free--;
      run(handlers, doc).finally(() => { free++; wake.shift()?.(); });
    }
  }
}

// The example kind: counts to args.steps, reporting each step; stops early when told to.
async function demo(job: Job) {
  const steps = Number(job.args.steps ?? 3);
  for (let i = 0; i < steps; i++) {
    if (job.stopped) throw new LeaseLost("stopped");
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(job.args.stepSeconds ?? 0)));
    await job.progress("counting", i + 1, steps);
  }
  return { counted: steps, by: NAME };
}

serve({ demo });
