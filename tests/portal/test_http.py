#!/usr/bin/env python3
"""The portal over HTTP: every endpoint, sign-in and sessions, CSRF, access
control (each role against another authority's data: refused, nothing
leaks), and the quarter's workflow from upload to pack download."""
import io, os, re, socket, sqlite3, sys, zipfile

sys.path.insert(0, os.path.dirname(__file__))
from portal import Client, Failures, Server, Store, sample, signed_in, PASSWORD  # noqa: E402

BIN = sys.argv[1]
T = Failures()
check = T.check
store = Store(BIN, sys.argv[2] if len(sys.argv) > 2 else None)
srv = Server(store)
HAC_GSS = "E09000012"


def login(name):
    return signed_in(srv, check, name)


def q(sql, *args):
    return store.rows(sql, *args)


# ---------------------------------------------------------------- headers, sign-in
anon = Client(srv)
r = anon.get("/login")
check(r.status == 200 and "<form" in r.text, "sign-in page")
for h, want in [("Content-Security-Policy", "frame-ancestors 'none'"),
                ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")]:
    check(want in (r.headers.get(h) or ""), "header %s" % h)
cookie = r.headers.get("Set-Cookie") or ""
check("HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie,
      "pre-sign-in cookie flags (no Secure without TLS): %s" % cookie)
check(anon.get("/api/me").status == 401, "not signed in: 401")
check(anon.get("/").status == 303, "pages redirect to sign-in")
check(anon.get("/nowhere").status == 404, "unknown path 404")
check(anon.get("/style.css").status == 200, "stylesheet")

# sign in needs the pre-sign-in token (login CSRF)
r = anon.post("/api/login", {"name": "cam.lead", "password": PASSWORD}, csrf="0" * 64)
check(r.status == 400, "sign-in without the form's token refused: %d" % r.status)
c = Client(srv)
r = c.login("cam.lead", "wrong password here")
check(r.status == 401 and r.json()["rule_id"] == "APP-SIGNIN", "wrong password 401")
r2 = Client(srv).login("no.such.user", "wrong password here")
check(r2.status == 401 and r2.json()["error"] == r.json()["error"],
      "unknown user: the same answer as a wrong password")
cam = login("cam.lead")
sc = [h for h in cam.jar]
check(any(k.name == "liia_session" and k.has_nonstandard_attr("HttpOnly") for k in sc),
      "session cookie HttpOnly")
tok = [k.value for k in sc if k.name == "liia_session"][0]
check(not q("SELECT 1 FROM app_session WHERE token_sha256 = ?", tok),
      "the token itself is not stored")
check(len(q("SELECT 1 FROM app_session")) >= 1, "a session row (hashed)")
me = cam.get("/api/me").json()
check(me["role"] == "data_lead" and me["la_code"] == "E09000007", "me: %s" % me)

# lockout: five failures lock the account, even the right password is refused
for i in range(5):
    Client(srv).login("hac.dcs", "not the password %d" % i)
r = Client(srv).login("hac.dcs")
check(r.status == 429 and r.json()["rule_id"] == "APP-LOCKED", "locked after 5: %d" % r.status)
store.cli("user", "reset", "hac.dcs", "--password-stdin", stdin=PASSWORD + "\n")
hacdcs = login("hac.dcs")
audit = q("SELECT actor, action, outcome FROM audit WHERE action = 'sign in'")
check(("hac.dcs", "sign in", "refused") in audit and ("cam.lead", "sign in", "ok") in audit,
      "sign-ins audited")

# ---------------------------------------------------------------- CSRF and sessions
csv = sample("bad", "warnings_only.csv")
r = cam.upload("/api/submissions", [("warnings_only.csv", csv)], csrf=None)
check(r.status == 403, "upload without CSRF token refused: %d" % r.status)
r = cam.upload("/api/submissions", [("warnings_only.csv", csv)], csrf="f" * 64)
check(r.status == 403, "upload with a wrong CSRF token refused")
r = cam.post("/api/logout", csrf=None)
check(r.status == 403 and cam.get("/api/me").status == 200, "logout needs CSRF too")
r = cam.request("POST", "/api/submissions/1/signoff", b"", {"X-CSRF-Token": "0" * 64},
                "application/x-www-form-urlencoded")
check(r.status == 403, "a wrong X-CSRF-Token header refused")
other = login("cam.lead")
r = cam.post("/api/due", {"return_type": "quarterly", "period": "2025-03-31", "due": "2025-05-01"},
             csrf=other.csrf)
check(r.status == 403, "another session's CSRF token refused")

# ---------------------------------------------------------------- upload and findings
r = cam.upload("/api/submissions", [("warnings_only.csv", csv)])
check(r.status == 200, "upload: %d %s" % (r.status, r.text[:300]))
up = r.json()
check(up["outcome"] == "accepted" and up["warnings"] == 20 and up["file"] == "warnings_only.csv",
      "upload result as ingest --json: %s" % {k: up.get(k) for k in ("outcome", "warnings", "file")})
sid = up["submission_id"]
sub = cam.get("/api/submissions/%d" % sid).json()
check(sub["warnings"] == 20 and len(sub["findings"]) == 20 and sub["status"] == "accepted",
      "submission findings")
check({f["rule_id"] for f in sub["findings"]} == {f["rule_id"] for f in up["findings"]},
      "stored findings match the upload's")
page = cam.get("/submissions/%d" % sid)
check(page.status == 200 and "QBR-R020" in page.text and 'class="value"' in page.text,
      "validation page lists findings with the value highlighted")
page = cam.get("/submissions/%d" % sid, severity="error")
check("QBR-R020" not in page.text, "filter by severity")
page = cam.get("/submissions/%d" % sid, rule="QBR-R021")
check("QBR-R021" in page.text and "QBR-R020" not in page.text, "filter by rule")
r = cam.get("/submissions/%d/findings.csv" % sid)
check(r.status == 200 and r.text.count("\n") == 21 and "attachment" in r.headers["Content-Disposition"],
      "findings CSV")
r = cam.get("/submissions/%d/findings.xlsx" % sid)
check(r.status == 200 and r.body[:2] == b"PK", "findings workbook: %d" % r.status)
check("findings.xlsx" in cam.get("/submissions/%d" % sid).text, "the page links the workbook")

# the authority of the file must be the uploader's
hac_file = sample("quarterly", "HAC_2025-03-31.csv")
r = cam.upload("/api/submissions", [("HAC_2025-03-31.csv", hac_file)], {"la": "HAC"})
check(r.status == 403, "a data lead cannot upload for another authority: %d" % r.status)
n_before = q("SELECT count(*) FROM submission")[0][0]
r = cam.upload("/api/submissions", [("HAC_2025-03-31.csv", hac_file)])
check(r.status == 403 and "Hackney (E09000012)" in r.json()["error"] and
      "nothing was stored" in r.json()["error"],
      "a file naming another authority is refused, saying which: %d %s" % (r.status, r.text))
check(q("SELECT count(*) FROM submission")[0][0] == n_before,
      "nothing recorded for a file of another authority")
check(q("SELECT count(*) FROM audit WHERE actor = 'cam.lead' AND action = 'upload' AND "
        "outcome = 'refused' AND target = 'HAC_2025-03-31.csv'")[0][0] == 1,
      "the refusal is audited")
page = cam.upload("/upload", [("HAC_2025-03-31.csv", hac_file)])
check(page.status == 403 and "Hackney" in page.text and "<h1>Not allowed</h1>" in page.text,
      "the upload page says why: %d" % page.status)

# ---------------------------------------------------------------- access control
hac_sub = q("SELECT id FROM submission WHERE la_code = ? AND status = 'accepted' LIMIT 1",
            HAC_GSS)[0][0]
hac_name = q("SELECT file_name FROM submission WHERE id = ?", hac_sub)[0][0]
dcs = login("cam.dcs")
prog = login("prog")
an = login("analyst")
for who, cl in [("cam.lead", cam), ("cam.dcs", dcs)]:
    for path in ["/api/submissions/%d" % hac_sub, "/api/submissions/%d/findings.csv" % hac_sub,
                 "/api/submissions/%d/findings.xlsx" % hac_sub,
                 "/submissions/%d" % hac_sub, "/api/history?la=HAC", "/history?la=HAC",
                 "/api/submissions/999999"]:
        r = cl.get(path)
        check(r.status == 404 and hac_name not in r.text and HAC_GSS not in r.text,
              "%s GET %s: 404 and nothing of HAC (%d)" % (who, path, r.status))
    g = cl.get("/api/grid").json()["grid"]
    check(g and all(row["la_code"] == "E09000007" for row in g), "%s's grid is CAM only" % who)
    s = cl.get("/api/status").json()["grid"]
    check(s and all(row["la_code"] == "E09000007" for row in s), "%s's status is CAM only" % who)
    h = cl.get("/api/history").json()
    check(h and all("CAM" in row["file_name"] or "warnings" in row["file_name"]
                    or "HAC_" in row["file_name"] for row in h), "%s's history" % who)
    for path in ["/api/audit", "/audit", "/api/query?sql=select+1", "/api/chase.csv"]:
        check(cl.get(path).status == 403, "%s GET %s: 403" % (who, path))
    for path, f in [("/api/submissions/%d/explain" % hac_sub, {"finding": 1, "note": "x"}),
                    ("/api/submissions/%d/signoff" % hac_sub, {})]:
        r = cl.post(path, f)
        check(r.status in (403, 404) and hac_name not in r.text, "%s POST %s refused" % (who, path))
    check(cl.post("/api/publish", {"period": "2025-03-31"}).status == 403, "%s cannot publish" % who)
    check(cl.post("/api/due", {"return_type": "quarterly", "period": "2025-03-31",
                               "due": "2025-05-01"}).status == 403, "%s cannot set due dates" % who)
r = dcs.upload("/api/submissions", [("warnings_only.csv", csv)])
check(r.status == 403, "a DCS does not upload")
r = prog.upload("/api/submissions", [("warnings_only.csv", csv)])
check(r.status == 403, "the programme team does not upload")
for path in ["/api/grid", "/api/status", "/api/history?la=CAM", "/api/packs",
             "/api/submissions/%d" % sid, "/"]:
    check(an.get(path).status in (403, 303), "analyst GET %s refused" % path)
r = prog.get("/api/submissions/%d" % hac_sub)
check(r.status == 200, "programme sees any authority")
check(len(prog.get("/api/grid").json()["grid"]) >= 33, "programme sees all 33")
r = an.get("/api/query", sql="SELECT la_code, count(*) AS n FROM submissions GROUP BY la_code")
check(r.status == 200 and len(r.json()) >= 33, "analyst queries the views: %d" % r.status)
for bad in ["SELECT * FROM app_user", "SELECT * FROM audit", "SELECT * FROM app_session",
            "DELETE FROM submission"]:
    r = an.get("/api/query", sql=bad)
    check(r.status == 400 and "argon2" not in r.text, "analyst refused: %s (%d)" % (bad, r.status))
r = an.get("/query", sql="SELECT count(*) FROM measures")
check(r.status == 200 and "<pre>" in r.text, "query page")

# ---------------------------------------------------------------- workflow
r = dcs.post("/api/submissions/%d/signoff" % sid)
check(r.status == 409, "no sign-off while warnings are unexplained: %d" % r.status)
check(cam.post("/api/submissions/%d/signoff" % sid).status == 403,
      "a data lead without delegation cannot sign off")
g = {row["return_type"]: row for row in cam.get("/api/grid").json()["grid"]}
check(g["quarterly"]["state"] == "awaiting explanation", "state awaiting explanation")
for f in sub["findings"]:
    r = cam.post("/api/submissions/%d/explain" % sid, {"finding": f["id"], "note": "checked: %s" % f["rule_id"]})
    if not check(r.status == 200, "explain %d: %d %s" % (f["id"], r.status, r.text)):
        break
check(cam.post("/api/submissions/%d/explain" % sid, {"finding": hac_sub * 1000, "note": "x"}).status == 404,
      "explaining a finding of nothing: 404")
check(cam.post("/api/submissions/%d/explain" % sid, {"finding": sub["findings"][0]["id"], "note": ""}).status == 400,
      "an empty note is refused")
g = {row["return_type"]: row for row in cam.get("/api/grid").json()["grid"]}
check(g["quarterly"]["state"] == "awaiting sign-off", "state awaiting sign-off: %s" % g["quarterly"]["state"])
r = dcs.post("/api/submissions/%d/signoff" % sid)
check(r.status == 200, "DCS signs off: %d %s" % (r.status, r.text))
check(dcs.post("/api/submissions/%d/signoff" % sid).status == 409, "signed off once")
s = cam.get("/api/submissions/%d" % sid).json()
check(s["signed_by"] == "cam.dcs" and s["signed_at"], "sign-off recorded with name and time")
g = {row["return_type"]: row for row in cam.get("/api/grid").json()["grid"]}
check(g["quarterly"]["state"] == "signed off", "state signed off")

# delegated data lead (ISL) signs off a clean return
isl = login("isl.lead")
isl_sub = q("SELECT id FROM submission WHERE la_code = 'E09000019' AND period = '2025-03-31' "
            "AND status = 'accepted'")[0][0]
unexplained = q("SELECT count(*) FROM finding WHERE submission_id = ? AND severity = 'warning'", isl_sub)[0][0]
r = isl.post("/api/submissions/%d/signoff" % isl_sub)
check(r.status == (200 if unexplained == 0 else 409), "delegated data lead signs off: %d" % r.status)

# programme: due dates, grid, chase list
r = prog.post("/api/due", {"return_type": "quarterly", "period": "2025-03-31", "due": "2025-05-01"})
check(r.status == 200, "due date set: %d %s" % (r.status, r.text))
check(prog.post("/api/due", {"return_type": "quarterly", "period": "2025-03-31",
                             "due": "2025-02-30"}).status == 400, "an impossible date refused")
grid = prog.get("/api/grid", period="2025-03-31").json()["grid"]
cam_row = [x for x in grid if x["la_code"] == "E09000007" and x["return_type"] == "quarterly"][0]
check(cam_row["due"] == "2025-05-01" and cam_row["days_late"] >= 0, "due date and days late")
states = {x["state"] for x in grid}
check({"signed off", "not due"} <= states, "grid states: %s" % states)
# schemas/returns.json decides what is due, for the grid as for `status`
# (one function: liia_returns_grid): the optional SSDA903 return is never
# "not sent", and every cell agrees with /api/status.
check(all(x["state"] == "not due" for x in grid if x["return_type"] == "ssda903" and
          not x["submission_id"]), "an SSDA903 return not sent is not due")
st = {(x["la_code"], x["return_type"]): x for x in
      prog.get("/api/status", period="2025-03-31").json()["grid"]}
pairs = [("return_state", "state"), ("due", "due"), ("days_late", "days_late"),
         ("contact_email", "contact_email"), ("submission_id", "submission_id")]
differ = [g for g, s in pairs
          if any(x[g] != st[(x["la_code"], x["return_type"])][s] for x in grid)]
check(len(st) == len(grid) and not differ, "grid and status disagree on %s" % differ)
r = prog.get("/api/chase.csv", period="2025-03-31")
# CAM's child-level returns (CIN census, SSDA903) are not sent: only its
# quarterly row must be gone.
check(r.status == 200 and r.text.startswith("period,short_code") and ",CAM," not in r.text.split("ssda903")[0]
      .replace("CAM,E09000007,Camden,ssda903", "").replace("CAM,E09000007,Camden,cin", ""),
      "chase list leaves out the signed-off")
check(",HAC," in r.text, "chase list has HAC")
page = prog.get("/")
check(page.status == 200 and "Publish" in page.text and ">HAC<" in page.text, "programme home")

# publish; packs by authority
r = prog.post("/api/publish", {"period": "2025-03-31"}, timeout=800)  # minutes under ASan
check(r.status == 200 and r.json()["packs"] == 33, "publish: %d %s" % (r.status, r.text[:200]))
pub1 = r.json()["publication"] if r.status == 200 else -1
packs = dcs.get("/api/packs").json()
files = sorted(p["file"] for p in packs)
check(files == ["CAM_2025-03-31_benchmark.pdf", "CAM_2025-03-31_benchmark.xlsx"], "CAM's packs: %s" % files)
r = dcs.get("/api/packs/CAM_2025-03-31_benchmark.xlsx")
check(r.status == 200 and r.body[:2] == b"PK", "DCS downloads the workbook")
r = dcs.get("/packs/CAM_2025-03-31_benchmark.pdf")
check(r.status == 200 and r.body[:4] == b"%PDF", "and the PDF")
for f in ["HAC_2025-03-31_benchmark.xlsx", "London_2025-03-31_overview.xlsx", "../store.db",
          "CAM_2025-03-31_benchmark.xlsx/../../store.db"]:
    r = dcs.get("/api/packs/" + f)
    check(r.status == 404 and b"PK" != r.body[:2], "CAM's DCS cannot have %s (%d)" % (f, r.status))
check(prog.get("/api/packs/London_2025-03-31_overview.xlsx").status == 200, "programme: overview")
check(prog.get("/api/packs/HAC_2025-03-31_benchmark.pdf").status == 200, "programme: any pack")
check(an.get("/api/packs/CAM_2025-03-31_benchmark.pdf").status == 403, "analyst: no packs")
check(hacdcs.get("/api/packs/CAM_2025-03-31_benchmark.pdf").status == 404, "HAC: not CAM's pack")

# Packs are kept by publication (issue 16, item 4): CAM resubmits with one
# figure changed and the quarter is published again.  The new publication
# has the new pack; the first one's is still there byte for byte, listed
# with its date; another authority still gets nothing; every download is
# audited under the publication's number.
XLSX, PDF = "CAM_2025-03-31_benchmark.xlsx", "CAM_2025-03-31_benchmark.pdf"


def sheets(xlsx):
    """The workbook's parts but its properties (which hold the time made)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return {n: z.read(n) for n in z.namelist() if not n.startswith("docProps/")}


first = {f: dcs.get("/api/packs/" + f).body for f in (XLSX, PDF)}
fixed = sample("bad", "warnings_only.csv").replace(b"CAM,2025-03-31,contacts,4210,",
                                                   b"CAM,2025-03-31,contacts,4321,")
check(b"4321" in fixed, "the resubmission changes contacts")
r = cam.upload("/api/submissions", [("CAM_2025-03-31.csv", fixed)])
check(r.status == 200 and r.json()["outcome"] == "accepted", "CAM resubmits: %d %s" % (r.status, r.text[:200]))
# A publication that failed half way left its folder (the next number):
# the new publication must not write into it or serve what it holds.
leftover = os.path.join(store.db + ".packs", "2025-03-31", str(pub1 + 1))
os.makedirs(leftover, exist_ok=True)
with open(os.path.join(leftover, XLSX), "wb") as f:
    f.write(b"stale")
r = prog.post("/api/publish", {"period": "2025-03-31"}, timeout=800)
pub2 = r.json()["publication"] if r.status == 200 else -1
check(pub2 > pub1 > 0, "published again: %d %s" % (r.status, r.text[:200]))
listing = dcs.get("/api/packs").json()
got = sorted((p["publication"], p["file"], p.get("latest")) for p in listing)
check(got == sorted([(pub1, XLSX, False), (pub1, PDF, False), (pub2, XLSX, True), (pub2, PDF, True)]),
      "CAM's packs of both publications: %s" % got)
check(all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", p.get("published_at", "")) and
          p.get("href") == "/packs/%d/%s" % (p["publication"], p["file"]) for p in listing),
      "each pack listed with its publication's date and link: %s" % listing[:1])
page = dcs.get("/packs").text
check(all(("publication %d, published " % n) in page and ('href="/packs/%d/%s"' % (n, XLSX)) in page
          for n in (pub1, pub2)) and "(latest)" in page, "the packs page lists both publications")
for f in (XLSX, PDF):
    old = dcs.get("/api/packs/%d/%s" % (pub1, f))
    check(old.status == 200 and old.body == first[f],
          "the first publication's %s is unchanged (%d, %d bytes)" % (f, old.status, len(old.body)))
    check(old.headers.get("Content-Disposition") == 'attachment; filename="%s"' % f,
          "downloaded under its own name: %s" % old.headers.get("Content-Disposition"))
    new = dcs.get("/api/packs/%d/%s" % (pub2, f))
    check(new.status == 200 and new.body == dcs.get("/api/packs/" + f).body,
          "the latest %s is the second publication's" % f)
new = dcs.get("/api/packs/%d/%s" % (pub2, XLSX)).body
with open(os.path.join(leftover, XLSX), "rb") as f:
    check(f.read() == b"stale", "the failed publication's folder is left as it was")
check(new[:2] == b"PK" and sheets(new) != sheets(first[XLSX]),
      "the second publication's workbook has the changed figure")
for who, cl, want in [("HAC's DCS", hacdcs, 404), ("HAC's data lead", login("hac.lead"), 404),
                      ("the analyst", an, 403)]:
    for n in (pub1, pub2):
        r = cl.get("/api/packs/%d/%s" % (n, XLSX))
        check(r.status == want and r.body[:2] != b"PK" and b"E09000007" not in r.body and
              b".packs" not in r.body, "%s cannot have CAM's pack of publication %d (%d)" % (who, n, r.status))
check(prog.get("/api/packs/%d/%s" % (pub1, XLSX)).body == first[XLSX],
      "the programme team has the first publication's pack")
check(prog.get("/api/packs/%d/London_2025-03-31_overview.xlsx" % pub1).status == 200,
      "and its London overview")
# Failed publications that were never cleared away: with the next 1000
# folders all taken, publishing refuses as a conflict the programme team
# can act on (what, which folders, what to do), records nothing and
# touches none of the folders.
base = os.path.join(store.db + ".packs", "2025-03-31")
taken = [os.path.join(base, str(pub2 + k)) for k in range(1, 1001)]
planted = [d for d in taken if not os.path.exists(d)]
for d in planted:
    os.mkdir(d)
r = prog.post("/api/publish", {"period": "2025-03-31"}, timeout=800)
body = r.json() if r.status == 409 else {}
check(r.status == 409 and "1000 publication folders in a row already exist for 2025-03-31" in body.get("error", "")
      and "2025-03-31/%d onwards" % (pub2 + 1) in body.get("fix", "") and base not in r.text,
      "1000 failed publications' folders: a conflict saying what to move (%d %s)" % (r.status, r.text[:300]))
check(sorted((p["publication"], p["file"]) for p in dcs.get("/api/packs").json()) ==
      sorted((p, f) for p, f, _ in got), "and no publication is recorded")
check(all(os.path.isdir(d) and not os.listdir(d) for d in planted), "the planted folders are left as they were")
for d in planted:
    os.rmdir(d)
for bad in ["0/" + XLSX, "%d/%s" % (pub2 + 1, XLSX), "x/" + XLSX, "%d/../store.db" % pub1,
            "%d/%d/%s" % (pub1, pub1, XLSX), "%d/" % pub1, "-1/" + XLSX, "%d/London_2025-03-31_overview.xlsx" % pub1]:
    r = dcs.get("/api/packs/" + bad)
    check(r.status == 404 and r.body[:2] != b"PK", "CAM's DCS: %s is no pack (%d)" % (bad, r.status))
audited = set(q("SELECT actor, outcome FROM audit WHERE action = 'download' AND target = ?",
                "%d/%s" % (pub1, XLSX)))
check({("cam.dcs", "ok"), ("hac.dcs", "refused"), ("prog", "ok")} <= audited,
      "downloads of publication %d audited: %s" % (pub1, audited))

# audit trail
r = prog.get("/api/audit")
acts = {(a["actor"], a["action"], a["outcome"]) for a in r.json()}
for want in [("cam.lead", "upload", "ok"), ("cam.lead", "explain", "ok"), ("cam.dcs", "sign off", "ok"),
             ("cam.dcs", "download", "ok"), ("prog", "publish", "ok"), ("cam.dcs", "download", "refused"),
             ("cam.lead", "csrf", "refused"), ("prog", "set due date", "ok")]:
    check(want in acts, "audited: %s" % (want,))
check(prog.get("/audit").status == 200, "audit page")

# pages for every role render
for cl, paths in [(cam, ["/", "/upload", "/history", "/packs", "/submissions/%d" % sid]),
                  (dcs, ["/", "/history", "/packs"]), (prog, ["/", "/packs", "/audit"]),
                  (an, ["/query"])]:
    for p in paths:
        r = cl.get(p)
        check(r.status == 200 and "<main" in r.text, "page %s: %d" % (p, r.status))

# sessions end: sign-out, disable
r = cam.post("/api/logout")
check(r.status == 200 and cam.get("/api/me").status == 401, "signed out")
check(other.get("/api/me").status == 200, "the other session lives on")
store.cli("user", "disable", "cam.lead")
check(other.get("/api/me").status == 401, "disabling ends every session")
check(Client(srv).login("cam.lead").status == 401, "a disabled account cannot sign in")

code, out, err = srv.stop()
check(code == 0 and "stopped" in out, "SIGTERM stops it cleanly: %d %r" % (code, err[-300:]))

# limits and listening
small = Server(store, "--max-upload-mb", "1")
c = Client(small)
c.login("hac.lead")
cookie = "liia_session=" + [k.value for k in c.jar if k.name == "liia_session"][0]


def raw(head, body):
    """Sends a request by hand and returns the status line (the server may
    answer before the body is all sent)."""
    s = socket.create_connection(("127.0.0.1", small.port))
    s.settimeout(60)
    try:
        s.sendall(head.encode())
        for i in range(0, len(body), 65536):
            s.sendall(body[i:i + 65536])
    except OSError:
        pass  # answered and closed early: read what it said
    try:
        return s.recv(4096).split(b"\r\n")[0].decode()
    finally:
        s.close()


big = b"x" * (2 << 20)
status = raw("POST /api/submissions HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
             "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n"
             % (cookie, c.csrf, len(big)), big[:65536])
check(" 413 " in status, "a declared upload over the limit: 413 (%s)" % status)
chunks = b"".join(b"%x\r\n%s\r\n" % (65536, big[i:i + 65536]) for i in range(0, len(big), 65536))
status = raw("POST /api/submissions HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
             "Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n"
             % (cookie, c.csrf), chunks + b"0\r\n\r\n")
check(" 413 " in status, "a streamed upload over the limit: 413 (%s)" % status)
small.stop()
p = store.cli("serve", "--listen", "0.0.0.0:1", check=False)
check(p.returncode == 2 and "loopback" in p.stderr, "plain HTTP off loopback refused")
if not T.n:
    store.remove()
T.done()
