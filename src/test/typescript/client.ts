// A typed client generated from Harrier's OpenAPI document (openapi-typescript writes schema.d.ts;
// openapi-fetch calls through it). Compiling this file checks that the document types every call a
// remote worker makes; running it checks the calls work: declare a kind, enqueue, claim, report,
// complete, read. OpenApiClientIT runs it against the packaged service.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const client = createClient<paths>({
  baseUrl: process.env.HARRIER_URL,
  headers: { Authorization: `Bearer ${process.env.HARRIER_API_KEY}` },
});

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const kind = await client.PUT("/api/v1/kinds/{kind}", {
  params: { path: { kind: "typed" } },
  body: { argsSchema: { type: "object", required: ["n"] }, maxAttempts: 2 },
});
check(kind.response.status === 201 || kind.response.status === 200, `putKind: ${kind.response.status}`);
check(kind.data?.runBy === "remote", "the kind is run by remote workers");

const kinds = await client.GET("/api/v1/kinds");
check(kinds.data?.kinds?.some((k) => k.kind === "noop" && k.runBy === "harrier"), "listKinds has the built-in kinds");

const refused = await client.POST("/api/v1/jobs", { body: { kind: "typed", args: {} } });
check(refused.response.status === 400 && refused.error, "args without n are refused");

const enqueued = await client.POST("/api/v1/jobs", { body: { kind: "typed", args: { n: 1 }, queue: "typed" } });
check(enqueued.data?.id, `enqueueJob: ${enqueued.response.status}`);

const claimed = await client.POST("/api/v1/workers/claim", {
  body: { worker: "typed-client", kinds: ["typed"], queues: ["typed"], max: 1, waitSeconds: 5 },
});
const job = claimed.data?.jobs?.[0];
check(job && job.id === enqueued.data.id && job.leaseToken, `claimJobs: ${claimed.response.status}`);
const lease = { header: { "Harrier-Lease": job.leaseToken } };
const path = { path: { id: job.id } };

const beat = await client.POST("/api/v1/jobs/{id}/heartbeat", { params: { ...lease, ...path } });
check(beat.data?.cancelRequested === false, "heartbeat");
const progress = await client.POST("/api/v1/jobs/{id}/progress", {
  params: { ...lease, ...path }, body: { step: "typed", done: 1, total: 1 },
});
check(progress.response.status === 204, "reportProgress");
const logs = await client.POST("/api/v1/jobs/{id}/logs", {
  params: { ...lease, ...path }, body: { logs: [{ level: "info", message: "typed" }] },
});
check(logs.response.status === 204, "appendLogs");
const done = await client.POST("/api/v1/jobs/{id}/complete", { params: { ...lease, ...path }, body: { result: { ok: true } } });
check(done.data?.status === "completed", `completeJob: ${done.response.status}`);
const late = await client.POST("/api/v1/jobs/{id}/fail", { params: { ...lease, ...path }, body: { message: "late" } });
check(late.response.status === 409, "a fail after the complete is refused");

const read = await client.GET("/api/v1/jobs/{id}", { params: path });
check(read.data?.status === "completed" && read.data?.attempt === 1, "getJob");
const sync = await client.POST("/api/v1/jobs", {
  body: { kind: "sync", args: { dataset: "typed.postings", key: ["url"], records: [{ url: "https://x/1", title: "One" }] } },
});
check(sync.data?.id, `enqueue a sync: ${sync.response.status}`);
let datasets = await client.GET("/api/v1/datasets");
for (let i = 0; i < 100 && !datasets.data?.datasets?.length; i++) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  datasets = await client.GET("/api/v1/datasets");
}
const dataset = datasets.data?.datasets?.[0];
check(dataset?.name === "typed.postings" && dataset.counts?.active === 1 && dataset.lastSync?.new === 1, "listDatasets");
const records = await client.GET("/api/v1/datasets/{name}/records", {
  params: { path: { name: "typed.postings" }, query: { state: "active", afterVersion: 0 } },
});
check(records.data?.records?.[0]?.data?.title === "One" && records.data?.version === 1, "listRecords");
const gone = await client.DELETE("/api/v1/datasets/{name}", { params: { path: { name: "typed.postings" } } });
check(gone.response.status === 204, "deleteDataset");
console.log("typed client: ok");
