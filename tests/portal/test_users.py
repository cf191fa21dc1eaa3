#!/usr/bin/env python3
"""`liia-bench user ...` and `backup`: the operator's account commands and
the online backup, through the real binary on a scratch store."""
import json, os, sqlite3, subprocess, sys, tempfile

BIN = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="liia-users-", dir=sys.argv[2] if len(sys.argv) > 2 else None)
DB = os.path.join(WORK, "s.db")
failures = []


def run(*args, stdin=None):
    p = subprocess.run([BIN, "--db", DB, *args], input=stdin, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


check(run("init")[0] == 0, "init")
rc, out, err = run("user", "add", "cam.lead", "--role", "data_lead", "--la", "CAM",
                   "--password-stdin", stdin="correct horse battery\n")
check(rc == 0 and "added" in out, "add a data lead: %r %r" % (out, err))
rc, out, _ = run("user", "add", "prog", "--role", "programme")
check(rc == 0 and "password" in out and len(out.split("password ")[1].split()[0]) == 20,
      "a generated password is shown once")
cases = [
    (("user", "add", "cam.lead", "--role", "dcs", "--la", "CAM"), "already a user"),
    (("user", "add", "dcs1", "--role", "dcs"), "give --la"),
    (("user", "add", "an1", "--role", "analyst", "--la", "CAM"), "no --la"),
    (("user", "add", "bad", "--role", "king"), "--role must be"),
    (("user", "add", "x", "--role", "analyst"), "user name"),
    (("user", "add", "dl2", "--role", "data_lead", "--la", "NOWHERE"), "NOWHERE"),
    (("user", "add", "dcs2", "--role", "dcs", "--la", "CAM", "--sign-off"), "only a data lead"),
    (("user", "reset", "nobody"), "no user 'nobody'"),
    (("user", "frobnicate", "a"), "say add, list"),
    (("user", "add"), "name one user"),
]
for args, msg in cases:
    rc, out, err = run(*args)
    check(rc == 2 and msg in err, "%s -> 2 with %r, got %d %r" % (args, msg, rc, err))
rc, out, err = run("user", "add", "an2", "--role", "analyst", "--password-stdin", stdin="short\n")
check(rc == 2 and "12 to 256" in err, "a short password is refused")

rc, out, _ = run("user", "list", "--json")
users = json.loads(out)
check([u["name"] for u in users] == ["cam.lead", "prog"], "list: %s" % out)
check(all("hash" not in k for u in users for k in u) and "argon2" not in out, "no hash listed")
check(users[0]["la_code"] == "E09000007" and users[0]["short_code"] == "CAM", "la stored as GSS")
# the length is in characters: six e-acutes (12 bytes) are too short,
# a hundred euro signs (300 bytes) are not too long
rc, out, err = run("user", "add", "an3", "--role", "analyst", "--password-stdin",
                   stdin="\u00e9" * 6 + "\n")
check(rc == 2 and "12 to 256" in err, "a 6-character password of 12 bytes is refused: %d %r" % (rc, err))
rc, out, err = run("user", "add", "an4", "--role", "analyst", "--password-stdin",
                   stdin="\u20ac" * 100 + "\n")
check(rc == 0 and "added" in out, "a 100-character password of 300 bytes is taken: %d %r" % (rc, err))

def one(sql):
    con = sqlite3.connect(DB)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


h = one("SELECT password_hash FROM app_user WHERE name='cam.lead'")
check(h.startswith("$argon2id$"), "Argon2id hash stored: %s" % h[:12])
check("correct horse" not in open(DB, "rb").read().decode("latin-1"), "no plain password")

check(run("user", "disable", "prog")[0] == 0, "disable")
check(one("SELECT disabled FROM app_user WHERE name='prog'") == 1, "disabled")
rc, out, _ = run("user", "reset", "prog", "--password-stdin", stdin="another long password\n")
check(rc == 0 and one("SELECT disabled FROM app_user WHERE name='prog'") == 0,
      "reset re-enables")
check(one("SELECT password_hash FROM app_user WHERE name='prog'") != h, "reset")

con = sqlite3.connect(DB)
audit = con.execute("SELECT action, target, outcome FROM audit ORDER BY id").fetchall()
check(("user add", "cam.lead", "ok") in audit and ("user disable", "prog", "ok") in audit and
      ("user reset", "nobody", "refused") in audit, "audited: %s" % audit)
con.close()

backup = os.path.join(WORK, "copy.db")
rc, out, err = run("backup", backup)
check(rc == 0 and oct(os.stat(backup).st_mode & 0o777) == "0o600", "backup 0600: %s" % err)
b = sqlite3.connect(backup)
check(b.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "backup is sound")
check(b.execute("SELECT count(*) FROM app_user").fetchone()[0] == 3, "backup has the users (cam.lead, prog, an4)")
check(b.execute("PRAGMA journal_mode").fetchone()[0] == "delete", "backup stands alone")
b.close()
rc, out, err = run("backup", backup)
check(rc == 3 and "cannot create the backup" in err, "backup never overwrites")
check(run("backup")[0] == 2, "backup needs DEST")

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
