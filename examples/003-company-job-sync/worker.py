"""Seed 003's cron wrapper report as a Harrier worker: the kind `sync_summary` runs after a sync
run (its `then`), reads the run and its per-company syncs from Harrier's API, and writes the seed's
Sync Summary to the bucket (data/job-sync-summary.json); the summary is also the job's result.
Run: HARRIER_API_KEY=... python3 worker.py"""
import json, os, sys, urllib.error, urllib.parse, urllib.request
from datetime import datetime

os.environ.setdefault("WORKER_KINDS", "sync_summary")
os.environ.setdefault("WORKER_CONCURRENCY", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workers", "python"))
from worker import KEY, URL, serve  # noqa: E402

PORT = int(os.environ.get("EXAMPLE_STUB_PORT", "4100"))
STORAGE = os.environ.get("STORAGE_URL", "http://127.0.0.1:%d" % PORT)


def get(path):
    request = urllib.request.Request(URL + path, headers={"Authorization": "Bearer " + KEY})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as e:  # say what Harrier's problem document says
        raise RuntimeError("GET %s: %d %s" % (path, e.code, e.read().decode("utf-8", "replace"))) from None


def every(path, field, **query):
    """Every entry of a listing, page by page (500 at a time, following nextCursor)."""
    cursor = None
    while True:
        page = get("%s?%s" % (path, urllib.parse.urlencode(dict(query, limit=500, **({"cursor": cursor} if cursor else {})))))
        yield from page[field]
        cursor = page.get("nextCursor")
        if not cursor:
            return


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def sync_summary(job):
    run = get("/api/v1/jobs/%s" % job.args["run"])
    syncs = list(every("/api/v1/jobs", "jobs", parent=run["id"]))
    results = [dict(s["result"], company=s["args"]["partition"]["company"], jobId=s["id"]) for s in syncs if s["status"] == "completed"]
    failed = [{"jobId": s["id"], "error": (s.get("error") or {}).get("message")} for s in syncs if s["status"] != "completed"]
    versions = {r["version"] for r in results}
    # What this run's syncs made new: active records first seen in one of its versions.
    new_jobs = [r["data"] for r in every("/api/v1/datasets/%s/records" % job.args["dataset"], "records",
                                         afterVersion=min(versions) - 1) if r["state"] == "active" and r["version"] in versions
                and r["firstSeenAt"] == r["changedAt"]] if versions else []
    start, end = instant(run["startedAt"]), instant(run["finishedAt"])
    summary = {
        "syncSession": {"startTime": run["startedAt"], "endTime": run["finishedAt"], "duration": round((end - start).total_seconds()),
                        "scheduledFor": run.get("scheduledFor"), "companiesProcessed": len(results),
                        "totalNewJobs": sum(r["new"] for r in results), "totalActiveJobs": sum(r["active"] + r["changed"] for r in results),
                        "totalExpiredJobs": sum(r["expired"] for r in results)},
        "results": results + failed,
        "newJobs": new_jobs,
        "logs": ["%s: %d new, %d active, %d changed, %d expired" % (r["company"], r["new"], r["active"], r["changed"], r["expired"])
                 for r in results] + ["sync %s failed: %s" % (f["jobId"], f["error"]) for f in failed],
    }
    upload = urllib.request.Request(STORAGE + "/storage/v1/object/data/job-sync-summary.json", json.dumps(summary).encode(),
                                    {"Authorization": "Bearer " + job.args["storageKey"], "Content-Type": "application/json"},
                                    method="PUT")
    urllib.request.urlopen(upload, timeout=30).read()
    job.log("sync summary: %d companies, %d new, %d expired" % (len(results), summary["syncSession"]["totalNewJobs"],
                                                                summary["syncSession"]["totalExpiredJobs"]))
    return summary


if __name__ == "__main__":
    serve({"sync_summary": sync_summary})
