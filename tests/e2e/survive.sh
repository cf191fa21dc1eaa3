#!/bin/sh
# survive.sh BIN FIXTURES WORK_DIR - faults and hostile use of the real
# binary (issue 11): the platform key bound to its store, demo refusing a
# store it did not make, bounded queries, CSV formula escaping, and the
# smaller refusals.  Each case failed before its fix.
set -u
bin=$1 fixtures=$2 work=$3
rm -rf "$work" && mkdir -p "$work" || exit 3
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC
unset LIIA_KEY_FILE LIIA_DB
cd "$work" || exit 3
failures=0
good=$fixtures/CAM_2025-03-31.csv

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_exit() { # want cmd...
    want=$1; shift
    "$@" >out 2>err; got=$?
    [ "$got" -eq "$want" ] || { fail "exit $got, want $want: $*"; cat out err >&2; }
}
expect_out() { # pattern file
    grep -q -- "$1" "$2" || { fail "'$1' not in $2:"; cat "$2" >&2; }
}
refute_out() { # pattern file
    ! grep -q -- "$1" "$2" || { fail "'$1' in $2:"; cat "$2" >&2; }
}

H=CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
E=CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
printf '%s\n1001,M,15/06/2010,WBRI,A123456789012,,\n' "$H" >h.csv
printf '%s\n1001,01/05/2024,S,C2,N1,U1,PR1,,,,N1 9GU,N7 6QR,\n' "$E" >e.csv
printf '%s\n1001,01/05/2024,S,C2,N1,U2,PR1,,,,N1 9GU,N7 6QR,\n' "$E" >e2.csv
ssda() { "$bin" --db k.db ingest --return ssda903 --la CAM --period 2025-03-31 "$@"; }

# ---- 1. The platform key is bound to its store.
expect_exit 0 "$bin" --db k.db init
expect_out "platform key created" out
expect_exit 0 ssda h.csv e.csv
cp k.db.key key.backup
rm k.db.key
expect_exit 3 ssda h.csv e2.csv
expect_out "no platform key: the key this store.s pseudonyms were made with is missing" err
expect_out "restore the platform key from its backup" err
refute_out "run 'liia-bench init'" err
expect_exit 3 "$bin" --db k.db init
expect_out "is missing" err
[ ! -e k.db.key ] || fail "init created a new key for a store with pseudonyms"
head -c 32 /dev/urandom >k.db.key && chmod 600 k.db.key
expect_exit 3 ssda h.csv e2.csv
expect_out "not the one this store's pseudonyms were made with" err
expect_exit 3 "$bin" --db k.db validate --return ssda903 --la CAM --period 2025-03-31 h.csv e2.csv
expect_out "not the one" err
head -c 32 /dev/zero >k.db.key
expect_exit 3 ssda h.csv e2.csv
expect_out "all zeros" err
cat key.backup key.backup >k.db.key
expect_exit 3 ssda h.csv e2.csv
expect_out "64 bytes, a key is exactly 32" err
expect_exit 2 env LIIA_KEY_FILE=k.db "$bin" --db k.db ingest --return ssda903 \
    --la CAM --period 2025-03-31 h.csv e2.csv
expect_out "the platform key path is the store itself" err
expect_exit 2 env LIIA_KEY_FILE=k.db-wal "$bin" --db k.db init
expect_out "the platform key path is the store itself" err
cp key.backup k.db.key
expect_exit 0 ssda h.csv e2.csv
expect_out "accepted as version 2" out
[ "$(sqlite3 k.db "SELECT count(DISTINCT child_pid) FROM cla_child")" = 1 ] ||
    fail "the restored key did not link the child across versions"

# ---- 2. demo never touches a store it did not create.
mkdir real && cp k.db real/liia.db
before=$(sqlite3 real/liia.db "SELECT group_concat(id || status) FROM submission")
expect_exit 2 "$bin" demo --out real --data "$work/nodata"
expect_out "real/liia.db exists and is not a store demo created; demo changes nothing" err
[ "$(sqlite3 real/liia.db "SELECT group_concat(id || status) FROM submission")" = "$before" ] ||
    fail "demo changed a store it did not create"
[ ! -e real/liia.db.key ] || fail "demo made a key beside a store it did not create"
# A store demo made is its own to redo (the empty --data stops it after init).
mkdir nodata
expect_exit 3 "$bin" demo --out fresh --data "$work/nodata"
expect_out "no sample returns" err
[ "$(sqlite3 fresh/liia.db "SELECT value FROM store_meta WHERE name = 'created_by'")" = demo ] ||
    fail "demo did not mark its store"
expect_exit 3 "$bin" demo --out fresh --data "$work/nodata"
expect_out "no sample returns" err

# ---- 3. query is bounded in time and memory, and never half-written.
q() { "$bin" --db k.db query "$@"; }
for t in nan NaN inf 0 -1 0.0005 3601 '' 1s; do
    expect_exit 2 q --timeout "$t" "SELECT 1"
    expect_out "timeout wants seconds from 0.001 to 3600" err
