"""Shared by the portal tests: a scratch store with the sample returns and
one account per role, a server on a free loopback port, and an HTTP client
with its own cookies that never follows redirects."""
import http.cookiejar, json, os, shutil, signal, socket, subprocess, sys, tempfile
import urllib.error, urllib.parse, urllib.request
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PASSWORD = "correct horse battery staple"
USERS = [  # name, role, la, extra
    ("cam.lead", "data_lead", "CAM", []), ("cam.dcs", "dcs", "CAM", []),
    ("hac.lead", "data_lead", "HAC", []), ("hac.dcs", "dcs", "HAC", []),
    ("isl.lead", "data_lead", "ISL", ["--sign-off"]),
    ("prog", "programme", None, []), ("analyst", "analyst", None, []),
]


class Failures:
    def __init__(self):
        self.n = 0

    def check(self, cond, what):
        if not cond:
            self.n += 1
            print("FAIL:", what, flush=True)
        return cond

    def done(self):
        print("%d failures" % self.n)
        sys.exit(1 if self.n else 0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Store:
    """A scratch store: init, the sample quarterly returns, the accounts."""

    def __init__(self, binary, parent=None, samples=True, leave_out=()):
        self.bin = binary
        self.dir = tempfile.mkdtemp(prefix="liia-portal-", dir=parent)
        self.db = os.path.join(self.dir, "store.db")
        self.cli("init")
        if samples:
            q = os.path.join(ROOT, "sample-data", "quarterly")
            self.cli("ingest", "-q", *sorted(os.path.join(q, f) for f in os.listdir(q)
                                             if f not in leave_out))
        for name, role, la, extra in USERS:
            args = ["user", "add", name, "--role", role, "--password-stdin", *extra]
            if la:
                args += ["--la", la]
            self.cli(*args, stdin=PASSWORD + "\n")

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, sql, *args):
        """The rows of a query on the store (sqlite3, read by the test)."""
        import sqlite3
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def cli(self, *args, stdin=None, check=True):
        p = subprocess.run([self.bin, "--db", self.db, *args], input=stdin,
                           capture_output=True, text=True)
        if check and p.returncode not in (0, 1):
            raise RuntimeError("%s: %s" % (args, p.stderr))
        return p


class Server:
    def __init__(self, store, *extra):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.proc = subprocess.Popen(
            [store.bin, "--db", store.db, "serve", "--listen", "127.0.0.1:%d" % self.port,
             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "serving on" not in line:
            raise RuntimeError("server did not start: %r %r" % (line, self.proc.stderr.read()))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=300)  # an ingest in flight finishes first
        return self.proc.returncode, out, err


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class Client:
    def __init__(self, server):
        self.base = server.base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.csrf = None

    def request(self, method, path, data=None, headers=None, ctype=None, timeout=60):
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers=headers or {})
        if ctype:
            req.add_header("Content-Type", ctype)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers, e.read())

    def get(self, path, **params):
        q = ("?" + urllib.parse.urlencode(params)) if params else ""
        return self.request("GET", path + q)

    def post(self, path, fields=None, csrf=True, headers=None, timeout=60):
        fields = dict(fields or {})
        if csrf is True and self.csrf:
            fields["csrf"] = self.csrf
        elif isinstance(csrf, str):
            fields["csrf"] = csrf
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(), headers,
                            "application/x-www-form-urlencoded", timeout)

    def upload(self, path, files, fields=None, csrf=True):
        """files: [(filename, bytes)]"""
        fields = dict(fields or {})
        if csrf is True and self.csrf:
            fields["csrf"] = self.csrf
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in fields.items():
            parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                          % (boundary, k, v)).encode())
        for name, data in files:
            parts.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                          "filename=\"%s\"\r\nContent-Type: text/csv\r\n\r\n"
                          % (boundary, name)).encode() + data + b"\r\n")
        body = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
        return self.request("POST", path, body, None,
                            "multipart/form-data; boundary=%s" % boundary)

    def login(self, name, password=PASSWORD):
        r = self.get("/api/login")
        pre = r.json()["csrf"]
        r = self.post("/api/login", {"name": name, "password": password}, csrf=pre)
        if r.status == 200:
            self.csrf = r.json()["csrf"]
        return r


def signed_in(server, check, name):
    """A client signed in as name; the sign-in itself is a checked step."""
    c = Client(server)
    r = c.login(name)
    check(r.status == 200, "%s signs in: %d %s" % (name, r.status, r.text))
    return c


def sample(*parts):
    with open(os.path.join(ROOT, "sample-data", *parts), "rb") as f:
        return f.read()
