#!/usr/bin/env bash
# Hostile-input corpus: every file in files/ (plus the large ones generated
# here) goes through `validate` and then `ingest` against one scratch store.
# expected.tsv gives, per file, the exit code both must give, a phrase the
# output must contain and any extra arguments.  Nothing may crash (a signal),
# hang (timeout 20 s per run), or store a value from a rejected file.
# usage: run.sh LIIA_BENCH_BINARY SCRATCH_DIR
set -uo pipefail
bin=$1
scratch=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$scratch" && mkdir -p "$scratch/gen"
export LIIA_DB=$scratch/hostile.db
"$bin" init >/dev/null || { echo "FAIL: init"; exit 1; }

# Large inputs are made, not committed.
H='la_code,period,measure,value,note'
{ printf '%s\nCAM,2025-03-31,referrals,512,"' "$H"; head -c 10485760 /dev/zero | tr '\0' 'x'; printf '"\n'; } > "$scratch/gen/huge_field_10mb.csv"
{ seq -s, 1 10000; printf '1\n'; } > "$scratch/gen/wide_10000_columns.csv"
{ printf '%s\n' "$H"; seq 1 20000 | sed 's/.*/CAM,2025-03-31,referrals,&,/'; } > "$scratch/gen/duplicates_20000_rows.csv"
printf '%s\r\nCAM,2025-03-31,referrals,512,\nCAM,2025-03-31,contacts,900,\r\n' "$H" > "$scratch/gen/mixed_line_endings.csv"
printf '%s\rCAM,2025-03-31,referrals,513,\rCAM,2025-03-31,contacts,900,\r' "$H" > "$scratch/gen/cr_only_line_endings.csv"
printf '%s\nCAM,2025-03-31,referrals,514,"=HYPERLINK(""http://x"",""y"")"\nCAM,2025-03-31,contacts,900,+1\n' "$H" > "$scratch/gen/formula_in_note.csv"

count() { sqlite3 "$LIIA_DB" "$1"; }
values() { count "SELECT count(*) FROM submission_value"; }
accepted() { count "SELECT count(*) FROM submission WHERE status <> 'rejected'"; }

# run NAME CMD ARGS...: exit code and output of one command on one file.
run() {
  local what=$1; shift
  timeout 20 "$bin" "$what" "$@" >"$scratch/out" 2>"$scratch/err"
}

pass=0 fail=0
while IFS=$'\t' read -r name want_exit want_text args; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  file=$here/files/$name
  [[ -f "$file" ]] || file=$scratch/gen/$name
  if [[ ! -f "$file" ]]; then echo "FAIL $name: no such file"; fail=$((fail + 1)); continue; fi
  read -ra extra <<<"${args:-}"
  problems=()
  for cmd in validate ingest; do
    before_values=$(values) before_accepted=$(accepted)
    run "$cmd" "${extra[@]}" "$file"
    got=$?
    if (( got == 124 )); then problems+=("$cmd hung (over 20 s)")
    elif (( got >= 128 )); then problems+=("$cmd crashed (exit $got)")
    elif (( got != want_exit )); then problems+=("$cmd exit $got, want $want_exit"); fi
    grep -qF -- "$want_text" "$scratch/out" "$scratch/err" ||
      problems+=("$cmd output lacks '$want_text'")
    # Only an accepting ingest may change what is served.
    if [[ $cmd == validate || $want_exit != 0 ]]; then
      [[ "$(values)" == "$before_values" ]] || problems+=("$cmd stored values")
      [[ "$(accepted)" == "$before_accepted" ]] || problems+=("$cmd recorded an accepted version")
    fi
    (( ${#problems[@]} )) && break
  done
  if (( ${#problems[@]} )); then
    fail=$((fail + 1))
    printf 'FAIL %s %s: %s\n' "$name" "${args:-}" "${problems[*]}"
    head -c 1500 "$scratch/err"; head -c 500 "$scratch/out"
  else
    pass=$((pass + 1))
  fi
done < "$here/expected.tsv"

if [[ "$(count 'PRAGMA integrity_check')" != ok ]]; then
  echo "FAIL: store integrity check"; fail=$((fail + 1))
fi
echo "hostile: $pass passed, $fail failed"
(( fail == 0 ))