done
q --timeout 0.001 "SELECT 1" >out 2>err
[ $? -ne 2 ] || fail "--timeout 0.001 refused"
# Bounded in wall time and in memory, whatever the format: randomblob(4e8)
# once ran 37 s past a 1 s limit in 2 GB and printed its result, and
# funnel_limit(1e18, ...) looped for ever, deaf to --timeout and Ctrl-C.
# Peak RSS and wall time of the child come from getrusage via /usr/bin/time;
# timeout(1) ends a regression after 15 s, so that even all five cases
# hanging report before CTest's limit (240 s).
# The bounds are ten times what a run takes (release 0.2 s and 16 MB,
# ASan 0.8 s and 40 MB): 1 s, plus the hard stop's 2 s grace, plus a
# loaded machine's slack.
command -v /usr/bin/time >/dev/null || fail "/usr/bin/time is missing (scripts/setup.sh installs 'time')"
bounded() { # what cmd... -> out, err; $rc; fails past 10 s or 200 MB
    what=$1; shift
    /usr/bin/time -f '%e %M' -o usage timeout -s KILL 15 "$@" >out 2>err
    rc=$?
    set -- $(tail -n 1 usage)
    [ "$rc" -ne 137 ] || { fail "$what: still running after 15 s, killed"; return; }
    awk -v t="$1" 'BEGIN { exit !(t < 10) }' || fail "$what: took $1 s (bound 10 s)"
    [ "$2" -lt 200000 ] || fail "$what: peak RSS $2 KB (bound 200 MB)"
}
for f in csv json table; do
    bounded "randomblob, $f" "$bin" --db k.db query --timeout 1 --format "$f" "SELECT length(hex(randomblob(400000000)))"
    [ "$rc" -eq 3 ] || fail "randomblob, $f: exit $rc, want 3"
    [ ! -s out ] || fail "randomblob, $f: a query over its memory bound wrote a result"
    expect_out "a value is too large" err
done
# One C step that never looks at the progress handler: the hard stop ends
# the process with the whole message (it was cut off mid-sentence).
expect_exit 3 q --timeout 0.3 "SELECT length(printf('%.*c', 2000000000, 'x'))"
[ ! -s out ] || fail "a hard-stopped query wrote a result"
expect_out "when no other process holds the store)\$" err
[ "$(tail -c 2 err | od -An -tx1 | tr -d ' ')" = 290a ] || fail "the hard stop's message is cut off"
loop="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x, 'row' FROM c"
for f in csv json table; do
    expect_exit 3 q --timeout 0.3 --format "$f" "$loop"
    [ ! -s out ] || fail "a timed-out $f query wrote a partial result ($(wc -c <out) bytes)"
    expect_out "query stopped after 300 ms (--timeout)" err
done
# Ctrl-C stops it the same way.
# (A background job starts with SIGINT ignored, so one sent before query
# installs its handler is lost: send it until the query has gone.)
"$bin" --db k.db query --timeout 60 "$loop" >out 2>err &
qpid=$!
while sleep 0.3 && kill -INT "$qpid" 2>/dev/null; do :; done
wait "$qpid"
[ $? -eq 3 ] || fail "Ctrl-C: query did not exit 3"
[ ! -s out ] || fail "an interrupted query wrote a partial result"
expect_out "query interrupted" err
# A step that never returns cannot see the progress handler: the function
# refuses the call (exit 0, a null) or, should it loop again, the hard stop
# ends it (exit 3, nothing on stdout); either way within the bounds.
for f in csv:l json:'[{"l":null}]'; do
    bounded "funnel_limit(1e18), ${f%%:*}" "$bin" --db k.db query --timeout 1 --format "${f%%:*}" \
        "SELECT funnel_limit(1e18, 50, 'pct', 0.975) AS l"
    case $rc in
    0) [ "$(tr -d '\r\n ' <out)" = "${f#*:}" ] ||
           { fail "funnel_limit(1e18), $f: not a null"; cat out >&2; } ;;
    3) [ ! -s out ] || fail "funnel_limit(1e18), $f: exit 3 with a result" ;;
    *) fail "funnel_limit(1e18), $f: exit $rc"; cat err >&2 ;;
    esac
