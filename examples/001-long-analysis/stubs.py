"""Stand-in for seed 001's web API (FastAPI on Vercel in the seed) and its Next.js page.

- POST /api/v1/search {topic_query, ...}: enqueues a `search` job on Harrier (server side, with
  the API key) and a read token for it; answers {job_id, token, harrier} at once.
- GET /api/v1/jobs/<id>/token: a fresh read token for a job (the page after a reload).
- GET /: the page. It follows the job by id with the read token over Harrier's event stream (no
  polling), shows progress.step and progress.details, then the result or the error, and keeps
  ?job=<id> in its URL so that a reload resumes."""
import json, os, sys, urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from stubkit import Stub, serve_forever

PORT = int(os.environ.get("EXAMPLE_STUB_PORT", "4100"))
HARRIER = os.environ.get("HARRIER_URL", "http://localhost:8080").rstrip("/")
KEY = os.environ["HARRIER_KEY"]
PAGE = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "page.html")).read()
app = Stub("app", PORT)
app.state["searches"] = []


def harrier(path, body):
    request = urllib.request.Request(HARRIER + path, json.dumps(body).encode(),
                                     {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def token(job_id):
    return harrier("/api/v1/jobs/%s/tokens" % job_id, {"ttlSeconds": 3600})["token"]


@app.route("POST", "/api/v1/search")
def search(request):
    job = harrier("/api/v1/jobs", {"kind": "search", "args": request.json, "queue": "analysis"})
    with app.lock:
        app.state["searches"].append(job["id"])
    return 200, {"job_id": job["id"], "status": job["status"], "token": token(job["id"]), "harrier": HARRIER}


@app.route("GET", "/api/v1/jobs/")
def fresh_token(request):
    job_id = request.path.strip("/").split("/")[3]
    return 200, {"job_id": job_id, "token": token(job_id), "harrier": HARRIER}


@app.route("GET", "/")
def page(request):
    return 200, PAGE


if __name__ == "__main__":
    serve_forever(app)
