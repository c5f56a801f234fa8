#!/usr/bin/env bash
# The example WAR's FastAPI app (python/fastapi_app.py, mounted at /fastapi/* with python.asgi) in
# Tomcat 11 on Debian's Python 3.11 with python3-fastapi (python.executable, as bench/flask.sh's
# MODE=system), no access log, from the repository root:
#
#   bash bench/asgi.sh            MODE=hello (default): GET /fastapi/hello through httpy against the
#                                 same app under uvicorn (Debian's python3-uvicorn, one worker), wrk -t2
#                                 in alternating rounds; req/s, p50, p99, errors, each server's CPU
#                                 time per request and the ratio httpy/uvicorn, as bench/flask.sh prints them
#   MODE=sse bash bench/asgi.sh   STREAMS server-sent-event streams held open on httpy (each GET
#                                 /fastapi/events?pause=1: one event a second) for HOLD seconds while
#                                 GET /java (the plain servlet) and GET /fastapi/hello are timed one
#                                 request after the other; the load is bench/SseStreams.java (JDK only,
#                                 run from source; its comment has the details). Prints the streams
#                                 opened and still open, events per second, the JVM's threads (what they
#                                 are, and how many as the streams open) and RSS, and the probes' p50/p99
#   MODE=profile bash bench/asgi.sh   where httpy's /fastapi/hello spends its time: wrk -c PROFILE_CONNECTIONS
#                                 with JFR's CPU-time sampler (as bench/run.sh profile), summarised by
#                                 bench/jfr-cpu.jq
#
# uvicorn runs as `python3 -m uvicorn fastapi_app:app --app-dir python`, with whatever loop and HTTP
# parser its Python has (Debian's python3-uvicorn does not pull in uvloop or httptools, so it is
# asyncio and h11 unless they are installed; the report says which). Tomcat and uvicorn listen on
# 127.0.0.1 only and are stopped at the end, also on an error or Ctrl-C; their logs and the raw
# output go to target/bench-asgi/.
#
# Settings (environment):
#   PORT=18400 UVICORN_PORT=18401   the two ports; they must be free
#   PYTHON=/usr/bin/python3         the Python with FastAPI (and uvicorn) that both servers run
#   DURATION=15 ROUNDS=2 CONNECTIONS="8 64"   hello: wrk's measured seconds per round (after WARMUP=10 s of
#                                   warm-up), rounds, connection counts
#   STREAMS=5000 HOLD=60            sse: streams to hold, and for how long once all are open
#   RAMP_IN_FLIGHT=200              sse: streams being opened at once (connected, no answer yet)
#   PROBE_INTERVAL_MS=50            sse: the pause between a probe's requests (per route)
#   PROFILE_CONNECTIONS=64          profile: wrk -c
#   MAX_THREADS=                    the connector's maxThreads (Tomcat's default: 200), e.g. to see how
#                                   many request threads the streams need; maxConnections stays 8192
#   JAVA_OPTS_EXTRA=                more JVM options for Tomcat (e.g. -Xmx512m)
#   SKIP_BUILD=1                    use the target/httpy.war already built; ACCESS_LOG=1 keeps Tomcat's
# Quick run: MODE=sse STREAMS=500 HOLD=10 bash bench/asgi.sh
# Needs: apt-get install wrk curl python3-fastapi python3-uvicorn (jq for MODE=profile's tables)
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

MODE="${MODE:-hello}"
PORT="${PORT:-18400}" UVICORN_PORT="${UVICORN_PORT:-18401}" PYTHON="${PYTHON:-/usr/bin/python3}"
WARMUP="${WARMUP:-10}" DURATION="${DURATION:-15}" ROUNDS="${ROUNDS:-2}" CONNECTIONS="${CONNECTIONS:-8 64}"
STREAMS="${STREAMS:-5000}" HOLD="${HOLD:-60}" RAMP_IN_FLIGHT="${RAMP_IN_FLIGHT:-200}"
PROBE_INTERVAL_MS="${PROBE_INTERVAL_MS:-50}" PROFILE_CONNECTIONS="${PROFILE_CONNECTIONS:-64}"
case "$MODE" in
  hello | sse | profile) ;;
  *) echo "MODE is hello, sse or profile, not $MODE" >&2; exit 2 ;;
