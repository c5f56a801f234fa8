#!/usr/bin/env bash
# Handlers that wait against quick ones, in the example WAR in Tomcat 11, from the repository root:
#
#   bash bench/waiting.sh
#
# WAITERS requests at once to GET /bench/sleep?seconds=SECONDS, a Python handler that sleeps as one
# waiting for a database or an HTTP call would, while GET /python (the example's Python hello) is asked
# one request after another until they have all answered; ROUNDS times. The load is
# bench/WaitingHandlers.java (JDK only, run from source; its comment has the details). Then the pool
# of Python workers must shrink back: the worker threads of the `python` filter (httpy-python-<n>, from
# jcmd Thread.print) are counted right after the last round and again after IDLE seconds without
# requests, for python.workers' default (4): the workers started for the waiters retire after 10 s idle.
#
# The targets are reported, not asserted: every round's WAITERS sleepers all answered within
# SECONDS + 1 s (1.5 s at the default 0.5 s), every quick request within 50 ms, and the workers back
# to 4. The script exits 1 when a request failed (an error or a status other than 200).
#
# It builds the WAR and lays out the same Tomcat as the other bench/ scripts in target/bench-waiting,
# listening on 127.0.0.1 only, with the example WAR unpacked and the filter pointed at
# bench/bench_app.py (the example app plus /bench/sleep; bench_deploy_bench_app in bench/lib.sh), the
# filter's settings otherwise the WAR's defaults (python.workers=4, python.max-workers=200). /python
# is asked 50 times first so that the filter knows it as short and runs it on the container thread.
# Tomcat is stopped at the end, also on an error or Ctrl-C; its log and the report go to
# target/bench-waiting/.
#
# Settings (environment):
#   PORT=18094          Tomcat's HTTP port; it must be free
#   WAITERS=200         concurrent requests to the sleeping handler per round
#   SECONDS=0.5         how long each of them sleeps (read from the environment the script started
#                       with: bash keeps a SECONDS of its own, the seconds since it started)
#   ROUNDS=3            rounds, a second apart
#   IDLE=15             seconds without requests before the workers are counted again
#   JAVA_OPTS_EXTRA=    more JVM options for Tomcat
#   SKIP_BUILD=1        use the target/httpy.war already built
#   ACCESS_LOG=1        keep Tomcat's access log
# Quick run: WAITERS=50 ROUNDS=1 bash bench/waiting.sh
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

