#!/bin/sh
# sample.sh MODE BIN CHECKER SCHEMAS COMMITTED WORK
#   golden           `sample --out` reproduces sample-data/quarterly byte for byte
#   seeds            same seed twice: same bytes; another seed: other bytes
#   cli              usage errors, --help, unwritable output (exit codes, text)
#   consistent       every generated file passes the checker
#   checker_catches  the checker rejects a file with a broken rule
#   symlink          a link planted at an output name (quarterly, --published,
#                    --ssda903) is replaced by a 0600 file, its target untouched
#   ingested         `liia-bench ingest` accepts all 264 files with no errors and
#                    no warnings but one "not supplied" per value left out
set -u
mode=$1 bin=$2 checker=$3 schemas=$4 committed=$5 work=$6
rm -rf "$work" && mkdir -p "$work" || exit 3
failed=0
die() { echo "FAIL: $*" >&2; failed=1; }

gen() {  # gen DIR [args...]: run the generator quietly, fail on a non-zero exit
    d=$1; shift
    "$bin" sample --out "$d" "$@" >"$work/gen.out" 2>"$work/gen.err" ||
        { cat "$work/gen.err" >&2; die "sample --out $d $* exited non-zero"; return 1; }
}

expect() {  # expect STATUS STREAM TEXT args...: exit status and a line of output
    want=$1 stream=$2 text=$3; shift 3
    "$bin" sample "$@" >"$work/out" 2>"$work/err"
    got=$?
    [ "$got" -eq "$want" ] || die "sample $*: exit $got, expected $want"
    grep -qxF -- "$text" "$work/$stream" || {
        cat "$work/out" "$work/err" >&2; die "sample $*: no line '$text' on $stream"; }
}

case $mode in
golden)
    gen "$work/out" || exit 1
    grep -qxF "wrote 264 quarterly returns to $work/out (seed 2025)" "$work/gen.out" ||
        die "unexpected summary: $(cat "$work/gen.out")"
    [ "$(ls "$committed" | wc -l)" -eq 264 ] || die "committed sample has not 264 files"
    diff -r "$committed" "$work/out" >/dev/null ||
        die "output differs from $committed (regenerate: docs/sample-data.md)"
    ;;
seeds)
    gen "$work/a" && gen "$work/b" && gen "$work/c" --seed 7 && gen "$work/d" --seed 7 || exit 1
    diff -r "$work/a" "$work/b" >/dev/null || die "default seed twice: different bytes"
    diff -r "$work/c" "$work/d" >/dev/null || die "seed 7 twice: different bytes"
    diff -r "$work/a" "$work/c" >/dev/null && die "seed 7 gives the default seed's bytes"
    # Every authority's numbers move with the seed, not just a few files.
    same=0
    for f in "$work"/a/*.csv; do cmp -s "$f" "$work/c/${f##*/}" && same=$((same + 1)); done
    [ "$same" -eq 0 ] || die "$same files identical under seeds 2025 and 7"
    ;;
cli)
    expect 0 out "usage: liia-bench sample --out DIR [--seed N]" --help
    expect 2 err "liia-bench sample: --out DIR is required"
    expect 2 err "liia-bench sample: --seed 'x1' is not a whole number from 0 to 18446744073709551615" --out "$work/x" --seed x1
    expect 2 err "liia-bench sample: --seed '-1' is not a whole number from 0 to 18446744073709551615" --out "$work/x" --seed -1
    expect 2 err "liia-bench sample: unexpected argument 'extra'" --out "$work/x" extra
    : >"$work/afile"
    "$bin" sample --out "$work/afile" >"$work/out" 2>"$work/err"
    [ $? -eq 3 ] || die "--out naming a file: expected exit 3"
    grep -qF "cannot create the output directory: a file of that name exists" "$work/err" ||
        { cat "$work/err" >&2; die "--out naming a file: message"; }
    [ -e "$work/x" ] && die "a usage error created the output directory"
    ;;
