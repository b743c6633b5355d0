"""Stand-ins for seed 002: the app's applications table and a job board.

- app, $EXAMPLE_STUB_PORT: GET /api/applications?status=pending lists the pending applications;
  POST /api/applications/<id>/result stores what the board answered (the seed's `artifacts` and
  `attempt_meta`) and marks the application `applied`.
- board, the next port: POST /apply takes one application (its rate limit: 2 a second, recorded
  in `arrivalsMs`, milliseconds since the stub started); app-3's first submission gets a 503, as a busy board does."""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from stubkit import Stub, serve_forever

PORT = int(os.environ.get("EXAMPLE_STUB_PORT", "4100"))
app, board = Stub("app", PORT), Stub("board", PORT + 1)
app.state["applications"] = {
    "app-%d" % n: {"id": "app-%d" % n, "userId": "user-%d" % (n % 2 + 1), "jobId": "job-%d" % (100 + n), "status": "pending"}
    for n in range(1, 7)}
START = time.time()
board.state.update({"arrivalsMs": [], "submissions": {}})


@app.route("GET", "/api/applications")
def pending(request):
    status = request.query.get("status", "pending")
    with app.lock:
        return 200, {"applications": [a for a in app.state["applications"].values() if a["status"] == status]}


@app.route("POST", "/api/applications/")
def result(request):
    parts = request.path.strip("/").split("/")  # api, applications, <id>, result
    with app.lock:
        application = app.state["applications"].get(parts[2])
        if application is None or len(parts) != 4:
            return 404, {"error": "no such application"}
        application.update(status="applied", artifacts=request.json.get("artifacts"), attemptMeta=request.json.get("attemptMeta"))
    return 200, {"applied": parts[2]}


@board.route("POST", "/apply")
def apply(request):
    application = request.json["applicationId"]
    with board.lock:
        board.state["arrivalsMs"].append(round((time.time() - START) * 1000))
        tries = board.state["submissions"][application] = board.state["submissions"].get(application, 0) + 1
    if application == "app-3" and tries == 1:
        return 503, {"error": "busy, try again later"}
    return 200, {"applicationId": application, "confirmation": "BRD-%s-%d" % (application, tries), "submittedAt": time.time()}


if __name__ == "__main__":
    serve_forever(app, board)
