"""A Harrier worker in plain Python (standard library only): claims jobs of remote kinds over HTTP,
heartbeats on a timer, reports progress, completes or fails, and stops a job whose lease was lost or
whose cancel was asked. Run: HARRIER_URL=http://localhost:8080 HARRIER_API_KEY=hk_... python3 worker.py"""
import json, os, threading, time, urllib.error, urllib.request
from concurrent.futures import ThreadPoolExecutor

URL = os.environ.get("HARRIER_URL", "http://localhost:8080").rstrip("/")
KEY = os.environ["HARRIER_API_KEY"]
NAME = os.environ.get("WORKER_NAME", "py-%d" % os.getpid())
KINDS = os.environ.get("WORKER_KINDS", "demo").split(",")
SLOTS = int(os.environ.get("WORKER_CONCURRENCY", "4"))
HEARTBEAT = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))

class LeaseLost(Exception): pass

def call(path, body=None, lease=None, timeout=70):
    headers = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}
    if lease: headers["Harrier-Lease"] = lease
    req = urllib.request.Request(URL + path, json.dumps(body or {}).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as reply:
            text = reply.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        if e.code == 409: raise LeaseLost(path) from None
        raise RuntimeError("%s: %d %s" % (path, e.code, e.read().decode("utf-8", "replace"))) from None  # the problem's detail

class Job:
    """What a handler gets: the job document, progress, log, and stopped() to check between steps."""
    def __init__(self, doc):
        self.doc, self.id, self.args, self.lease = doc, doc["id"], doc["args"], doc["leaseToken"]
        self.stop, self.cancel = threading.Event(), False
    def report(self, path, body):
        if self.stop.is_set(): raise LeaseLost(path)
        call("/api/v1/jobs/%s/%s" % (self.id, path), body, self.lease)
    def progress(self, step=None, done=None, total=None, details=None):
        self.report("progress", {"step": step, "done": done, "total": total, "details": details})
    def log(self, message, level="info"):
        self.report("logs", {"logs": [{"level": level, "message": message}]})
    def stopped(self): return self.stop.is_set()

def heartbeat(job):
    while not job.stop.wait(HEARTBEAT):
        try:
            if call("/api/v1/jobs/%s/heartbeat" % job.id, lease=job.lease)["cancelRequested"]:
                job.cancel = True; job.stop.set()
        except LeaseLost: job.stop.set()
        except Exception: pass  # a blip: the lease outlasts a few missed beats

def run(handlers, doc):
    job = Job(doc)
    beat = threading.Thread(target=heartbeat, args=(job,), daemon=True)
    beat.start()
    try:
        result = handlers[doc["kind"]](job)
        call("/api/v1/jobs/%s/complete" % job.id, {"result": result}, job.lease)
    except LeaseLost:  # cancel asked: say so now; lease lost: another worker (or nobody) finishes it
        if job.cancel: call("/api/v1/jobs/%s/fail" % job.id, {"message": "cancelled"}, job.lease)
    except Exception as e:
        try: call("/api/v1/jobs/%s/fail" % job.id, {"message": str(e), "type": type(e).__name__}, job.lease)
        except LeaseLost: pass
    finally:
        job.stop.set()

def serve(handlers):
    free = threading.Semaphore(SLOTS)
    with ThreadPoolExecutor(SLOTS) as pool:
        while True:
            free.acquire(); room = 1
            while room < SLOTS and free.acquire(blocking=False): room += 1
            try: jobs = (call("/api/v1/workers/claim", {"worker": NAME, "kinds": KINDS, "max": room, "waitSeconds": 30}) or {}).get("jobs", [])
            except Exception: jobs = []; time.sleep(1)
            for _ in range(room - len(jobs)): free.release()
            for doc in jobs: pool.submit(lambda d=doc: (run(handlers, d), free.release()))

def demo(job):
    """The example kind: counts to args.steps, reporting each step; stops early when told to."""
    steps = int(job.args.get("steps", 3))
    for i in range(steps):
        if job.stopped(): raise LeaseLost("stopped")
        time.sleep(float(job.args.get("stepSeconds", 0)))
        job.progress("counting", done=i + 1, total=steps)
    return {"counted": steps, "by": NAME}

if __name__ == "__main__":
    serve({"demo": demo})
