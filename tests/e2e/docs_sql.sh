#!/bin/sh
# docs_sql.sh BIN SOURCE_DIR WORK_DIR - every SQL example in docs/*.md
# (```sql blocks and `liia-bench query "..."` commands) runs against a store
# holding the bundled sample data, so the docs cannot drift from the views.
set -u
bin=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work/sql" || exit 3
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC
db=$work/store.db
"$bin" --db "$db" init >/dev/null && "$bin" --db "$db" ingest "$src"/sample-data/quarterly/*.csv \
    >/dev/null 2>&1 && "$bin" --db "$db" bench >/dev/null || { echo "docs_sql: no demo store" >&2; exit 3; }

# ```sql blocks: one file per block.
for md in "$src"/docs/*.md; do
    awk -v out="$work/sql/$(basename "$md" .md)" '
        /^[ \t]*```sql/ { n++; f = 1; next }
        /^[ \t]*```/    { f = 0 }
        f { print > (out "." n ".sql") }' "$md"
done
# `liia-bench query "..."` commands, however many lines the quoted SQL
# spans, with their options; the synopsis ("SQL") is not an example.
for md in "$src"/docs/*.md; do
    awk -v out="$work/sql/$(basename "$md" .md)" '
        !cmd && /liia-bench query "/ { cmd = 1; n++; text = "" }
        cmd { sub(/^[ \t]*(\$ )?/, ""); text = text " " $0
              q = gsub(/"/, "\"", text)
              if (q % 2 == 0) { if (text !~ /query "SQL"/) print text > (out "." n ".cmd"); cmd = 0 } }' "$md"
done

failed=0 n=0
for f in "$work"/sql/*.sql; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    if ! "$bin" --db "$db" query "$(cat "$f")" >"$work/out" 2>"$work/err"; then
        echo "FAIL: $(basename "$f"):" >&2; cat "$f" "$work/err" >&2; failed=$((failed + 1))
    fi
done
for f in "$work"/sql/*.cmd; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    # The command as written, with the binary and store of this test.
    cmd=$(sed 's/^ *liia-bench /"$bin" --db "$db" /' "$f")
    if ! (cd "$work" && eval "$cmd") >"$work/out" 2>"$work/err"; then
        echo "FAIL: $(basename "$f"):" >&2; cat "$f" "$work/err" >&2; failed=$((failed + 1))
    fi
done
# Every view query admits (the list its refusal names) is documented in
# docs/views.md or docs/benchmark-view.md and answers a SELECT.
"$bin" --db "$db" query "SELECT * FROM bench_row" >/dev/null 2>"$work/err"
views=$(sed -n 's/.*is not one of the documented views (\(.*\)).*/\1/p' "$work/err" | tr -d ',')
[ -n "$views" ] || { echo "FAIL: no view list in the refusal:" >&2; cat "$work/err" >&2; failed=$((failed + 1)); }
for v in $views; do
    n=$((n + 1))
    grep -q "\`$v\`" "$src/docs/views.md" "$src/docs/benchmark-view.md" ||
        { echo "FAIL: view $v is not documented in docs/views.md" >&2; failed=$((failed + 1)); }
    "$bin" --db "$db" query "SELECT * FROM $v LIMIT 1" >/dev/null 2>"$work/err" ||
        { echo "FAIL: view $v:" >&2; cat "$work/err" >&2; failed=$((failed + 1)); }
done
echo "docs_sql: $n examples and views, $failed failed"
[ "$n" -gt 5 ] && [ "$failed" -eq 0 ]
