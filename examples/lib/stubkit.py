"""The stand-ins an example needs (a job board, an app's endpoints, a storage bucket, an enrichment
API): small JSON servers on the standard library only. Each stub keeps what it was sent in `state`,
which `GET /_state` returns (what you inspect, and what the example's test asserts)."""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Request:
    def __init__(self, handler, body):
        url = urlsplit(handler.path)
        self.method, self.path, self.headers = handler.command, url.path, handler.headers
        self.query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.text = body.decode("utf-8") if body else ""
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None


class Stub:
    """Routes are (method, path prefix) -> function(request) returning (status, body): a dict or a
    list is sent as JSON, a str as text/html."""

    def __init__(self, name, port):
        self.name, self.port, self.routes = name, port, []
        self.state, self.lock = {}, threading.RLock()

    def route(self, method, prefix):
        def add(fn):
            self.routes.append((method, prefix, fn))
            return fn
        return add

    def url(self, path=""):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def start(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self, self.rfile.read(length) if length else b"")
                if request.method == "GET" and request.path == "/_state":
                    with stub.lock:
                        status, body = 200, json.loads(json.dumps(stub.state))
                else:
                    match = [fn for method, prefix, fn in stub.routes if method == request.method and request.path.startswith(prefix)]
                    status, body = match[0](request) if match else (404, {"error": "no route " + request.path})
                if isinstance(body, (dict, list)):
                    data, kind = json.dumps(body).encode(), "application/json"
                else:
                    data, kind = str(body).encode(), "text/html; charset=utf-8"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

            def log_message(self, format, *args):
                sys.stderr.write("[%s] %s\n" % (stub.name, format % args))

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print("stub %s on %s" % (self.name, self.url()), flush=True)
        return self


def serve_forever(*stubs):
    """Starts the stubs and blocks until the process is stopped."""
    for stub in stubs:
        stub.start()
    print("stubs ready", flush=True)
    threading.Event().wait()
