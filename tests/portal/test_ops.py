#!/usr/bin/env python3
"""Operating the portal: HTTPS with --tls-cert/--tls-key (Secure cookies,
HSTS), the idle-connection timeout, and SIGTERM in the middle of an ingest:
the ingest finishes (all of it stored, or - had it failed - none), the
server exits 0 and the store is sound."""
import glob, os, socket, sqlite3, ssl, subprocess, sys, threading, time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from portal import Client, Failures, Server, Store, free_port  # noqa: E402

BIN, PARENT = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
T = Failures()
check = T.check
store = Store(BIN, PARENT, samples=False)

# ---------------------------------------------------------------- TLS
cert, key = os.path.join(store.dir, "cert.pem"), os.path.join(store.dir, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"], check=True,
               capture_output=True)
port = free_port()
p = subprocess.Popen([BIN, "--db", store.db, "serve", "--listen", "127.0.0.1:%d" % port,
                      "--tls-cert", cert, "--tls-key", key], stdout=subprocess.PIPE, text=True)
line = p.stdout.readline()
check(line.startswith("serving on https://"), "HTTPS: %r" % line)
ctx = ssl.create_default_context(cafile=cert)
ctx.check_hostname = False
with urllib.request.urlopen("https://127.0.0.1:%d/login" % port, context=ctx, timeout=30) as r:
    cookie, hsts = r.headers.get("Set-Cookie") or "", r.headers.get("Strict-Transport-Security")
check("Secure" in cookie and "HttpOnly" in cookie, "cookies Secure under TLS: %s" % cookie)
check(hsts and "max-age" in hsts, "HSTS under TLS")
p.terminate()
check(p.wait(timeout=30) == 0, "HTTPS server stops")
r = store.cli("serve", "--tls-cert", cert, check=False)
check(r.returncode == 2 and "both" in r.stderr, "--tls-cert without --tls-key refused")
for bad in ["0", "481", "ten"]:
    r = store.cli("serve", "--idle-minutes", bad, check=False)
    check(r.returncode == 2 and "--idle-minutes wants a number from 1 to 480" in r.stderr,
          "--idle-minutes %s refused: %d %s" % (bad, r.returncode, r.stderr))
r = store.cli("serve", "--listen", "10.0.0.1:8080", "--tls-cert", cert, "--tls-key",
              os.path.join(store.dir, "missing.pem"), check=False)
check(r.returncode == 3, "an unreadable key: runtime error (%d)" % r.returncode)

# ---------------------------------------------------------------- idle timeout
srv = Server(store, "--timeout", "1")
s = socket.create_connection(("127.0.0.1", srv.port))
s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")  # never finished
s.settimeout(10)
t0 = time.monotonic()
try:
    closed = s.recv(1024) == b""
except (socket.timeout, ConnectionResetError):
    closed = False
check(closed and time.monotonic() - t0 < 8, "an idle half-sent request is dropped")
s.close()
srv.stop()

# ---------------------------------------------------------------- SIGTERM mid-ingest
big = os.path.join(store.dir, "big")
store.cli("sample", "--ssda903", "--children", "60000", "--la", "CAM", "--out", big)
tables = ["CAM_2025-03-31_header.csv", "CAM_2025-03-31_episodes.csv", "CAM_2025-03-31_uasc.csv"]
files = [(t, open(os.path.join(big, t), "rb").read()) for t in tables]
tmp = os.path.join(store.dir, "tmp")
os.mkdir(tmp)
os.environ["TMPDIR"] = tmp
srv = Server(store)
c = Client(srv)
check(c.login("cam.lead").status == 200, "sign in")
result = {}


def send():
    try:
        result["r"] = c.upload("/api/submissions", files, {"return": "ssda903", "period": "2025-03-31"})
    except Exception as e:  # the connection may close as the server stops
        result["e"] = e


th = threading.Thread(target=send)
th.start()
want = sum(len(d) for _, d in files)
deadline = time.monotonic() + 120
while time.monotonic() < deadline:  # the body is staged: the ingest has begun
    got = sum(os.path.getsize(f) for f in glob.glob(os.path.join(tmp, "liia-upload-*", "*")))
    if got >= want:
        break
    time.sleep(0.02)
time.sleep(0.1)
t0 = time.monotonic()
code, out, err = srv.stop()
th.join(timeout=120)
print("SIGTERM to exit: %.2f s; the upload %s" % (time.monotonic() - t0, "was answered %d" % result["r"].status
      if "r" in result else "lost its answer: %s" % result.get("e")))

check(code == 0 and "stopped" in out, "SIGTERM during an ingest: exit 0 (%d %r)" % (code, err[-300:]))
check("r" in result and result["r"].status == 200 and result["r"].json()["outcome"] == "accepted",
      "the upload in flight still gets its answer")
con = sqlite3.connect(store.db)
check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "the store is sound")
rows = con.execute("SELECT status, rows FROM submission WHERE return_type = 'ssda903'").fetchall()
episodes = sum(1 for _ in open(os.path.join(big, tables[1]))) - 1
check(len(rows) == 1 and rows[0][0] == "accepted", "the ingest in flight finished: %s" % rows)
n = con.execute("SELECT count(*) FROM cla_episode").fetchone()[0] if rows else 0
check(n == episodes, "all %d episodes stored, not part: %d" % (episodes, n))
con.close()
check(not glob.glob(os.path.join(tmp, "liia-upload-*")), "the staged upload is removed")
if not T.n:
    store.remove()
T.done()
