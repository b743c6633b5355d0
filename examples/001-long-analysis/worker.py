"""Seed 001's background worker as a Harrier worker: runs the kind `search` (the seed's
CreatorService.search_creators), reporting {step, details} through ten stages of about a minute
each (STAGE_SECONDS, default 60). Harrier replaces the polling loop, the jobs table and the progress
column; the lease and heartbeats replace "one worker so nothing runs twice".
Run: HARRIER_API_KEY=... python3 worker.py"""
import os, sys, time

os.environ.setdefault("WORKER_KINDS", "search")
os.environ.setdefault("WORKER_CONCURRENCY", "2")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workers", "python"))
from worker import LeaseLost, serve  # noqa: E402

STAGE_SECONDS = float(os.environ.get("STAGE_SECONDS", "60"))
STAGES = [("expanding_query", "expanding the topic into keywords"), ("searching_videos", "searching videos"),
          ("fetching_channels", "fetching channels"), ("fetching_metrics", "fetching channel metrics"),
          ("transcripts", "reading transcripts"), ("embedding", "embedding transcripts"),
          ("scoring", "scoring topical fit"), ("filtering", "applying filters"),
          ("ranking", "ranking creators"), ("summarising", "writing summaries")]


def search_creators(job):
    query = job.args["topic_query"]
    limit = int(job.args.get("limit", 5))
    for done, (step, details) in enumerate(STAGES):
        if job.stopped():
            raise LeaseLost("stopped")
        job.progress(step, done=done, total=len(STAGES), details="%s for '%s'" % (details, query))
        if step == "scoring" and query == "fail":
            raise RuntimeError("the scoring model is unavailable")
        time.sleep(STAGE_SECONDS)
    creators = [{"channel": "%s channel %d" % (query.title(), n), "score": round(0.95 - n * 0.07, 2),
                 "subscribers": 100000 // n} for n in range(1, limit + 1)]
    return {"query": query, "total": len(creators), "creators": creators}


if __name__ == "__main__":
    serve({"search": search_creators})
