#!/usr/bin/env python3
"""Regressions of the portal's adversarial review, one section per finding:
invalid UTF-8 in the audit trail and in notes, a CIN census and a whole
SSDA903 return through the portal, nothing staged before sign-in, the
lockout the same for every name, portal wording of errors, 405 with Allow,
children by a 12-digit prefix."""
import glob, os, re, socket, sqlite3, sys, time

sys.path.insert(0, os.path.dirname(__file__))
from portal import Client, Failures, Server, Store, sample, signed_in, PASSWORD, ROOT  # noqa: E402

BIN = sys.argv[1]
T = Failures()
check = T.check
store = Store(BIN, sys.argv[2] if len(sys.argv) > 2 else None)
srv = Server(store)


def login(name):
    return signed_in(srv, check, name)


def q(sql, *args):
    return store.rows(sql, *args)


def raw_login(client, name_bytes):
    """POST /api/login with a name of raw (percent-encoded) bytes."""
    pre = client.get("/api/login").json()["csrf"]
    body = b"name=" + b"".join(b"%%%02X" % c for c in name_bytes) + \
        b"&password=wrong+password+here&csrf=" + pre.encode()
    return client.request("POST", "/api/login", body, None, "application/x-www-form-urlencoded")


prog = login("prog")

# ---------------------------------------------------------------- 1. audit trail and invalid UTF-8
r = raw_login(Client(srv), b"\xffevil\xfe")
check(r.status == 401, "a sign-in with a name that is not UTF-8: 401 (%d %s)" % (r.status, r.text))
stored = q("SELECT CAST(actor AS BLOB), CAST(target AS BLOB) FROM audit WHERE action = 'sign in' "
           "ORDER BY id DESC LIMIT 1")[0]
for v in stored:
    try:
        v.decode("utf-8")
        ok = b"evil" in v
    except UnicodeDecodeError:
        ok = False
    check(ok, "the audit trail stores the name as valid UTF-8: %r" % v)
r = prog.get("/api/audit")
check(r.status == 200 and any("\ufffdevil\ufffd" == a["actor"] for a in r.json()),
      "GET /api/audit after it: %d %s" % (r.status, r.text[:200]))
check(prog.get("/audit").status == 200, "GET /audit after it")
# Reading never fails on a byte the store already holds (an entry written
# before the fix, or by another tool).
con = sqlite3.connect(store.db)
con.execute("INSERT INTO audit (at, actor, action, target, outcome, detail) VALUES "
            "(strftime('%Y-%m-%d %H:%M:%f', 'now'), CAST(X'FF6F6C64FE' AS TEXT), 'sign in', "
            "CAST(X'C3' AS TEXT), 'refused', 'APP-SIGNIN')")
con.commit()
con.close()
r = prog.get("/api/audit")
check(r.status == 200 and any(a["actor"] == "\ufffdold\ufffd" for a in r.json()),
      "an invalid stored entry is shown with U+FFFD, not a 500: %d" % r.status)
check(prog.get("/audit").status == 200, "and the audit page too")

# ---------------------------------------------------------------- 2. the CIN census through the portal
cam = login("cam.lead")
cin = sample("cin", "CAM_2025-03-31_cin.xml")
r = cam.upload("/api/submissions", [("CAM_2025-03-31_cin.xml", cin)],
               {"period": "2025-03-31", "return": "cin"})
up = r.json() if r.status == 200 else {}
check(r.status == 200 and up.get("outcome") == "accepted" and up.get("return_type") == "cin"
      and up.get("la_code") == "E09000007" and up.get("findings"),
      "a CAM data lead uploads the CIN census: %d %s" % (r.status, r.text[:300]))
