#!/usr/bin/env python3
"""load.py BIN WORKDIR [ROUNDS] - 33 authorities upload their quarterly
return at the same moment through the portal's pages (POST /upload, then
the findings page it redirects to); prints one line per round:
`round N: n=33 p50=S p95=S max=S wall=S` (seconds, upload to findings
page).  Used by scripts/perf_portal.sh; not a timed test."""
import os, sqlite3, sys, threading, time

sys.path.insert(0, os.path.dirname(__file__))
from portal import PASSWORD, ROOT, Client, Server, Store  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
PERIOD = "2025-03-31"
qdir = os.path.join(ROOT, "sample-data", "quarterly")
latest = sorted(f for f in os.listdir(qdir) if f.endswith("_%s.csv" % PERIOD))
store = Store(BIN, WORK, leave_out=set(latest))
codes = [f.split("_")[0] for f in latest]
for code in codes:
    store.cli("user", "add", "load." + code.lower(), "--role", "data_lead", "--la", code,
              "--password-stdin", stdin=PASSWORD + "\n")
srv = Server(store)
clients = []
for code in codes:
    c = Client(srv)
    assert c.login("load." + code.lower()).status == 200
    clients.append(c)


def body(code, rnd):
    with open(os.path.join(qdir, "%s_%s.csv" % (code, PERIOD)), "rb") as f:
        data = f.read()
    # Each round a new version: the note column changes, the values do not.
    return data.rstrip(b"\n") + (b" round %d" % rnd if rnd else b"") + b"\n"


def one(c, code, rnd, start, out, i):
    data = body(code, rnd)
    start.wait()
    t0 = time.monotonic()
    r = c.upload("/upload", [("%s_%s.csv" % (code, PERIOD), data)])
    loc = r.headers.get("Location") if r.status == 303 else None
    ok = loc and loc.startswith("/submissions/") and c.get(loc).status == 200
    out[i] = (time.monotonic() - t0) if ok else None


for rnd in range(ROUNDS):
    out = [None] * len(codes)
    start = threading.Barrier(len(codes))
    threads = [threading.Thread(target=one, args=(c, code, rnd, start, out, i))
               for i, (c, code) in enumerate(zip(clients, codes))]
    w0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - w0
    times = sorted(x for x in out if x is not None)
    failed = len(codes) - len(times)
    p = lambda q: times[min(len(times) - 1, int(round(q * (len(times) - 1))))]  # noqa: E731
    print("round %d: n=%d failed=%d p50=%.3f p95=%.3f max=%.3f wall=%.3f"
          % (rnd + 1, len(times), failed, p(0.5), p(0.95), times[-1], wall), flush=True)
con = sqlite3.connect(store.db)
versions = con.execute("SELECT count(*) FROM submission WHERE period = ? AND status <> 'rejected'",
                       (PERIOD,)).fetchone()[0]
con.close()
print("stored: %d versions for %s" % (versions, PERIOD))
srv.stop()
store.remove()