esac
work=target/bench-asgi
BASE="http://127.0.0.1:$PORT"

bench_init
bench_need curl
[[ "$MODE" == sse ]] || bench_need wrk
"$PYTHON" -c 'import fastapi' 2>/dev/null \
  || { echo "bench/asgi.sh needs FastAPI for $PYTHON: apt-get install python3-fastapi" >&2; exit 1; }
if [[ "$MODE" == hello ]]; then
  "$PYTHON" -c 'import uvicorn' 2>/dev/null \
    || { echo "MODE=hello needs uvicorn for $PYTHON: apt-get install python3-uvicorn" >&2; exit 1; }
  bench_port_free "$UVICORN_PORT" UVICORN_PORT
fi
bench_port_free "$PORT" PORT
if [[ "$MODE" == sse ]]; then
  # Each stream is an open file in Tomcat and one in the load program; both inherit this limit.
  bench_raise_open_files $((STREAMS + 2048)) STREAMS
fi

bench_build
rm -rf "$work"; mkdir -p "$work"
bench_tomcat_layout "$work/tomcat" "$PORT"
if [[ -n "${MAX_THREADS:-}" ]]; then
  sed -i -e "s/<Connector address=\"127.0.0.1\" port=\"$PORT\"/& maxThreads=\"$MAX_THREADS\"/" "$work/tomcat/conf/server.xml"
  grep -q "port=\"$PORT\" maxThreads=\"$MAX_THREADS\"" "$work/tomcat/conf/server.xml" \
    || { echo "could not set maxThreads in $work/tomcat/conf/server.xml" >&2; exit 1; }
fi
bench_deploy "$work/tomcat"
mkdir -p "$work/tomcat/conf/Catalina/localhost"
echo "<Context><Parameter name=\"python.executable\" value=\"$PYTHON\" override=\"false\"/></Context>" \
  > "$work/tomcat/conf/Catalina/localhost/ROOT.xml"
jvm_opts="--enable-native-access=ALL-UNNAMED ${JAVA_OPTS_EXTRA:-}"
if [[ "$MODE" == profile ]]; then
  jvm_opts+=" -XX:+UnlockDiagnosticVMOptions -XX:+PreserveFramePointer"
fi
httpy_url="$BASE/fastapi/hello"
bench_tomcat_start "$work/tomcat" "$work/tomcat.log" "$httpy_url" "$jvm_opts"
[[ "$(curl --noproxy '*' -s "$httpy_url")" == "hello from fastapi" ]] \
  || { echo "no FastAPI hello at $httpy_url (is FastAPI installed for $PYTHON?); see $work/tomcat.log" >&2; exit 1; }
[[ $(bench_status "$BASE/java") == 200 ]] || { echo "/java does not answer 200" >&2; exit 1; }

versions=$("$PYTHON" -c 'import fastapi, starlette, sys; print(f"Python {sys.version.split()[0]}, FastAPI {fastapi.__version__}, Starlette {starlette.__version__}")')
machine="$(bench_machine_line "$work/tomcat" "$work/tomcat.log"); $versions; Tomcat maxThreads ${MAX_THREADS:-200 (default)}"

# cpu_ticks STAT_FILE: user + system clock ticks from a /proc stat file; its second field, the name in
# parentheses, may hold spaces ("C2 CompilerThre"), so fields are counted after the last ')'.
cpu_ticks() { sed 's/.*) //' "$1" | awk '{print $12 + $13}'; }

