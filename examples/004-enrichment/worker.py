"""Seed 004's EnrichmentProcessor as a Harrier worker (the reference Python worker's loop in
examples/workers/python): it runs the kinds enrich_account and enrich_contact. Harrier claims,
leases, retries with the kinds' backoff (60, 120, 240, 480 s), keeps failed jobs in the dead letter,
stores the logs, and fills the Apollo key into the claim only for these two kinds.
Run: HARRIER_API_KEY=... APOLLO_URL=... APP_URL=... python3 worker.py"""
import json, os, sys, urllib.error, urllib.parse, urllib.request

os.environ.setdefault("WORKER_KINDS", "enrich_account,enrich_contact")
os.environ.setdefault("WORKER_CONCURRENCY", "5")  # the seed's maxConcurrent
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workers", "python"))
from worker import serve  # noqa: E402

PORT = int(os.environ.get("EXAMPLE_STUB_PORT", "4100"))
APOLLO = os.environ.get("APOLLO_URL", "http://127.0.0.1:%d" % PORT)
APP = os.environ.get("APP_URL", "http://127.0.0.1:%d" % (PORT + 1))


class Retryable(Exception):
    """Harrier retries it with the kind's backoff while attempts remain."""


def fetch(url, key=None, body=None):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["X-Api-Key"] = key
    request = urllib.request.Request(url, json.dumps(body).encode() if body is not None else None, headers,
                                     method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=15) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as e:
        raise Retryable("%s answered %d" % (url.split("?")[0], e.code)) from None


def enrich(job, path, query, save):
    job.log("enriching %s" % query)
    job.progress("calling apollo", done=0, total=2)
    found = fetch("%s%s?%s" % (APOLLO, path, urllib.parse.urlencode(query)), key=job.args["apolloKey"])
    job.progress("saving", done=1, total=2)
    fetch(save, body=found)
    job.log("saved the enrichment of %s" % list(query.values())[0])
    return found


def enrich_account(job):
    a = job.args
    return enrich(job, "/v1/organizations/enrich", {"domain": a["domain"]}, "%s/api/accounts/%s/enrichment" % (APP, a["accountId"]))


def enrich_contact(job):
    a = job.args
    return enrich(job, "/v1/people/match", {"email": a["email"]}, "%s/api/contacts/%s/enrichment" % (APP, a["contactId"]))


if __name__ == "__main__":
    serve({"enrich_account": enrich_account, "enrich_contact": enrich_contact})