if up.get("submission_id"):
    s = cam.get("/api/submissions/%d" % up["submission_id"])
    check(s.status == 200 and s.json()["return_type"] == "cin" and
          len(s.json()["findings"]) == len(up["findings"]),
          "its findings are stored and shown: %d" % s.status)
    # Census rows are stored by record number, not by XML line: each
    # finding is on its child (it used to have none), and the child's rows
    # carry it
    stored = s.json()["findings"] if s.status == 200 else []
    check(stored and all(f.get("child") and len(f["child"]) == 32 and f["row"] == f["record"]
                         for f in stored if f["table"]),
          "every stored census finding names its child: %s" %
          [(f["table"], f.get("child"), f.get("row")) for f in stored][:3])
    f = next((f for f in stored if f.get("child") and f["table"] == "cin_episode"), None)
    if f:
        kid = cam.get("/api/submissions/%d/children/%s" % (up["submission_id"], f["child"]))
        rows = [r["line"] for t in kid.json().get("tables", []) if t["table"] == "cin_episode"
                for r in t["rows"]] if kid.status == 200 else []
        check(f["row"] in rows, "the finding's row is among the child's rows: %s %s" %
              (f["row"], rows))
        check(kid.status == 200 and kid.json().get("numbered_by") == "record",
              "a census's rows are numbered by record: %s" % kid.text[:200])
        page = cam.get("/submissions/%d?child=%s" % (up["submission_id"], f["child"])).text
        check(f["rule_id"] in page.split("<h2>", 2)[-1],
              "and the child's page marks it on that row")
        heads = [t.split('<th scope="col">', 1)[-1].split("<", 1)[0]
                 for t in page.split('<table class="rows">')[1:]]
        check(heads and all(h == "Record" for h in heads),
              "and heads the rows' number Record, not Line: %s" % heads)
# a finding on the whole file (DfE's authority-level rules: one disability
# code in all the census, 2887Q) has no line, and the page says so
one = re.sub(rb"<Disability>(?!NONE)[A-Z]+</Disability>", b"<Disability>AUT</Disability>", cin)
r = cam.upload("/api/submissions", [("CAM_2025-03-31_cin.xml", one)],
               {"period": "2025-03-31", "return": "cin"})
up2 = r.json() if r.status == 200 else {}
whole = [f for f in up2.get("findings", []) if f["rule_id"] == "2887Q"]
check(whole and whole[0]["line"] == 0 and "this file: 1 against 7" in whole[0]["message"],
      "a census using one disability code gets 2887Q on the whole file: %s" % whole[:1])
if up2.get("submission_id"):
    page = cam.get("/submissions/%d" % up2["submission_id"]).text
    row = next((t for t in page.split("<tr") if "2887Q" in t), "")
    check("whole file" in row, "and its page shows it on the whole file: %s" % row[:300])
r = cam.upload("/upload", [("CAM_2025-03-31_cin.xml", cin)], {"period": "2025-03-31", "return": "cin"})
check(r.status in (200, 303), "and through the upload form: %d %s" % (r.status, r.text[:200]))
check('value="cin"' in cam.get("/upload").text, "the upload form offers the CIN census")

# ---------------------------------------------------------------- 3. a whole SSDA903 return (11 files)
tables = sorted(f for f in glob.glob(os.path.join(ROOT, "sample-data", "ssda903", "CAM_2025-03-31_*.csv"))
                if not f.endswith("_planted.csv"))
check(len(tables) == 11, "the sample SSDA903 return has 11 tables: %d" % len(tables))
parts = [(os.path.basename(f), open(f, "rb").read()) for f in tables]
r = cam.upload("/api/submissions", parts, {"period": "2025-03-31", "return": "ssda903"})
up = r.json() if r.status == 200 else {}
check(r.status == 200 and up.get("outcome") == "accepted" and len(up.get("files", [])) == 11,
      "all 11 SSDA903 tables upload and are accepted: %d %s" % (r.status, r.text[:300]))
r = cam.upload("/api/submissions", [("t%d.csv" % i, b"a,b\n1,2\n") for i in range(17)],
               {"period": "2025-03-31"})
check(r.status == 400 and "16" in r.json().get("fix", "") and r.json().get("rule_id") == "APP-INVALID",
      "17 files are refused, saying the limit: %d %s" % (r.status, r.text[:200]))

# ---------------------------------------------------------------- 4. notes: UTF-8 only, counted in characters
r = cam.upload("/api/submissions", [("warnings_only.csv", sample("bad", "warnings_only.csv"))])
check(r.status == 200 and r.json()["warnings"] > 2, "a return with warnings: %d" % r.status)
wsid = r.json()["submission_id"]
warns = [f["id"] for f in cam.get("/api/submissions/%d" % wsid).json()["findings"]
         if f["severity"] == "warning"]
path = "/api/submissions/%d/explain" % wsid


