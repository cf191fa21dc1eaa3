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
    if want and want.get("la_code") not in (None, "", "E09000007"):
        # A file naming another authority: the CLI records it against that
        # one; the portal refuses a data lead's upload of it, storing nothing.
        T.check(r.status == 403 and "nothing was stored" in r.text,
                "%s names %s: refused (%d)" % (name, want["la_code"], r.status))
        continue
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
        T.check(stored.status == 200 and
                sorted(norm(stored.json()["findings"])) == sorted(norm(want["findings"])),
                "%s: stored findings differ (%d)" % (name, stored.status))
def raw_child(files, table, line):
    """The CHILD column of a line of an uploaded table, as the file has it."""
    data = dict((n.split("_")[-1][:-4], d) for n, d in files)[table].decode().splitlines()
    return data[line - 1].split(",")[0]


def children_903(sid, files):
    """An SSDA903 submission child by child: each finding names its child
    by pseudonym (never the file's CHILD), the findings filter by child,
    the child's rows come with the failing cells highlighted."""
    sub = cam.get("/api/submissions/%d" % sid).json()
    on_rows = [f for f in sub["findings"] if f["line"] > 0 and f["table"]]
    named = [f for f in on_rows if f.get("child")]
    T.check(on_rows and len(named) >= 0.9 * len(on_rows),
            "findings on rows name their child: %d of %d" % (len(named), len(on_rows)))
    T.check(all(len(f["child"]) == 32 and int(f["child"], 16) >= 0 for f in named),
            "a child is its 32-hex pseudonym")
    f = next(f for f in named if f["column_name"] and f["table"] == "episodes")
    child, raw = f["child"], raw_child(files, f["table"], f["line"])
    mine = [g for g in sub["findings"] if g.get("child") == child]
    r = cam.get("/api/submissions/%d" % sid, child=child.lower())
    T.check(r.status == 200 and [g["id"] for g in r.json()["findings"]] == [g["id"] for g in mine],
            "the API filters findings by child: %d of %d" % (len(mine), len(sub["findings"])))
    rows = cam.get("/api/submissions/%d/children/%s" % (sid, child))
    if T.check(rows.status == 200, "the child's rows: %d" % rows.status):
        tables = {t["table"]: t for t in rows.json()["tables"]}
        lines = [row["line"] for row in tables["episodes"]["rows"]]
        T.check(f["line"] in lines, "the child's rows hold the finding's line %d: %s"
                % (f["line"], lines))
        T.check(raw not in rows.text and "UPN" in tables["header"]["columns"] and
                tables["header"]["stored"][tables["header"]["columns"].index("UPN")] is False,
                "no raw identifier in the child's rows")
    page = cam.get("/submissions/%d" % sid, child=child)
    T.check(page.status == 200 and page.text.count('class="sev-') == len(mine),
            "the page filtered to the child: %d rows for %d findings"
            % (page.text.count('class="sev-'), len(mine)))
    T.check('<td class="bad">' in page.text and "(finding)" in page.text and
            f["rule_id"] in page.text, "the child's failing cells highlighted with the rule")
    T.check(">%s<" % raw not in page.text and "=%s" % raw not in page.text,
            "the file's CHILD %s is nowhere on the page" % raw)
    # 12 digits or more name the child (docs/portal.md); fewer do not
    for bad in [raw, "zz" * 16, child[:11]]:
        r = cam.get("/api/submissions/%d/children/%s" % (sid, bad))
        T.check(r.status == 400, "not a pseudonym refused: %s (%d)" % (bad, r.status))
    r = cam.get("/api/submissions/%d/children/%s" % (sid, child[:12]))
    T.check(r.status == 200 and r.json()["child"] == child.upper(),
            "the 12 digits the page shows name the child (%d)" % r.status)
    other = Client(srv)
    other.login("hac.lead")
    for path in ["/api/submissions/%d/children/%s" % (sid, child),
                 "/submissions/%d?child=%s" % (sid, child)]:
        r = other.get(path)
        T.check(r.status == 404 and child not in r.text, "another authority: 404 for %s" % path)
    # Pages of 100: 1 and the last, the filters kept in the links.
    n = len(sub["findings"])
    p1 = cam.get("/submissions/%d" % sid, severity="error")
    errs = sum(1 for g in sub["findings"] if g["severity"] == "error")
    T.check(p1.text.count('class="sev-') == min(100, errs) and
            (errs <= 100 or "page=2&amp;severity=error" in p1.text),
            "page 1 of %d errors: %d rows" % (errs, p1.text.count('class="sev-')))
    last = (n + 99) // 100
    pl = cam.get("/submissions/%d" % sid, page=str(last + 5))
    T.check(pl.text.count('class="sev-') == n - 100 * (last - 1) and
            ("Findings %d to %d of %d" % (100 * (last - 1) + 1, n, n) in pl.text or n <= 100),
            "a page past the end is the last: %d rows of %d" % (pl.text.count('class="sev-'), n))


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
    children_903(got["submission_id"], files)
# The page that answers an upload from the browser names the sender's own
# CHILD beside each child's finding (issue 13: INT03, the child's header
# row dropped); the same page read again later cannot (the store has no raw
# id) and says how to find the row instead.
hdr = files[0][1].split(b"\n")
lost = hdr[1].split(b",")[0].decode()
r = cam.upload("/upload", [(files[0][0], b"\n".join(hdr[:1] + hdr[2:]))] + files[1:],
               {"return": "ssda903", "period": "2025-03-31"})
own = '<span class="child-id">%s</span>' % lost
if T.check(r.status == 200 and own in r.text and "INT03" in r.text and
           "the only time" in r.text, "the upload's answer names child %s: %d %s"
           % (lost, r.status, r.text[:200])):
    sid = int(r.text.split('/findings.csv"')[0].rsplit("/submissions/", 1)[1])
    later = cam.get("/submissions/%d" % sid)
    T.check(later.status == 200 and "INT03" in later.text and 'class="child-id"' not in later.text
            and "does not keep your CHILD ids" in later.text,
            "the page read later shows no child id and says why")
    T.check('"child_id"' not in cam.get("/api/submissions/%d" % sid).text,
            "the stored findings hold no child id")
r = cam.upload("/api/submissions", files[:1] + [("HAC_2025-03-31_header.csv", files[0][1])],
               {"return": "ssda903", "period": "2025-03-31"})
T.check(r.status in (200, 400), "two header tables: judged or refused (%d)" % r.status)
srv.stop()
if not T.n:
    api_store.remove()
    cli_store.remove()
T.done()
