import { runMigrations } from "graphile-worker";

await runMigrations({ connectionString: process.env.PEER_DB_URL });