def explain_raw(client, fid, note_bytes, api=True):
    body = ("finding=%d&csrf=%s&note=" % (fid, client.csrf)).encode() + \
        b"".join(b"%%%02X" % c for c in note_bytes)
    return client.request("POST", path if api else path[4:], body, None,
                          "application/x-www-form-urlencoded")


r = explain_raw(cam, warns[0], b"caf\xe9")
check(r.status == 400 and "UTF-8" in r.json().get("error", "") and r.json().get("fix"),
      "a note that is not UTF-8 is refused: %d %s" % (r.status, r.text[:200]))
check(not q("SELECT 1 FROM explanation WHERE finding_id = ?", warns[0]), "and not stored")
r = explain_raw(cam, warns[0], b"caf\xe9", api=False)
check(r.status == 400 and "UTF-8" in r.text, "the page's form too: %d" % r.status)
for p in ["/api/submissions/%d" % wsid, "/submissions/%d" % wsid,
          "/submissions/%d/findings.csv" % wsid]:
    check(cam.get(p).status == 200, "%s still 200" % p)
r = cam.post(path, {"finding": warns[0], "note": "\u20ac" * 700})
check(r.status == 200, "a note of 700 euro signs (2100 bytes) is 700 characters: %d %s"
      % (r.status, r.text[:200]))
r = cam.post(path, {"finding": warns[1], "note": "\u20ac" * 2000})
check(r.status == 200, "2000 characters are allowed: %d" % r.status)
r = cam.post(path, {"finding": warns[1], "note": "e" * 2001})
check(r.status == 400 and "2000" in r.json()["error"], "2001 characters are not: %d" % r.status)
r = cam.get("/api/submissions/%d" % wsid)
check(r.status == 200 and "\u20ac" * 700 in [f.get("explanation") for f in r.json()["findings"]],
      "the note reads back whole")
# Another free-text field (a filter) that is not UTF-8: 400, not stored anywhere.
r = cam.request("GET", "/api/grid?period=2025%FF")
check(r.status == 400 and "UTF-8" in r.text, "a query argument that is not UTF-8: %d" % r.status)
# A note that reached the store before the fix must not break reading.
con = sqlite3.connect(store.db)
con.execute("UPDATE explanation SET note = CAST(X'636166E9' AS TEXT) WHERE finding_id = ?", (warns[0],))
con.commit()
con.close()
for p in ["/api/submissions/%d" % wsid, "/submissions/%d" % wsid,
          "/submissions/%d/findings.csv" % wsid]:
    r = prog.get(p)
    text = str(r.json()) if p.startswith("/api/") and r.status == 200 else r.text
    check(r.status == 200 and "caf\ufffd" in text, "%s with a stored invalid note: %d" % (p, r.status))

# ---------------------------------------------------------------- 5. nothing staged before sign-in
staging = os.path.join(store.dir, "staging")
os.mkdir(staging)
os.environ["TMPDIR"] = staging
srv5 = Server(store)
del os.environ["TMPDIR"]


def half_upload(path, cookie=""):
    """Sends the headers and the first 64 KiB of a 1 MiB multipart upload,
    then waits: a server that authenticates first answers at once; one
    that stages the body waits for the rest.  Returns (status line, what
    the staging directory held while the body was half sent)."""
    body = (b"--liiatestboundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\n") + b"x" * (1 << 20)
    s = socket.create_connection(("127.0.0.1", srv5.port))
    s.settimeout(8)
    try:
        s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\n%sContent-Type: multipart/form-data; "
                   "boundary=liiatestboundary\r\nContent-Length: %d\r\n\r\n" % (path, cookie, len(body) + 8)).encode())
        s.sendall(body[:65536])
        time.sleep(1)
        held = os.listdir(staging)
        try:
            line = s.recv(4096).split(b"\r\n")[0].decode()
        except socket.timeout:
            line = "(no answer while the body was half sent)"
        return line, held
    finally:
        s.close()


for p, want in [("/api/submissions", " 401 "), ("/upload", " 303 ")]:
    line, held = half_upload(p)
    check(want in line and not held, "POST %s without a session: %s before the body, nothing "
          "staged (%s, %s)" % (p, want.strip(), line, held))
dcs = login("cam.dcs")
cookie = "Cookie: liia_session=%s\r\n" % [k.value for k in dcs.jar if k.name == "liia_session"][0]
line, held = half_upload("/api/submissions", cookie)
check(" 403 " in line and not held, "a DCS (who may not upload): 403 before the body (%s, %s)"
      % (line, held))
