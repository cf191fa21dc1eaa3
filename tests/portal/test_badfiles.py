#!/usr/bin/env python3
"""Every sample-data/bad file uploaded through the API gives the findings
`liia-bench ingest --json` gives for it (same rules, lines, columns, values,
messages and fixes), the stored copy too, and the same outcome."""
import json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(__file__))
from portal import ROOT, Client, Failures, Server, Store  # noqa: E402

BIN = sys.argv[1]
T = Failures()
bad = os.path.join(ROOT, "sample-data", "bad")
names = sorted(f for f in os.listdir(bad) if f.endswith(".csv"))
T.check(len(names) >= 20, "the bad samples are there: %d" % len(names))
api_store = Store(BIN, sys.argv[2] if len(sys.argv) > 2 else None, samples=False)
cli_store = Store(BIN, sys.argv[2] if len(sys.argv) > 2 else None, samples=False)
srv = Server(api_store)
cam = Client(srv)
T.check(cam.login("cam.lead").status == 200, "sign in")

KEYS = ("line", "column", "column_name", "severity", "rule_id", "value", "message", "fix")


def norm(findings):
    return [tuple(f[k] for k in KEYS) for f in findings]


for name in names:
    with open(os.path.join(bad, name), "rb") as f:
        data = f.read()
    # The portal checks every upload against the data lead's authority, as
    # the CLI does with --la; run from the folder so files are named alike.
    p = subprocess.run([BIN, "--db", cli_store.db, "ingest", "--json", "--la", "CAM", name],
                       cwd=bad, capture_output=True, text=True)
    want = json.loads(p.stdout)[0] if p.stdout.strip() else None
    r = cam.upload("/api/submissions", [(name, data)])
    if not T.check(r.status == 200 and want, "%s: %d %s / cli %d %s" % (name, r.status, r.text[:200],
                                                                       p.returncode, p.stderr[:200])):
        continue
    got = r.json()
    T.check(got["outcome"] == want["outcome"], "%s: outcome %s vs %s" % (name, got["outcome"], want["outcome"]))
    T.check(norm(got["findings"]) == norm(want["findings"]), "%s: findings differ" % name)
    T.check(all(f["file"] == name for f in got["findings"]), "%s: findings name the file" % name)
    for k in ("errors", "warnings", "rows", "sha256", "la_code", "period", "version"):
        T.check(got.get(k) == want.get(k), "%s: %s %r vs %r" % (name, k, got.get(k), want.get(k)))
    if got["submission_id"]:
        stored = cam.get("/api/submissions/%d" % got["submission_id"])
        if stored.status == 200:
            T.check(sorted(norm(stored.json()["findings"])) == sorted(norm(want["findings"])),
                    "%s: stored findings differ" % name)
        else:  # a file claiming another authority is recorded against that one
            T.check(stored.status == 404 and got["la_code"] != "E09000007",
                    "%s: stored copy %d" % (name, stored.status))
# A child-level return: the SSDA903 tables of one authority and quarter
# uploaded together, as the CLI takes them.
d903 = os.path.join(ROOT, "sample-data", "ssda903")
tables = ["CAM_2025-03-31_header.csv", "CAM_2025-03-31_episodes.csv", "CAM_2025-03-31_uasc.csv"]
p = subprocess.run([BIN, "--db", cli_store.db, "ingest", "--json", "--return", "ssda903", "--la",
                    "CAM", "--period", "2025-03-31", *tables], cwd=d903, capture_output=True,
                   text=True)
want = json.loads(p.stdout)[0]
files = []
for t in tables:
    with open(os.path.join(d903, t), "rb") as f:
        files.append((t, f.read()))
r = cam.upload("/api/submissions", files, {"return": "ssda903", "period": "2025-03-31"})
if T.check(r.status == 200, "ssda903 upload: %d %s" % (r.status, r.text[:300])):
    got = r.json()
    for k in ("outcome", "error_policy", "errors", "warnings", "rows", "la_code", "period",
              "version", "return_type", "submission"):
        T.check(got.get(k) == want.get(k), "ssda903: %s %r vs %r" % (k, got.get(k), want.get(k)))
    T.check(got["files"] == tables, "ssda903: the tables named: %s" % got["files"])
    T.check(norm(got["findings"]) == norm(want["findings"]) and
            [f["file"] for f in got["findings"]] == [f["file"] for f in want["findings"]],
            "ssda903: findings differ")
    T.check(want["errors"] + want["warnings"] > 0, "the sample has planted findings")
r = cam.upload("/api/submissions", files[:1] + [("HAC_2025-03-31_header.csv", files[0][1])],
               {"return": "ssda903", "period": "2025-03-31"})
T.check(r.status in (200, 400), "two header tables: judged or refused (%d)" % r.status)
srv.stop()
if not T.n:
    api_store.remove()
    cli_store.remove()
T.done()