PORT="${PORT:-18094}"
WAITERS="${WAITERS:-200}" ROUNDS="${ROUNDS:-3}" IDLE="${IDLE:-15}"
# bash replaced an inherited SECONDS with its own clock (a fraction such as 0.5 becomes 0), so the
# setting comes from the environment this process started with.
SLEEP=$(tr '\0' '\n' <"/proc/$$/environ" | sed -n 's/^SECONDS=//p' | tail -1)
SLEEP="${SLEEP:-0.5}"
[[ "$SLEEP" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "SECONDS=$SLEEP: give a number of seconds such as 0.5" >&2; exit 2; }
[[ "$WAITERS" =~ ^[1-9][0-9]*$ && "$ROUNDS" =~ ^[1-9][0-9]*$ && "$IDLE" =~ ^[0-9]+$ ]] \
  || { echo "WAITERS and ROUNDS must be positive whole numbers, IDLE a whole number" >&2; exit 2; }
PYTHON_WORKERS_DEFAULT=4   # python.workers' default (FilterSettings), which the WAR's web.xml keeps
work=target/bench-waiting
BASE="http://127.0.0.1:$PORT"

bench_init
bench_need curl
bench_port_free "$PORT"
# Each waiter is a connection, an open file in Tomcat and in the load; both inherit this shell's limit.
files=$((WAITERS + 1024))
bench_raise_open_files "$files" WAITERS

bench_build
rm -rf "$work"; mkdir -p "$work"
bench_tomcat_layout "$work/tomcat" "$PORT"
bench_deploy_unpacked "$work/tomcat"
bench_deploy_bench_app "$work/tomcat"
bench_tomcat_start "$work/tomcat" "$work/tomcat.log" "$BASE/python" "--enable-native-access=ALL-UNNAMED ${JAVA_OPTS_EXTRA:-}"
[[ $(bench_status "$BASE/bench/sleep?seconds=0") == 200 ]] || { echo "/bench/sleep does not answer 200" >&2; exit 1; }

# python_workers: the worker threads of the `python` filter now alive (httpy-python-<n>; its
# -lookout thread and the interpreter's -setup thread are not workers).
python_workers() {
  "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" Thread.print >"$work/threads.txt" \
    || { echo "jcmd $TOMCAT_PID Thread.print failed" >&2; exit 1; }
  grep -cE '^"httpy-python-[0-9]+"' "$work/threads.txt" || true
}

bench_log "warming /python up: 50 requests"
for ((i = 0; i < 50; i++)); do
  [[ $(bench_status "$BASE/python") == 200 ]] || { echo "/python did not answer 200 while warming up" >&2; exit 1; }
done
workers_before=$(python_workers)

settings="PORT=$PORT WAITERS=$WAITERS SECONDS=$SLEEP ROUNDS=$ROUNDS IDLE=$IDLE"
load=("$JAVA_HOME/bin/java" bench/WaitingHandlers.java "$BASE/bench/sleep?seconds=$SLEEP" "$BASE/python" "$WAITERS" "$ROUNDS")
bench_log "waiting handlers: $settings"
# In the background, so that Ctrl-C or SIGTERM ends the script at once; the EXIT trap stops it.
"${load[@]}" >"$work/rounds.md" &
clients=$!
bench_stop_at_exit "$clients" "bench/WaitingHandlers.java"
status=0
wait "$clients" || status=$?
if ((status > 1)); then
  echo "bench/WaitingHandlers.java failed (exit status $status)" >&2
  exit "$status"
fi
kill -0 "$TOMCAT_PID" 2>/dev/null || { echo "Tomcat died during the run; see $work/tomcat.log" >&2; exit 1; }
workers_after=$(python_workers)
bench_log "$workers_after Python workers after the last round; counting again after ${IDLE}s idle"
sleep "$IDLE"
workers_idle=$(python_workers)

# The targets from the rounds' table: the slowest round, the slowest quick request, the errors.
read -r slowest_round quick_p50 quick_max errors < <(awk -F'|' '$2 ~ /^ *[0-9]+ *$/ {
    if ($4 + 0 > slow) slow = $4 + 0; if ($7 + 0 > p50) p50 = $7 + 0; if ($8 + 0 > max) max = $8 + 0
    errors += $5 + $9 }
  END { printf "%.2f %.1f %.1f %d\n", slow, p50, max, errors }' "$work/rounds.md")
limit=$(awk -v s="$SLEEP" 'BEGIN {printf "%.2f", s + 1}')
# met A OP B: yes when the number A is below (<) or equal to (==) the number B, else no.
met() {
  awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {ok = op == "<" ? a + 0 < b + 0 : a + 0 == b + 0; print ok ? "yes" : "no"}'
}

{
  echo
  echo "## httpy waiting handlers: $(date)"
  echo
  echo "$(bench_machine_line "$work/tomcat" "$work/tomcat.log")."
  echo
  echo "Command: \`$settings bash bench/waiting.sh\`; the load: \`java bench/WaitingHandlers.java $BASE/bench/sleep?seconds=$SLEEP" \
    "$BASE/python $WAITERS $ROUNDS\` on the same machine, after 50 requests to /python."
  echo
  cat "$work/rounds.md"
  echo
  echo "| Python worker threads of the \`python\` filter | count |"
  echo "| --- | ---: |"
  echo "| after warming /python up | $workers_before |"
  echo "| right after the last round | $workers_after |"
  echo "| after ${IDLE} s idle | $workers_idle |"
  echo "| python.workers (default) | $PYTHON_WORKERS_DEFAULT |"
  echo
  echo "| target | measured | met |"
  echo "| --- | ---: | --- |"
  echo "| $WAITERS sleepers of $SLEEP s all answered within $limit s | slowest round $slowest_round s | $(met "$slowest_round" "<" "$limit") |"
  echo "| a quick request meanwhile answers within 50 ms | slowest $quick_max ms (worst round's p50 $quick_p50 ms) | $(met "$quick_max" "<" 50) |"
  echo "| the workers shrink back to python.workers after ${IDLE} s idle | $workers_idle of $PYTHON_WORKERS_DEFAULT | $(met "$workers_idle" == "$PYTHON_WORKERS_DEFAULT") |"
  echo "| no request failed | $errors failed | $(met "$errors" == 0) |"
  # The quick target counts on /python running on the container thread; say so when it could not.
  fallback=$(grep -m1 -o 'a container thread could not run Python.*' "$work/tomcat.log" || true)
  if [[ -n "$fallback" ]]; then
    echo
    echo "/python did not run on the container thread; the filter logged: \"$fallback\". Its requests waited for a" \
      "worker like the sleepers' (python.max-workers=200 is the ceiling)."
  fi
} >"$work/waiting.md"
cat "$work/waiting.md"
exit "$status"
}