srv5.stop()

# ---------------------------------------------------------------- 7. errors in the portal's words
hdr = [f for f in parts if "header" in f[0]]
cases = [
    ("CIN without a quarter", cam.upload("/api/submissions", [("c.xml", cin)], {"return": "cin"})),
    ("SSDA903 without a quarter", cam.upload("/api/submissions", parts, {"return": "ssda903"})),
    ("an unknown return", cam.upload("/api/submissions", [("w.csv", sample("bad", "warnings_only.csv"))],
                                     {"return": "nonsense"})),
    ("an unknown authority", cam.upload("/api/submissions", [("w.csv", sample("bad", "warnings_only.csv"))],
                                        {"la": "Atlantis"})),
    ("two returns at once", cam.upload("/api/submissions", [("w.csv", sample("bad", "warnings_only.csv")),
                                                            ("c.xml", cin)])),
    ("sign-off with warnings unexplained", dcs.post("/api/submissions/%d/signoff" % wsid)),
    ("a bad due date", prog.post("/api/due", {"return_type": "quarterly", "period": "2025-03-31",
                                              "due": "2025-02-30"})),
    ("an unknown return's due date", prog.post("/api/due", {"return_type": "x", "period": "2025-03-31",
                                                            "due": "2025-05-01"})),
    ("an unknown authority's history", prog.get("/api/history", la="Atlantis")),
]
for what, r in cases:
    j = r.json() if r.headers.get("Content-Type") == "application/json" else {}
    fix = j.get("fix", "")
    check(r.status in (400, 403, 409) and j.get("rule_id", "").startswith("APP-") and fix and
          "--" not in fix + j.get("error", "") and "liia-bench" not in fix + j.get("error", ""),
          "%s: %d, an APP- rule and a fix in the portal's words: %s" % (what, r.status, j))

# ---------------------------------------------------------------- 8. 405 with Allow, HTML for pages
for method, path, allow, html in [("PUT", "/", "GET, HEAD", True), ("DELETE", "/", "GET, HEAD", True),
                                  ("OPTIONS", "/", "GET, HEAD", True), ("GET", "/logout", "POST", True),
                                  ("GET", "/api/logout", "POST", False),
                                  ("DELETE", "/api/submissions/%d" % wsid, "GET, HEAD, POST", False)]:
    r = cam.request(method, path)
    ctype = r.headers.get("Content-Type") or ""
    check(r.status == 405 and r.headers.get("Allow") == allow and
          (("text/html" in ctype and "<main" in r.text) if html else
           (ctype == "application/json" and r.json().get("rule_id") == "APP-INVALID")),
          "%s %s: 405, Allow: %s, %s (%d %s %s)" % (method, path, allow, "HTML" if html else "JSON",
                                                   r.status, r.headers.get("Allow"), ctype))
r = cam.request("HEAD", "/")
check(r.status == 200 and not r.body, "HEAD / is GET without the body: %d" % r.status)

# ---------------------------------------------------------------- 9. a child by the 12 digits the page shows
ssid = q("SELECT id FROM submission WHERE return_type = 'ssda903' AND la_code = 'E09000007' "
         "AND status = 'accepted' ORDER BY id DESC LIMIT 1")[0][0]
kids = {f["child"] for f in cam.get("/api/submissions/%d" % ssid).json()["findings"] if f.get("child")}
check(kids, "the SSDA903 return's findings name children")
kid = sorted(kids)[0] if kids else "0" * 32
short = kid[:12]
page = cam.get("/submissions/%d" % ssid, child=short)
check(page.status == 200 and "This child's rows as stored" in page.text,
      "?child= the 12 digits shown: the child's page (%d)" % page.status)
page_full = cam.get("/submissions/%d" % ssid, child=kid)
check(page.text.count("<tr>") == page_full.text.count("<tr>"), "the same page as with all 32 digits")
r = cam.get("/api/submissions/%d" % ssid, child=short.lower())
check(r.status == 200 and r.json()["findings"] and
      all(f["child"].upper() == kid.upper() for f in r.json()["findings"]),
      "the API's filter takes the prefix too: %d" % r.status)
