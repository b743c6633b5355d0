"""Stand-ins for seed 000: the app (Next.js + Supabase in the seed) and the users' job boards.

- app, $EXAMPLE_STUB_PORT: GET /api/internal/searches (the users with a saved search, behind the
  app's internal token), POST /api/new-jobs (what Harrier delivers: new postings of one user's
  dataset; the app saves each posting once in `jobs` and links it to the user in `user_jobs`).
- board, the next port: GET /jobs?q=&l= (postings as JSON); POST /_next-day adds a posting to every
  search and takes one away, as a board does between two runs.
- the port after that: a board that is down (nothing listens), for one user."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from stubkit import Stub, serve_forever

PORT = int(os.environ.get("EXAMPLE_STUB_PORT", "4100"))
TOKEN = "Bearer app-internal-token-0001"
app, board = Stub("app", PORT), Stub("board", PORT + 1)
BOARD, DOWN = board.url(), "http://127.0.0.1:%d" % (PORT + 2)
app.state.update({"jobs": {}, "userJobs": {}, "deliveries": 0})
board.state.update({"day": 1, "requests": 0})

USERS = [
    {"userId": "u1", "query": "java developer", "location": "London", "board": BOARD},
    {"userId": "u2", "query": "nurse", "location": "Leeds", "board": BOARD},
    {"userId": "u3", "query": "chef", "location": "Bristol", "board": DOWN},
]


@app.route("GET", "/api/internal/searches")
def searches(request):
    if request.headers.get("Authorization") != TOKEN:
        return 401, {"error": "the app's internal token is required"}
    return 200, {"users": USERS}


@app.route("POST", "/api/new-jobs")
def new_jobs(request):
    if request.headers.get("Authorization") != TOKEN:
        return 401, {"error": "the app's internal token is required"}
    user = request.json["dataset"].split(".", 1)[1]  # datasets are named search.<userId>
    with app.lock:
        app.state["deliveries"] += 1
        for posting in request.json["records"]:
            app.state["jobs"].setdefault(posting["url"], posting)
            linked = app.state["userJobs"].setdefault(user, [])
            if posting["url"] not in linked:
                linked.append(posting["url"])
    return 200, {"saved": len(request.json["records"])}


def postings(query, location, day):
    """Day 1: three postings per search; each next day one more, and the oldest is gone."""
    slug = query.replace(" ", "-")
    return [{"title": "%s #%d" % (query.title(), n), "company": "Company %d" % n, "location": location,
             "link": "%s/postings/%s-%d" % (BOARD, slug, n)} for n in range(day, day + 3)]


@board.route("GET", "/jobs")
def jobs(request):
    with board.lock:
        board.state["requests"] += 1
        day = board.state["day"]
    return 200, {"results": postings(request.query.get("q", ""), request.query.get("l", ""), day)}


@board.route("POST", "/_next-day")
def next_day(request):
    with board.lock:
        board.state["day"] += 1
        return 200, {"day": board.state["day"]}


if __name__ == "__main__":
    serve_forever(app, board)
