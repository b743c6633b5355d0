"""Stand-ins for seed 003: the Supabase storage bucket `company-jobs` (filled by the scraper
server) and the service that sends the new-job notifications.

- storage, $EXAMPLE_STUB_PORT, behind the service role key:
  GET /storage/v1/object/list/company-jobs lists the company files;
  GET /storage/v1/object/company-jobs/<company>.json is one file, in the seed's format;
  PUT /storage/v1/object/data/job-sync-summary.json keeps the last Sync Summary;
  POST /_scrape: the scraper uploads new files (one job gone and two new at Amazon, one new at Monzo).
- notifications, the next port: POST /api/job-notifications takes a batch of new jobs; its first
  call answers 503 (a deploy in progress), so the delivery is retried."""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from stubkit import Stub, serve_forever

PORT = int(os.environ.get("EXAMPLE_STUB_PORT", "4100"))
KEY = "Bearer service-role-key-0001"
storage, notifications = Stub("storage", PORT), Stub("notifications", PORT + 1)
storage.state.update({"scrape": 1, "summary": None})
notifications.state.update({"calls": 0, "jobNotifications": []})

OPENINGS = {
    "Amazon": [("Software Engineer", "Seattle, WA"), ("Data Engineer", "Seattle, WA"), ("SDE II", "London, UK")],
    "Monzo": [("Backend Engineer", "London, UK"), ("Product Designer", "Cardiff, UK")],
    "Octopus": [("Energy Analyst", "London, UK")],
}
LATER = {
    "Amazon": [("Software Engineer", "Seattle, WA"), ("SDE II", "London, UK"), ("Applied Scientist", "Seattle, WA"),
               ("Support Engineer", "Dublin, IE")],
    "Monzo": [("Backend Engineer", "London, UK"), ("Product Designer", "Cardiff, UK"), ("iOS Engineer", "London, UK")],
    "Octopus": [("Energy Analyst", "London, UK")],
}


def company_file(company):
    openings = (OPENINGS if storage.state["scrape"] == 1 else LATER)[company]
    slug = company.lower()
    return {"company": company, "scrapedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "jobs": [{"id": "%s-%s" % (slug, title.lower().replace(" ", "-")), "title": title, "company": company, "location": location,
                      "url": "https://%s.example/careers/%s" % (slug, title.lower().replace(" ", "-")),
                      "description": "%s at %s" % (title, company), "requirements": ["Teamwork"],
                      "postedDate": "2026-11-30", "isActive": True} for title, location in openings]}


def authorised(request):
    return request.headers.get("Authorization") == KEY


@storage.route("GET", "/storage/v1/object/list/company-jobs")
def listing(request):
    if not authorised(request):
        return 401, {"error": "service role key required"}
    return 200, {"files": [{"name": "%s.json" % c.lower(), "company": c} for c in OPENINGS]}


@storage.route("GET", "/storage/v1/object/company-jobs/")
def download(request):
    if not authorised(request):
        return 401, {"error": "service role key required"}
    name = request.path.rsplit("/", 1)[1].removesuffix(".json")
    company = next((c for c in OPENINGS if c.lower() == name), None)
    return (200, company_file(company)) if company else (404, {"error": "no such file"})


@storage.route("PUT", "/storage/v1/object/data/job-sync-summary.json")
def summary(request):
    if not authorised(request):
        return 401, {"error": "service role key required"}
    with storage.lock:
        storage.state["summary"] = request.json
    return 200, {"Key": "data/job-sync-summary.json"}


@storage.route("POST", "/_scrape")
def scrape(request):
    with storage.lock:
        storage.state["scrape"] += 1
    return 200, {"scrape": storage.state["scrape"]}


@notifications.route("POST", "/api/job-notifications")
def notify(request):
    if not authorised(request):
        return 401, {"error": "service role key required"}
    with notifications.lock:
        notifications.state["calls"] += 1
        if notifications.state["calls"] == 1:
            return 503, {"error": "deploying"}
        for job in request.json["records"]:
            notifications.state["jobNotifications"].append({"jobId": job["id"], "company": job["company"], "title": job["title"],
                                                            "location": job["location"], "url": job["url"], "status": "pending"})
    return 200, {"queued": len(request.json["records"])}


if __name__ == "__main__":
    serve_forever(storage, notifications)
