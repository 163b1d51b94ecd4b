#!/usr/bin/env python3
"""A deliberately naive Layers proxy: the kind of forwarder written in a hurry.

It forwards the three widget routes to Layers, adding the bearer key, and
passes the answer back (status, body, Content-Type, Retry-After, x-request-id),
with Cache-Control: no-store and a body size cap. It does NOT bind states to
the browser session, check Origin on the mint (CSRF), check the returnUrl
against an allowlist, or keep the key out of an echoing upstream's answer.
Its outcome stream is the hurried kind too: it says `ready` to anyone who
asks, whose state it is or not (it never hears a webhook either).

`check-proxy` must fail it on exactly those rules (proxy/tests/conformance.rs).
With --sloppy it also maps every upstream error to its own 502, drops
Cache-Control, x-request-id and Retry-After, copies Layers' other headers
down, reads any body whole, and opens its stream with a `nudge` instead of
`ready`, so the kit's pass-through, hygiene, body-limit and stream.wire
rules are shown to fail too. With --no-stream it answers every stream 404,
as a proxy written before the stream would.
Not an example to copy.

Usage: LAYERS_API_KEY=lp_test_demo naive_proxy.py [--sloppy] [--no-stream] UPSTREAM_BASE_URL
Listens on a free loopback port and prints it as the first stdout line.
Python 3 standard library only.
"""

import http.server
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid

MAX_BODY = 16 * 1024
ROUTES = [
    ("POST", re.compile(r"^/projects/([A-Za-z0-9_-]+)/social/oauth-url$")),
    ("GET", re.compile(r"^/social/oauth-status/([A-Za-z0-9_-]+)$")),
    ("GET", re.compile(r"^/projects/([A-Za-z0-9_-]+)/social-accounts$")),
]
STREAM = re.compile(r"^/social/oauth-events/([A-Za-z0-9_-]+)$")
PASSED_HEADERS = ("Content-Type", "Retry-After", "x-request-id")
# What --sloppy leaves out when it copies Layers' headers wholesale: what it
# sets itself, hop-by-hop fields, and what it drops on purpose.
NOT_COPIED = {"content-type", "content-length", "transfer-encoding", "connection",
              "keep-alive", "date", "server", "retry-after", "x-request-id", "cache-control"}


def read_body(stream, length):
    """Reads `length` bytes in chunks: a 10 GB Content-Length must not allocate 10 GB."""
    chunks = []
    while length > 0:
        chunk = stream.read(min(length, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        length -= len(chunk)
    return b"".join(chunks)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Handler(http.server.BaseHTTPRequestHandler):
    upstream = ""
    key = ""
    sloppy = False
    serves_stream = True

    def log_message(self, *args):
        pass  # quiet: the test output is the kit's report

    def own_error(self, status, code, message):
        request_id = "nv_" + uuid.uuid4().hex
        body = (
            '{"error":{"code":"%s","message":"%s","requestId":"%s"}}'
            % (code, message, request_id)
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if not self.sloppy:
            self.send_header("Cache-Control", "no-store")
            self.send_header("x-request-id", request_id)
        self.end_headers()
        self.wfile.write(body)

    def stream(self):
        """The outcome stream, unbound: whoever asks gets one."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if not self.sloppy:
            self.send_header("Cache-Control", "no-store")
            self.send_header("x-request-id", "nv_" + uuid.uuid4().hex)
        self.end_headers()
        first = "nudge" if self.sloppy else "ready"
        self.wfile.write(("event: %s\ndata: {}\n\n" % first).encode())
        self.wfile.flush()
        for _ in range(30):  # then hang up; the widget would reconnect
            time.sleep(1)
            self.wfile.write(b": heartbeat\n\n")
            self.wfile.flush()

    def forward(self, method):
        path = self.path.split("?", 1)[0]
        if method == "GET" and STREAM.match(path) and self.serves_stream:
            return self.stream()
        if not any(m == method and r.match(path) for m, r in ROUTES):
            return self.own_error(404, "NOT_FOUND", "Not found.")
        body = None
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY and not self.sloppy:
                self.close_connection = True
                return self.own_error(413, "PAYLOAD_TOO_LARGE", "Body too large.")
            body = read_body(self.rfile, length)
        request = urllib.request.Request(
            self.upstream + "/v1" + path, data=body, method=method
        )
        request.add_header("Authorization", "Bearer " + self.key)
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            answer = OPENER.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            if self.sloppy:
                error.close()
                return self.own_error(502, "UPSTREAM_ERROR", "Layers said no.")
            answer = error
        except OSError:
            return self.own_error(502, "UPSTREAM_UNAVAILABLE", "Layers is unreachable.")
        with answer:
            data = answer.read()
            self.send_response(answer.status)
            for name in PASSED_HEADERS[:1] if self.sloppy else PASSED_HEADERS:
                if answer.headers.get(name) is not None:
                    self.send_header(name, answer.headers[name])
            if self.sloppy:
                for name, value in answer.headers.items():
                    if name.lower() not in NOT_COPIED:
                        self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            if not self.sloppy:
                self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    def do_GET(self):
        self.forward("GET")

    def do_POST(self):
        self.forward("POST")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The kit hangs up on purpose (body-limit probes): a broken pipe is
        # expected, and a traceback would only clutter the test output.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def main():
    args = sys.argv[1:]
    Handler.sloppy = "--sloppy" in args
    Handler.serves_stream = "--no-stream" not in args
    args = [a for a in args if a not in ("--sloppy", "--no-stream")]
    if len(args) != 1 or not os.environ.get("LAYERS_API_KEY"):
        sys.exit("usage: LAYERS_API_KEY=... naive_proxy.py [--sloppy] [--no-stream] UPSTREAM_BASE_URL")
    Handler.upstream = args[0].rstrip("/")
    Handler.key = os.environ["LAYERS_API_KEY"]
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
