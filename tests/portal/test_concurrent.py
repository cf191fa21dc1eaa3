#!/usr/bin/env python3
"""The portal's threads at once (run under ThreadSanitizer in CI as well as
in the other builds): authorities upload their quarterly return and an
SSDA903 return at the same moment while the programme team reads the grid
and the audit trail and publishes the quarter (pango and libxlsxwriter
writing 33 packs), each reads its validation page, a child's rows, the
findings as CSV and the findings workbook; then the server stops cleanly.
Every answer must be right, and the server's stderr must carry no
sanitizer report.  Bounded: two rounds of a few requests per client."""
import os, sys, threading

sys.path.insert(0, os.path.dirname(__file__))
from portal import Client, Failures, ROOT, Server, Store, sample  # noqa: E402

BIN = sys.argv[1]
T = Failures()
# Camden, Hackney and Islington upload; their sample returns are left out of
# the store so each upload is a first version.
store = Store(BIN, sys.argv[2] if len(sys.argv) > 2 else None,
              leave_out=("CAM_2025-03-31.csv", "HAC_2025-03-31.csv", "ISL_2025-03-31.csv"))
srv = Server(store)
leads = {"CAM": "cam.lead", "HAC": "hac.lead", "ISL": "isl.lead"}
d903 = os.path.join(ROOT, "sample-data", "ssda903")
errors = []
lock = threading.Lock()


def fail(what):
    with lock:
        errors.append(what)


def quarterly(c, code, rnd):
    data = sample("quarterly", "%s_2025-03-31.csv" % code)
    if rnd:  # a new version: the values stay, a note changes
        data = data.rstrip(b"\n") + b" round %d\n" % rnd
    r = c.upload("/api/submissions", [("%s_2025-03-31.csv" % code, data)])
    if r.status != 200 or r.json()["outcome"] != "accepted":
        return fail("%s quarterly upload: %d %s" % (code, r.status, r.text[:200]))
    sid = r.json()["submission_id"]
    for path in ["/submissions/%d" % sid, "/submissions/%d/findings.csv" % sid,
                 "/history", "/"]:
        if c.get(path).status != 200:
            fail("%s GET %s" % (code, path))
    r = c.get("/submissions/%d/findings.xlsx" % sid)
    if r.status not in (200, 404) or (r.status == 200 and r.body[:2] != b"PK"):
        fail("%s findings workbook: %d" % (code, r.status))


def ssda903(c, code):
    if code == "ISL":  # two child-level returns are plenty
        return
    names = ["%s_2025-03-31_%s.csv" % (code, t) for t in ("header", "episodes", "uasc")]
    files = [(n, open(os.path.join(d903, n), "rb").read()) for n in names]
    r = c.upload("/api/submissions", files, {"return": "ssda903", "period": "2025-03-31"})
    if r.status != 200:
        return fail("%s ssda903 upload: %d %s" % (code, r.status, r.text[:200]))
    sid = r.json()["submission_id"]
    sub = c.get("/api/submissions/%d" % sid).json()
    child = next((f["child"] for f in sub["findings"] if f.get("child")), None)
    if not child:
        return fail("%s ssda903: no finding names its child" % code)
    if c.get("/api/submissions/%d/children/%s" % (sid, child)).status != 200:
        fail("%s child rows" % code)
    if c.get("/submissions/%d" % sid, child=child).status != 200:
        fail("%s child page" % code)


def authority(code, start):
    c = Client(srv)
    if c.login(leads[code]).status != 200:
        return fail("%s sign in" % code)
    start.wait()
    for rnd in range(2):
        quarterly(c, code, rnd)
    ssda903(c, code)


def programme(start):
    c = Client(srv)
    if c.login("prog").status != 200:
        return fail("prog sign in")
    start.wait()
    for rnd in range(4):
        for path in ["/", "/api/grid", "/audit", "/api/chase.csv?period=2025-03-31"]:
            if c.get(path).status != 200:
                fail("prog GET %s" % path)
        if rnd == 0:  # while the authorities upload: 33 packs by pango and libxlsxwriter
            r = c.post("/api/publish", {"period": "2025-03-31"}, timeout=900)
            if r.status != 200 or r.json()["packs"] != 33:
                fail("publish: %d %s" % (r.status, r.text[:200]))


start = threading.Barrier(len(leads) + 1)
threads = [threading.Thread(target=authority, args=(code, start)) for code in leads]
threads.append(threading.Thread(target=programme, args=(start,)))
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=600)
T.check(not any(t.is_alive() for t in threads), "every client finished")
for e in errors:
    T.check(False, e)
c = Client(srv)
c.login("prog")
g = {(row["short_code"], row["return_type"]): row for row in c.get("/api/grid").json()["grid"]}
for code in leads:
    T.check(g[(code, "quarterly")]["submission_id"] and g[(code, "quarterly")]["state"] != "not sent",
            "%s quarterly in the grid: %s" % (code, g[(code, "quarterly")]["state"]))
cam = Client(srv)
cam.login("cam.lead")
packs = [p["file"] for p in cam.get("/api/packs").json()]
T.check(sorted(packs) == ["CAM_2025-03-31_benchmark.pdf", "CAM_2025-03-31_benchmark.xlsx"],
        "Camden's pack of the publication: %s" % packs)
rc, out, err = srv.stop()
T.check(rc == 0, "the server stopped cleanly: %d" % rc)
T.check("Sanitizer" not in err and "data race" not in err,
        "no sanitizer report from the server:\n%s" % err[-4000:])
if not T.n:
    store.remove()
T.done()