# measure FILE CONNECTIONS URL PID: WARMUP s of warm-up, then DURATION s measured; R holds the figures, and
# R[cpu_us] the server process PID's CPU time (user + system, all threads) per request: on a shared
# machine a steadier figure than req/s.
measure() {
  local before after
  bench_wrk "$work/wrk-warmup.txt" "$3" "$2" "$WARMUP" 2
  before=$(cpu_ticks "/proc/$4/stat")
  bench_wrk "$work/wrk-$1.txt" "$3" "$2" "$DURATION" 2
  after=$(cpu_ticks "/proc/$4/stat")
  R[cpu_us]=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="${R[requests]}" 'BEGIN {printf "%.0f", n ? t * 1e6 / hz / n : 0}')
}
# The table's cells for the last measure: req/s, p50 and p99 as wrk prints them, the errors (socket
# errors plus responses of 400 or more) and the server's CPU per request.
cells() {
  printf '%s | %s | %s | %d | %s us' "${R[rps]}" "$(bench_wrk_time "${R[p50_us]}")" "$(bench_wrk_time "${R[p99_us]}")" \
    $((R[socket_errors] + R[status])) "${R[cpu_us]}"
}

hello() {
  local uvicorn_url="http://127.0.0.1:$UVICORN_PORT/hello" uvicorn_pid c round httpy uvicorn h_rps u_rps kind
  "$PYTHON" -m uvicorn fastapi_app:app --app-dir python --host 127.0.0.1 --port "$UVICORN_PORT" \
    --workers 1 --no-access-log --log-level warning >"$work/uvicorn.log" 2>&1 &
  uvicorn_pid=$!
  bench_stop_at_exit "$uvicorn_pid" uvicorn
  bench_await "$uvicorn_url" "$uvicorn_pid" uvicorn "$work/uvicorn.log"
  [[ "$(curl --noproxy '*' -s "$uvicorn_url")" == "hello from fastapi" ]] || { echo "no FastAPI hello at $uvicorn_url" >&2; exit 1; }
  # What uvicorn's "auto" loop and HTTP settings pick: uvloop and httptools when importable.
  kind=$("$PYTHON" -c '
import importlib.util as u, uvicorn
loop = "uvloop" if u.find_spec("uvloop") else "asyncio"
http = "httptools" if u.find_spec("httptools") else "h11"
print(f"uvicorn {uvicorn.__version__}, 1 worker, loop {loop}, HTTP {http}")')

  echo "MODE=hello: $machine; $kind."
  echo
  echo "| c | round | httpy req/s | httpy p50 | httpy p99 | httpy errors | httpy CPU/req | uvicorn req/s | uvicorn p50 | uvicorn p99 | uvicorn errors | uvicorn CPU/req | httpy/uvicorn |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for c in $CONNECTIONS; do
    for round in $(seq "$ROUNDS"); do
      measure "httpy-c$c-r$round" "$c" "$httpy_url" "$TOMCAT_PID"; httpy=$(cells); h_rps=${R[rps]}
      measure "uvicorn-c$c-r$round" "$c" "$uvicorn_url" "$uvicorn_pid"; uvicorn=$(cells); u_rps=${R[rps]}
      echo "| $c | $round | $httpy | $uvicorn | $(bench_ratio "$h_rps" "$u_rps") |"
    done
  done
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
}

sse() {
  local clients status=0
  # Enough events for the ramp, the hold and a margin: the streams must outlast the measurement.
  local events=$((HOLD + STREAMS / 20 + 120))
  bench_log "sse: $STREAMS streams of /fastapi/events?n=$events&pause=1 held for $HOLD s"
  # In the background, so that Ctrl-C or SIGTERM ends the script at once; the EXIT trap stops it.
  "$JAVA_HOME/bin/java" bench/SseStreams.java --port "$PORT" --pid "$TOMCAT_PID" --streams "$STREAMS" \
    --events "$events" --hold "$HOLD" --ramp-in-flight "$RAMP_IN_FLIGHT" --probe-interval-ms "$PROBE_INTERVAL_MS" \
    --jcmd "$JAVA_HOME/bin/jcmd" >"$work/sse-clients.md" &
  clients=$!
  bench_stop_at_exit "$clients" bench/SseStreams.java
  wait "$clients" || status=$?
  if ((status > 1)); then
    echo "bench/SseStreams.java failed (exit status $status)" >&2
    exit "$status"
  fi
  if ! kill -0 "$TOMCAT_PID" 2>/dev/null; then
    echo "Tomcat died during the run; see $work/tomcat.log" >&2
    status=1
  fi
  echo "MODE=sse: $machine."
  echo
  echo "Command: \`MODE=sse ${MAX_THREADS:+MAX_THREADS=$MAX_THREADS }${JAVA_OPTS_EXTRA:+JAVA_OPTS_EXTRA=\"$JAVA_OPTS_EXTRA\" }STREAMS=$STREAMS HOLD=$HOLD RAMP_IN_FLIGHT=$RAMP_IN_FLIGHT PROBE_INTERVAL_MS=$PROBE_INTERVAL_MS bash bench/asgi.sh\`"
  echo
  cat "$work/sse-clients.md"
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  exit_status="$status"
}

# thread_ticks: "tid, name without its number, CPU ticks" for each thread of Tomcat, tab-separated.
thread_ticks() {
  local task
  for task in /proc/"$TOMCAT_PID"/task/*; do
    printf '%s\t%s\t%s\n' "${task##*/}" "$(sed -E 's/[-#]?[0-9]+$//' "$task/comm" 2>/dev/null)" "$(cpu_ticks "$task/stat" 2>/dev/null)"
  done
}

