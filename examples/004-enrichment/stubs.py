"""Stand-ins for seed 004: an Apollo-like enrichment API and the app's endpoints.

- apollo, $EXAMPLE_STUB_PORT: GET /v1/organizations/enrich?domain= and GET /v1/people/match?email=,
  401 without the right X-Api-Key. flaky.example answers 503 twice, then 200; broken.example
  answers 500 until POST /_recover (then 200): a job for it ends in the dead letter until then.
- app, the next port: POST /api/accounts/<id>/enrichment and /api/contacts/<id>/enrichment save
  what the worker found."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from stubkit import Stub, serve_forever

PORT = int(os.environ.get("EXAMPLE_STUB_PORT", "4100"))
KEY = "apollo-key-0123456789"
apollo, app = Stub("apollo", PORT), Stub("app", PORT + 1)
apollo.state.update({"calls": {}, "wrongKey": 0, "recovered": False})
app.state.update({"accounts": {}, "contacts": {}})


def keyed(request):
    """Apollo's check of X-Api-Key; a wrong or missing key is counted in `wrongKey`."""
    if request.headers.get("X-Api-Key") == KEY:
        return True
    with apollo.lock:
        apollo.state["wrongKey"] += 1
    return False


def answer(subject, found):
    with apollo.lock:
        calls = apollo.state["calls"][subject] = apollo.state["calls"].get(subject, 0) + 1
        recovered = apollo.state["recovered"]
    if subject.endswith("flaky.example") and calls <= 2:
        return 503, {"error": "temporarily overloaded"}
    if subject.endswith("broken.example") and not recovered:
        return 500, {"error": "internal error"}
    return 200, found


@apollo.route("GET", "/v1/organizations/enrich")
def organization(request):
    if not keyed(request):
        return 401, {"error": "invalid api key"}
    domain = request.query.get("domain", "")
    name = domain.split(".")[0].title()
    return answer(domain, {"organization": {"name": name, "primary_domain": domain, "estimated_num_employees": 120 + len(domain),
                                            "industry": "software"}})


@apollo.route("GET", "/v1/people/match")
def person(request):
    if not keyed(request):
        return 401, {"error": "invalid api key"}
    email = request.query.get("email", "")
    return answer(email, {"person": {"email": email, "title": "Head of Engineering", "seniority": "head"}})


@apollo.route("POST", "/_recover")
def recover(request):
    with apollo.lock:
        apollo.state["recovered"] = True
    return 200, {"recovered": True}


@app.route("POST", "/api/")
def save(request):
    parts = request.path.strip("/").split("/")  # api, accounts|contacts, <id>, enrichment
    if len(parts) != 4 or parts[1] not in ("accounts", "contacts"):
        return 404, {"error": "unknown"}
    with app.lock:
        app.state[parts[1]][parts[2]] = request.json
    return 200, {"saved": parts[2]}


if __name__ == "__main__":
    serve_forever(apollo, app)