done
# A store locked by another process: the lock is waited on for --timeout
# (plus the hard stop's grace), not the store's usual minute.
# The lock is held until fd 3 closes.
mkfifo lockfifo
sqlite3 k.db <lockfifo >locked &
lpid=$!
exec 3>lockfifo
echo "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; SELECT count(*) FROM authority;" >&3
i=0
while [ "$(tail -n 1 locked)" != 33 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_exit 3 q --timeout 0.3 "SELECT 1"
[ ! -s out ] || fail "a query on a locked store wrote a result"
expect_out "query stopped after 300 ms" err
exec 3>&-
wait "$lpid"

# ---- 8. CSV cells Excel would evaluate are escaped unless --raw-csv.
cp "$good" "=1+cmd|calc!A0.csv"
expect_exit 0 "$bin" --db k.db ingest --quiet "=1+cmd|calc!A0.csv"
expect_exit 0 q --format csv "SELECT file_name, '=HYPERLINK(\"http://x\")' AS note, '@SUM(A1)' AS a, '-2+3' AS b, -5 AS n FROM submissions WHERE return_type = 'quarterly'"
expect_out "^\"'=1+cmd|calc!A0.csv\",\"'=HYPERLINK(\"\"http://x\"\")\",\"'@SUM(A1)\",\"'-2+3\",-5" out
expect_exit 0 q --raw-csv "SELECT file_name, '+1' AS p FROM submissions WHERE return_type = 'quarterly'"
expect_out "^=1+cmd|calc!A0.csv,+1" out
expect_exit 2 q --raw-csv --format json "SELECT 1"
expect_out "raw-csv goes with --format csv" err
expect_exit 0 q --format json "SELECT '=1' AS f"
expect_out '"f": "=1"' out

# ---- 11. The smaller ones.
# Control characters in a file name are escaped on the terminal.
evil=$(printf 'CAM\033[2J\nforged: accepted\302\233.csv')
sed 's/,4210,/,n\/a,/' "$good" >"$evil"
expect_exit 1 "$bin" --db k.db ingest "$evil"
for f in out err; do
    expect_out 'CAM\\x1b\[2J\\nforged: accepted\\u009b.csv' $f
    ! grep -q "$(printf '\033')" $f || fail "ingest echoed an escape character to $f"
done
expect_exit 0 "$bin" --db k.db history --la CAM
expect_out 'CAM\\x1b\[2J\\nforged: accepted\\u009b.csv$' out
! grep -q '^forged' out || fail "history echoed a newline from a file name"
expect_exit 0 "$bin" --db k.db query --format table "SELECT file_name FROM submissions WHERE status = 'rejected'"
expect_out '^CAM\\x1b\[2J\\nforged: accepted\\u009b.csv$' out

# Counts are digits only; leading zeros do not count towards 15 digits.
for v in +5 -0 "$(printf '\v5')" "$(printf '5\f')"; do
    sed "s/,4210,/,$v,/" "$good" >count.csv
    expect_exit 1 "$bin" --db k.db validate count.csv
    expect_out "QBR-S022" err
done
sed 's/,4210,/,0000000000000000000000004210,/' "$good" >count.csv
expect_exit 0 "$bin" --db k.db validate count.csv

# Number and authority arguments.
for t in nan inf -1 ''; do
    expect_exit 2 "$bin" --db k.db reconcile --la CAM --period 2025-03-31 --tolerance "$t"
    expect_out "tolerance needs a percentage" err
done
for cmd in "report --out rep --la" "history --la" "reconcile --period 2025-03-31 --la"; do
    expect_exit 2 "$bin" --db k.db $cmd ../CAM
    expect_out "'../CAM' is not one of the 33 London authorities" err
done
expect_exit 2 "$bin" sample --ssda903 --out big --children 10000001
expect_out "children needs a whole number from 1 to 10000000" err
[ ! -e big ] || fail "sample wrote something for a refused --children"

# A file that is not a store says what it is, and is not offered init.
printf 'name,value\na,1\n' >notdb.csv
for cmd in status "query SELECT(1)" "history --la CAM" init; do
    expect_exit 3 "$bin" --db notdb.csv $cmd
    expect_out "not a liia-bench store: not an SQLite database" err
    refute_out "run 'liia-bench init'" err
done
sqlite3 other.db "CREATE TABLE t (x); INSERT INTO t VALUES (1)"
expect_exit 3 "$bin" --db other.db init
expect_out "not a liia-bench store: an SQLite database of another program" err
[ "$(sqlite3 other.db "SELECT count(*) FROM sqlite_schema")" = 1 ] || fail "init migrated another program's database"

# init on a store it may not write says so (as an unprivileged user).
mkdir ro && cp k.db ro/s.db && chmod 555 ro && chmod 444 ro/s.db
asuser=""
if [ "$(id -u)" = 0 ]; then
    if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" --help >/dev/null 2>&1; then
        asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
        # a scratch folder under a private one (mktemp -d is 0700) cannot be
        # reached by that user at all: a different error, not this case
        $asuser test -r "$PWD/ro/s.db" || { echo "survive: ro/s.db not reachable as an unprivileged user: read-only store case skipped" >&2; asuser=skip; }
    else
        echo "survive: no unprivileged user: read-only store case skipped" >&2
        asuser=skip
    fi
fi
if [ "$asuser" != skip ]; then
    expect_exit 3 $asuser "$bin" --db ro/s.db init
    expect_out "the store is read-only for this user" err
    refute_out "authorities.csv" err
fi
chmod 755 ro

# An SSDA903 table sent as the quarterly return (--return quarterly; the
# portal's return list) is named as such, with a
# fix in words both the command line and the portal use.
printf '%s\n1001,1,15/06/2010,WBRI,A123456789012,,\n' "$H" >ssda_header.csv
expect_exit 1 "$bin" --db k.db ingest --return quarterly ssda_header.csv
expect_out "this is a table of the .* return (ssda903), not the quarterly return" err
expect_out "fix: send it as the .* return (--return ssda903; on the portal, the return list) with its other tables" err

[ "$failures" -eq 0 ] || { echo "survive: $failures failure(s)" >&2; exit 1; }
echo "survive: all cases passed"