profile() {
  local jfr c="$PROFILE_CONNECTIONS"
  jfr="$(realpath "$work")/fastapi.jfr"
  bench_wrk "$work/wrk-warmup.txt" "$httpy_url" "$c" 5 2
  bench_log "profiling /fastapi/hello: wrk -c$c for ${DURATION}s with JFR"
  "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" JFR.start name=bench settings=profile \
    "jdk.CPUTimeSample#enabled=true" "jdk.CPUTimeSample#throttle=1ms" >"$work/jfr-start.txt" 2>&1
  local ticks_before ticks_after
  thread_ticks >"$work/threads-before.tsv"
  ticks_before=$(cpu_ticks "/proc/$TOMCAT_PID/stat")
  bench_wrk "$work/wrk-profile.txt" "$httpy_url" "$c" "$DURATION" 2
  ticks_after=$(cpu_ticks "/proc/$TOMCAT_PID/stat")
  thread_ticks >"$work/threads-after.tsv"
  "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" JFR.stop name=bench filename="$jfr" >/dev/null
  echo "MODE=profile: $machine."
  echo
  printf 'wrk -t2 -c%s -d%ss /fastapi/hello: %.0f req/s, p99 %s; Tomcat CPU %s us per request (all threads, user + system); JFR: %s.\n' \
    "$c" "$DURATION" "${R[rps]}" "$(bench_wrk_time "${R[p99_us]}")" \
    "$(awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v n="${R[requests]}" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')" "$jfr"
  echo
  echo "CPU time of the Tomcat process's threads during the measured run, by name with numbers dropped (/proc; top 12, share of all; Python's own threads, such as the ASGI event loop's, are named java like the process):"
  echo
  echo "| thread | CPU s | share |"
  echo "| --- | ---: | ---: |"
  # Per thread id: after minus before (a thread born during the run counts from 0).
  awk -F'\t' -v hz="$(getconf CLK_TCK)" 'NR == FNR {before[$1] = $3; next}
      {t[$2] += $3 - before[$1]; all += $3 - before[$1]}
      END {for (k in t) if (t[k] > 0) printf "%.1f\t%.1f%%\t%s\n", t[k] / hz, 100 * t[k] / all, k}' \
    "$work/threads-before.tsv" "$work/threads-after.tsv" | sort -rn | head -12 | awk -F'\t' '{printf "| %s | %s | %s |\n", $3, $1, $2}'
  echo
  if command -v jq >/dev/null; then
    "$JAVA_HOME/bin/jfr" print --json --events jdk.CPUTimeSample --stack-depth 64 "$jfr" | jq -r -f bench/jfr-cpu.jq
  else
    "$JAVA_HOME/bin/jfr" view --width 160 cpu-time-hot-methods "$jfr" | head -40
  fi
}

# In this shell, not in a pipeline's subshell, so that Ctrl-C stops the run at once; MODE=sse sets
# exit_status to 1 when a stream did not open or stay open, or a probe failed during the hold.
exit_status=0
case "$MODE" in
  hello) hello ;;
  sse) sse ;;
  profile) profile ;;
esac >"$work/$MODE.md"
cat "$work/$MODE.md"
exit "$exit_status"
}