consistent)
    gen "$work/out" --seed 11 && "$checker" "$schemas" "$work/out" || die "checker (seed 11)"
    "$checker" "$schemas" "$committed" || die "checker (committed sample)"
    ;;
checker_catches)
    cp -R "$committed" "$work/bad" || exit 3
    f="$work/bad/CAM_2024-06-30.csv"
    sed 's/^CAM,2024-06-30,cla_in_residential,[0-9]*,/CAM,2024-06-30,cla_in_residential,99999,/' \
        "$f" >"$work/tmp" && mv "$work/tmp" "$f"
    "$checker" "$schemas" "$work/bad" 2>"$work/err" && die "checker passed a broken file"
    grep -qF "CAM_2024-06-30.csv: QBR-R009" "$work/err" ||
        { cat "$work/err" >&2; die "checker did not name QBR-R009 on CAM_2024-06-30.csv"; }
    ;;
symlink)
    # Planted links: each generator writes through liia_outfile, so the
    # link is replaced by the new file and what it pointed at is untouched.
    mkdir -p "$work/q" "$work/p" "$work/s" || exit 3
    echo victim >"$work/victim"
    ln -s "$work/victim" "$work/q/CAM_2025-03-31.csv"
    ln -s "$work/victim" "$work/p/c1_referrals.csv"
    ln -s "$work/victim" "$work/s/CAM_2025-03-31_episodes.csv"
    gen "$work/q" || exit 1
    "$bin" sample --published --out "$work/p" >/dev/null 2>"$work/err" ||
        { cat "$work/err" >&2; die "sample --published exited non-zero"; }
    "$bin" sample --ssda903 --children 5 --la CAM --out "$work/s" >/dev/null 2>"$work/err" ||
        { cat "$work/err" >&2; die "sample --ssda903 exited non-zero"; }
    [ "$(cat "$work/victim")" = victim ] || die "a generator wrote through a planted link"
    for f in "$work/q/CAM_2025-03-31.csv" "$work/p/c1_referrals.csv" \
             "$work/s/CAM_2025-03-31_episodes.csv"; do
        [ -f "$f" ] && [ ! -L "$f" ] || die "$f is still a link (or missing)"
        [ "$(stat -c %a "$f")" = 600 ] || die "$f has mode $(stat -c %a "$f"), not 600"
    done
    ls -a "$work/q" "$work/p" "$work/s" | grep -q '\.tmp$' && die "a temporary file was left behind"
    ;;
ingested)
    "$bin" --db "$work/store.db" init >/dev/null || die "init exited $?"
    "$bin" --db "$work/store.db" ingest "$committed"/*.csv >"$work/out" 2>"$work/err" ||
        die "ingest exited $?"
    n=$(grep -c ': accepted as version 1 (0 errors, ' "$work/out")
    [ "$n" -eq 264 ] || die "$n of 264 files accepted with 0 errors"
    others=$(grep -o '\[[A-Z0-9-]*\]$' "$work/err" | grep -vxF '[QBR-S025]' | sort | uniq -c)
    [ -z "$others" ] || die "findings other than 'not supplied': $others"
    # One "not supplied" per blank value or absent row, no more, no fewer.
    per_file=$(($(wc -l <"$committed/CAM_2025-03-31.csv") - 1))
    supplied=$(cat "$committed"/*.csv | grep -cv -e '^la_code,' -e '^[^,]*,[^,]*,[^,]*,,')
    warned=$(grep -c '\[QBR-S025\]$' "$work/err")
    [ "$warned" -eq $((264 * per_file - supplied)) ] ||
        die "$warned 'not supplied' warnings for $((264 * per_file - supplied)) values left out"
    [ "$warned" -gt 0 ] || die "no authority leaves anything out"
    ;;
*) echo "unknown mode $mode" >&2; exit 2 ;;
esac
exit $failed
