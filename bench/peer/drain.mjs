// One graphile-worker process that runs no-op jobs until its queue is empty, configured as the
// project's own performance test (perfTest/graphile.config.js in graphile/worker): 24 jobs at
// once, a local queue of 500 jobs fetched in one statement, completions batched.
import { runOnce } from "graphile-worker";

const concurrency = Number(process.env.PEER_CONCURRENCY || 24);
await runOnce({
  connectionString: process.env.PEER_DB_URL,
  concurrency,
  maxPoolSize: concurrency + 1,
  noHandleSignals: true,
  taskList: { noop: async () => {} },
  preset: {
    worker: {
      localQueue: { size: 500, refetchDelay: { durationMs: 10 } },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    },
  },
});
