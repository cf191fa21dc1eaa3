# killer.sh - sourced by the crash tests: SIGKILL a command at a random
# moment.  Needs $scratch, $full_ms (how long a whole run takes) and RANDOM
# seeded by the caller.

now_ms() { date +%s%3N; }

# kill_at_random PROGRAM ARGS...: starts PROGRAM (not a shell function), SIGKILLs it after a random delay below
# the time a whole run took ($full_ms), polling so that no time is slept
# beyond what is needed.  Says whether the kill landed before the end.
kill_at_random() {
  local delay=$(( (RANDOM * 32768 + RANDOM) % (full_ms * 9 / 10) + 1 ))
  "$@" >"$scratch/killed.out" 2>&1 &
  local pid=$! start; start=$(now_ms)
  while kill -0 "$pid" 2>/dev/null && (( $(now_ms) - start < delay )); do sleep 0.02; done
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    echo "  killed after ${delay} ms"
    return 0
  fi
  wait "$pid"
  echo "  finished before the kill at ${delay} ms (exit $?)"
  return 1
}
