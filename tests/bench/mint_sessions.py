"""Mints for the memory phase of scripts/bench.sh: COUNT mints through the
proxy, each without a cookie, so every one starts a session of its own (a
browser with an empty cookie jar). A few threads, each on a kept-alive
connection; every request has a timeout, so the run is bounded. Prints
"mints_ok=N mints_failed=M"; exits 1 if any mint failed.

Usage: mint_sessions.py PORT COUNT [THREADS]
"""
import http.client
import sys
import threading

port, count = int(sys.argv[1]), int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 4
BODY = b'{"platform":"tiktok","returnUrl":"http://127.0.0.1:8080/return.html"}'
HEADERS = {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}
PATH = "/api/layers/projects/prj_demo/social/oauth-url"

lock = threading.Lock()
done = {"ok": 0, "failed": 0, "statuses": {}}


def worker(n):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(n):
        try:
            connection.request("POST", PATH, BODY, HEADERS)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            status = "error"
        with lock:
            done["ok" if status == 200 else "failed"] += 1
            done["statuses"][status] = done["statuses"].get(status, 0) + 1
    connection.close()


shares = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
pool = [threading.Thread(target=worker, args=(share,)) for share in shares]
for thread in pool:
    thread.start()
for thread in pool:
    thread.join()
print(f"mints_ok={done['ok']} mints_failed={done['failed']}")
if done["failed"]:
    print(f"statuses: {done['statuses']}", file=sys.stderr)
    sys.exit(1)
