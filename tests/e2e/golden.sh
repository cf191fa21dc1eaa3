#!/bin/sh
# golden.sh BIN BAD_DIR EXPECTED_DIR WORK_DIR [--update]
# Runs `liia-bench validate` on every sample-data/bad/*.csv (with the options
# in args/<name>.args, if any) and compares stdout, stderr and the exit
# status with expected/<name>.out.  --update rewrites the expected files.
set -u
bin=$1 bad=$2 expected=$3 work=$4 update=${5:-}
args_dir=$(dirname "$0")/args
rm -rf "$work" && mkdir -p "$work" || exit 3
trap 'rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC
failed=0 n=0
for csv in "$bad"/*.csv; do
    name=$(basename "$csv" .csv)
    extra=
    [ -f "$args_dir/$name.args" ] && extra=$(cat "$args_dir/$name.args")
    # Run from the samples' folder so messages name the file as a user would.
    (cd "$bad" && "$bin" --db "$work/store.db" validate "$name.csv" $extra \
        >"$work/out" 2>"$work/err")
    code=$?
    {
        echo "\$ liia-bench validate $name.csv${extra:+ $extra}"
        echo "--- stdout"; cat "$work/out"
        echo "--- stderr"; cat "$work/err"
        echo "--- exit $code"
    } >"$work/$name.out"
    n=$((n + 1))
    if [ "$update" = "--update" ]; then
        cp "$work/$name.out" "$expected/$name.out"
    elif ! diff -u "$expected/$name.out" "$work/$name.out"; then
        echo "golden: $name differs" >&2
        failed=$((failed + 1))
    fi
done
for want in "$expected"/*.out; do
    [ -f "$bad/$(basename "$want" .out).csv" ] || {
        echo "golden: $want has no sample file" >&2; failed=$((failed + 1)); }
done
echo "golden: $n cases, $failed failed"
[ "$failed" -eq 0 ]