r = cam.get("/api/submissions/%d/children/%s" % (ssid, short))
check(r.status == 200 and r.json()["child"] == kid.upper(), "and the child's rows: %d" % r.status)
check(r.status == 200 and r.json().get("numbered_by") == "line",
      "an SSDA903 child's rows are numbered by line: %s" % r.text[:200])
nobody = "0" * 12 if not any(k.startswith("0" * 12) for k in kids) else "f" * 12
page = cam.get("/submissions/%d" % ssid, child=nobody)
check(page.status == 400 and "no child of this submission" in page.text and 'name="child"' in page.text
      and 'role="alert"' in page.text, "a prefix no child has: said on the page, the filter form kept (%d)"
      % page.status)
r = cam.get("/api/submissions/%d" % ssid, child=short[:11])
check(r.status == 400 and r.json()["rule_id"] == "APP-INVALID" and "12" in r.json()["fix"],
      "fewer than 12 digits: 400 (%d)" % r.status)

# ---------------------------------------------------------------- 6. the lockout answers every name alike
def six(name, xff=None):
    out = []
    for i in range(6):
        c = Client(srv6 if xff else srv)
        pre = c.get("/api/login").json()["csrf"]
        out.append(c.post("/api/login", {"name": name, "password": "wrong password %d" % i},
                          csrf=pre, headers={"X-Forwarded-For": xff} if xff else None).status)
    return out


known, unknown = six("hac.lead"), six("nobody.here")
check(known == [401] * 5 + [429] and unknown == known,
      "six failures: an account %s, a name nobody has %s (the same)" % (known, unknown))
r = Client(srv).login("nobody.here")
check(r.status == 429 and r.json()["rule_id"] == "APP-LOCKED", "the unknown name is locked too")
check(q("SELECT count(*) FROM signin_failure")[0][0] >= 1, "counted per name tried")
store.cli("user", "reset", "hac.lead", "--password-stdin", stdin=PASSWORD + "\n")
check(Client(srv).login("hac.lead").status == 200, "a reset account signs in again")
# A lock never outlives its window: a run of failures more than 15 minutes
# old starts again (moved back in the store instead of waiting).
con = sqlite3.connect(store.db)
con.execute("UPDATE signin_failure SET last_failed = datetime('now', '-16 minutes'), "
            "locked_until = datetime('now', '-1 minutes')")
con.commit()
con.close()
check(six("nobody.here")[:5] == [401] * 5, "an old run starts again at one")
check(q("SELECT count(*) FROM signin_failure WHERE last_failed < datetime('now', '-15 minutes')")[0][0] == 0,
      "lapsed runs are forgotten")
# Per address: behind a trusted proxy, counted by X-Forwarded-For.
srv6 = Server(store, "--trusted-proxy", "127.0.0.1")
for k in range(4):
    six("proxy.user%d" % k, xff="198.51.100.7")
c = Client(srv6)
pre = c.get("/api/login").json()["csrf"]
r = c.post("/api/login", {"name": "cam.dcs", "password": PASSWORD}, csrf=pre,
           headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"})
check(r.status == 429 and "this address" in r.json()["error"] and "reset" not in r.json()["error"]
      and "wait" in r.json()["fix"] and "ask the operator to reset" not in r.json()["fix"],
      "20 failures from one forwarded address: 429, saying to wait (%d %s)" % (r.status, r.text))
c = Client(srv6)
pre = c.get("/api/login").json()["csrf"]
r = c.post("/api/login", {"name": "cam.dcs", "password": PASSWORD}, csrf=pre,
           headers={"X-Forwarded-For": "198.51.100.8"})
check(r.status == 200, "another forwarded address signs in: %d %s" % (r.status, r.text[:200]))
check(q("SELECT count(*) FROM audit WHERE client = '198.51.100.7'")[0][0] >= 20,
      "the audit trail has the forwarded address")
srv6.stop()
check(q("SELECT count(*) FROM audit WHERE client = '203.0.113.9'")[0][0] == 0,
      "an address the client wrote itself is not believed")

# ---------------------------------------------------------------- end
code, out, err = srv.stop()
check(code == 0, "the server stops cleanly: %d %r" % (code, err[-300:]))
check("not an error" not in err, "no 'not an error' in the server log: %r" % err[-300:])
if not T.n:
    store.remove()
T.done()
