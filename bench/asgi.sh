#!/usr/bin/env bash
# The example WAR's FastAPI app (python/fastapi_app.py, mounted at /fastapi/* with python.asgi) in
# Tomcat 11 through python.executable (as bench/flask.sh's MODE=system), no access log, from the
# repository root:
#
#   bash bench/asgi.sh            MODE=hello (default): GET /fastapi/hello through httpy against the
#                                 same app under today's uvicorn (one worker, no access log), on the
#                                 same Python, wrk -t2 in alternating rounds (httpy, then uvicorn, ROUNDS
#                                 times per connection count); each round's req/s, p50, p99, errors, each
#                                 server's CPU time per request and the ratio httpy/uvicorn, then per
#                                 connection count the median over the rounds of the ratio, of each
#                                 side's req/s and of each side's CPU per request
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
# The Python both servers run (VENV):
#   today   (MODE=hello's default) the venv target/bench-asgi/venv, which the script makes with
#           `python3 -m venv` from VENV_PYTHON (a Python 3.11+ built with a shared libpython, as
#           python.executable needs; `python3` on PATH by default) and fills with
#           `pip install fastapi "uvicorn[standard]"` as this machine configures pip (the user's index;
#           the build's offline PIP_NO_INDEX, PIP_FIND_LINKS and PIP_CONFIG_FILE are left out). That is
#           uvicorn as its docs install it, with uvloop and httptools. The venv is reused while its
#           READY stamp matches VENV_PYTHON; `rm -rf target/bench-asgi/venv` takes newer releases.
#   system  (MODE=sse's and MODE=profile's default, and the default when PYTHON is given) PYTHON,
#           Debian's /usr/bin/python3 with python3-fastapi and python3-uvicorn: the old anchor
#           (FastAPI 0.92, uvicorn on asyncio and h11, as Debian's package pulls in neither uvloop nor
#           httptools)
# httpy gets that Python as python.executable; uvicorn runs as `$PYTHON -m uvicorn fastapi_app:app
# --app-dir python --workers 1 --no-access-log`, with `--loop uvloop` and `--http httptools` when those
# import on that Python (else `auto`, which is then asyncio and h11), and the report names uvicorn's
# version, its loop and HTTP parser with theirs (checked in the running process's memory map), and
# the Python, FastAPI and Starlette versions. Tomcat and uvicorn listen on 127.0.0.1 only and are
# stopped at the end, also on an error or Ctrl-C; their logs, pip's and the raw output go to
# target/bench-asgi/.
#
# Settings (environment):
#   PORT=18400 UVICORN_PORT=18401   the two ports; they must be free
#   VENV=today|system               see above
#   VENV_PYTHON=python3             VENV=today: the Python the venv is made from
#   PYTHON=/usr/bin/python3         VENV=system: the Python with FastAPI (and uvicorn) that both servers run
#   DURATION=15 ROUNDS=3 CONNECTIONS="8 64"   hello: wrk's measured seconds per round (after WARMUP=10 s of
#                                   warm-up), rounds, connection counts
#   STREAMS=5000 HOLD=60            sse: streams to hold, and for how long once all are open
#   RAMP_IN_FLIGHT=200              sse: streams being opened at once (connected, no answer yet)
#   PROBE_INTERVAL_MS=50            sse: the pause between a probe's requests (per route)
#   PROFILE_CONNECTIONS=64          profile: wrk -c
#   MAX_THREADS=                    the connector's maxThreads (Tomcat's default: 200), e.g. to see how
#                                   many request threads the streams need; maxConnections stays 8192
#   JAVA_OPTS_EXTRA=                more JVM options for Tomcat (e.g. -Xmx512m)
#   SKIP_BUILD=1                    use the target/httpy.war already built
#   ACCESS_LOG=1                    keep an access log on both sides: Tomcat's, and uvicorn's (in uvicorn.log)
# Quick runs: SKIP_BUILD=1 WARMUP=2 DURATION=5 ROUNDS=3 CONNECTIONS=8 bash bench/asgi.sh
#             VENV=system bash bench/asgi.sh   (the Debian anchor)
#             MODE=sse STREAMS=500 HOLD=10 bash bench/asgi.sh
# Needs: apt-get install wrk curl (jq for MODE=profile's tables); VENV=today a Python 3.11+ with a shared
#        libpython (pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install 3.12) and an index pip can
#        reach; VENV=system apt-get install python3-fastapi python3-uvicorn
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

MODE="${MODE:-hello}"
PORT="${PORT:-18400}" UVICORN_PORT="${UVICORN_PORT:-18401}"
if [[ -z "${VENV:-}" ]]; then
  if [[ "$MODE" == hello && -z "${PYTHON:-}" ]]; then VENV=today; else VENV=system; fi
fi
WARMUP="${WARMUP:-10}" DURATION="${DURATION:-15}" ROUNDS="${ROUNDS:-3}" CONNECTIONS="${CONNECTIONS:-8 64}"
STREAMS="${STREAMS:-5000}" HOLD="${HOLD:-60}" RAMP_IN_FLIGHT="${RAMP_IN_FLIGHT:-200}"
PROBE_INTERVAL_MS="${PROBE_INTERVAL_MS:-50}" PROFILE_CONNECTIONS="${PROFILE_CONNECTIONS:-64}"
case "$MODE" in
  hello | sse | profile) ;;
  *) echo "MODE is hello, sse or profile, not $MODE" >&2; exit 2 ;;
esac
case "$VENV" in
  today) [[ -z "${PYTHON:-}" ]] \
           || { echo "PYTHON is VENV=system's; VENV=today makes its own venv (pick the Python it is made from with VENV_PYTHON)" >&2; exit 2; } ;;
  system) PYTHON="${PYTHON:-/usr/bin/python3}" ;;
  *) echo "VENV is today or system, not $VENV" >&2; exit 2 ;;
esac
work=target/bench-asgi
BASE="http://127.0.0.1:$PORT"

# today_venv: makes (or reuses) $work/venv, VENV=today's venv, and points PYTHON at its python. The
# venv is python3 -m venv from VENV_PYTHON, which must be a Python 3.11+ with a shared libpython for
# httpy to load; pip installs fastapi and uvicorn[standard] as the machine configures pip, not with
# the offline settings a build of the WAR may have exported. READY holds what it was made from (the
# base Python and the requirements); a venv whose READY matches and whose packages import is reused.
TODAY_REQUIREMENTS=(fastapi "uvicorn[standard]")
today_venv() {
  local dir="$work/venv" base="${VENV_PYTHON:-python3}" described base_exe base_version base_shared stamp
  command -v "$base" >/dev/null \
    || { echo "VENV=today makes its venv from $base, which is not on PATH: set VENV_PYTHON to a Python 3.11+ with a shared libpython (or run the Debian anchor with VENV=system)" >&2; exit 1; }
  described=$("$base" -c 'import os, sys, sysconfig
print(os.path.realpath(sys.executable), sys.version.split()[0], sysconfig.get_config_var("Py_ENABLE_SHARED") or 0)') \
    || { echo "VENV_PYTHON=$base does not run" >&2; exit 1; }
  read -r base_exe base_version base_shared <<<"$described"
  if ! "$base" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "VENV=today needs a Python 3.11+ to make its venv from; $base is $base_version: set VENV_PYTHON to one (or use VENV=system)" >&2
    exit 1
  fi
  if [[ "$base_shared" != 1 ]]; then
    echo "VENV=today needs a Python built with a shared libpython (Py_ENABLE_SHARED=1), which httpy loads through python.executable;" \
      "$base ($base_exe, $base_version) has Py_ENABLE_SHARED=$base_shared. Set VENV_PYTHON to one that has it, or build one:" \
      "PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install $base_version (or ./configure --enable-shared)" >&2
    exit 1
  fi
  stamp="$base_exe $base_version: ${TODAY_REQUIREMENTS[*]}"
  if [[ -f "$dir/READY" && "$(cat "$dir/READY")" == "$stamp" ]] && "$dir/bin/python" -c 'import fastapi, uvicorn' 2>/dev/null; then
    bench_log "reusing the venv $dir (Python $base_version; rm -rf it to take newer releases)"
  else
    bench_log "making the venv $dir from $base_exe (Python $base_version): pip install ${TODAY_REQUIREMENTS[*]}"
    rm -rf "$dir"
    "$base" -m venv "$dir" || { echo "$base -m venv $dir failed" >&2; exit 1; }
    # pip as the machine configures it: the build's own offline settings for the WAR's packages
    # (.ci/run's PIP_NO_INDEX, PIP_FIND_LINKS, PIP_CONFIG_FILE) are not this venv's.
    if ! env -u PIP_NO_INDEX -u PIP_FIND_LINKS -u PIP_CONFIG_FILE PIP_RETRIES="${PIP_RETRIES:-0}" \
        "$dir/bin/python" -m pip install --disable-pip-version-check -q "${TODAY_REQUIREMENTS[@]}" >"$work/venv-pip.log" 2>&1; then
      echo "pip could not install ${TODAY_REQUIREMENTS[*]} into $dir; the end of $work/venv-pip.log:" >&2
      tail -5 "$work/venv-pip.log" >&2
      exit 1
    fi
    echo "$stamp" >"$dir/READY"
  fi
  PYTHON="$PWD/$dir/bin/python"
}

bench_init
bench_need curl
[[ "$MODE" == sse ]] || bench_need wrk
if [[ "$MODE" == hello ]]; then
  bench_port_free "$UVICORN_PORT" UVICORN_PORT
fi
bench_port_free "$PORT" PORT
# A fresh work directory, but for VENV=today's venv.
mkdir -p "$work"
find "$work" -mindepth 1 -maxdepth 1 ! -name venv -exec rm -rf {} +
if [[ "$VENV" == today ]]; then
  today_venv
fi
"$PYTHON" -c 'import fastapi' 2>/dev/null \
  || { echo "bench/asgi.sh needs FastAPI for $PYTHON: apt-get install python3-fastapi" >&2; exit 1; }
if [[ "$MODE" == hello ]]; then
  "$PYTHON" -c 'import uvicorn' 2>/dev/null \
    || { echo "MODE=hello needs uvicorn for $PYTHON: apt-get install python3-uvicorn" >&2; exit 1; }
fi
if [[ "$MODE" == sse ]]; then
  # Each stream is an open file in Tomcat and one in the load program; both inherit this limit.
  bench_raise_open_files $((STREAMS + 2048)) STREAMS
fi

bench_build
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
machine="$(bench_machine_line "$work/tomcat" "$work/tomcat.log"); VENV=$VENV: $PYTHON, $versions; Tomcat maxThreads ${MAX_THREADS:-200 (default)}"

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

# median NUMBER...: the median, the mean of the middle two for an even count; n/a for none (n/a
# entries are left out).
median() {
  printf '%s\n' "$@" | awk '/^[0-9.]+$/' | sort -g \
    | awk '{v[NR] = $1} END {if (!NR) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# fmt FORMAT VALUE: VALUE with printf's FORMAT, n/a as it is.
fmt() { if [[ "$2" == n/a ]]; then echo n/a; else printf "$1" "$2"; fi; }

# uvicorn_choice: "LOOP HTTP DESCRIPTION" for $PYTHON's uvicorn: uvloop and httptools when they import
# (passed explicitly, so that a broken install fails rather than falls back), else auto, which
# without them is asyncio and h11; the description names each with its version.
uvicorn_choice() {
  "$PYTHON" - <<'PY'
import importlib.metadata as metadata
import uvicorn

def importable(name):
    try:
        __import__(name)
        return True
    except Exception:
        return False

def version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"

loop = "uvloop" if importable("uvloop") else "auto"
http = "httptools" if importable("httptools") else "auto"
used = [f"uvloop {version('uvloop')}" if loop == "uvloop" else "asyncio",
        f"httptools {version('httptools')}" if http == "httptools" else f"h11 {version('h11')}"]
missing = [f"no {name}" for name, arg in (("uvloop", loop), ("httptools", http)) if arg == "auto"]
print(loop, http, f"uvicorn {uvicorn.__version__} ({', '.join(used)}{'; ' + ', '.join(missing) if missing else ''})")
PY
}

hello() {
  local uvicorn_url="http://127.0.0.1:$UVICORN_PORT/hello" uvicorn_pid c round httpy uvicorn
  local loop http described loaded access log_flags=(--no-access-log --log-level warning)
  local -a summary=() ratios h_rps u_rps h_cpu u_cpu
  read -r loop http described < <(uvicorn_choice)
  [[ -n "$described" ]] || { echo "could not tell uvicorn's version, loop and parser for $PYTHON" >&2; exit 1; }
  access="no access log on either side"
  if [[ "${ACCESS_LOG:-0}" == 1 ]]; then
    log_flags=(--access-log --log-level info) access="an access log on both sides"
  fi
  "$PYTHON" -m uvicorn fastapi_app:app --app-dir python --host 127.0.0.1 --port "$UVICORN_PORT" \
    --workers 1 --loop "$loop" --http "$http" "${log_flags[@]}" >"$work/uvicorn.log" 2>&1 &
  uvicorn_pid=$!
  bench_stop_at_exit "$uvicorn_pid" uvicorn
  bench_await "$uvicorn_url" "$uvicorn_pid" uvicorn "$work/uvicorn.log"
  [[ "$(curl --noproxy '*' -s "$uvicorn_url")" == "hello from fastapi" ]] || { echo "no FastAPI hello at $uvicorn_url" >&2; exit 1; }
  # What the running uvicorn has loaded: uvloop's and httptools' compiled modules show in its memory map.
  loaded=$(grep -oE '/(uvloop|httptools)/[^ ]*\.so' "/proc/$uvicorn_pid/maps" | sed -E 's#^/([a-z]+)/.*#\1#' | sort -u | paste -sd' ' - || true)
  if [[ "$loop" == uvloop && " $loaded " != *" uvloop "* ]] || [[ "$http" == httptools && " $loaded " != *" httptools "* ]]; then
    echo "uvicorn was started with --loop $loop --http $http but has not loaded them (loaded: ${loaded:-neither}); see $work/uvicorn.log" >&2
    exit 1
  fi

  echo "MODE=hello: $machine; $described, 1 worker, --loop $loop --http $http (in its process: ${loaded:-neither uvloop nor httptools}); $access."
  echo
  echo "Command: \`${VENV_PYTHON:+VENV_PYTHON=$VENV_PYTHON }VENV=$VENV$([[ "$VENV" == system ]] && echo " PYTHON=$PYTHON") WARMUP=$WARMUP DURATION=$DURATION ROUNDS=$ROUNDS CONNECTIONS=\"$CONNECTIONS\"$([[ "${ACCESS_LOG:-0}" == 1 ]] && echo " ACCESS_LOG=1") bash bench/asgi.sh\`"
  echo
  echo "| c | round | httpy req/s | httpy p50 | httpy p99 | httpy errors | httpy CPU/req | uvicorn req/s | uvicorn p50 | uvicorn p99 | uvicorn errors | uvicorn CPU/req | httpy/uvicorn |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for c in $CONNECTIONS; do
    ratios=() h_rps=() u_rps=() h_cpu=() u_cpu=()
    for round in $(seq "$ROUNDS"); do
      measure "httpy-c$c-r$round" "$c" "$httpy_url" "$TOMCAT_PID"; httpy=$(cells); h_rps+=("${R[rps]}") h_cpu+=("${R[cpu_us]}")
      measure "uvicorn-c$c-r$round" "$c" "$uvicorn_url" "$uvicorn_pid"; uvicorn=$(cells); u_rps+=("${R[rps]}") u_cpu+=("${R[cpu_us]}")
      ratios+=("$(bench_ratio "${h_rps[-1]}" "${u_rps[-1]}")")
      echo "| $c | $round | $httpy | $uvicorn | ${ratios[-1]} |"
    done
    summary+=("| $c | $ROUNDS | **$(fmt %.2f "$(median "${ratios[@]}")")** ($(printf '%s\n' "${ratios[@]}" | paste -sd, - | sed 's/,/, /g')) | $(fmt %.2f "$(median "${h_rps[@]}")") | $(fmt %.2f "$(median "${u_rps[@]}")") | $(fmt %.0f "$(median "${h_cpu[@]}")") us | $(fmt %.0f "$(median "${u_cpu[@]}")") us |")
  done
  echo
  echo "Medians over the rounds, per connection count:"
  echo
  echo "| c | rounds | httpy/uvicorn req/s (each round's) | httpy req/s | uvicorn req/s | httpy CPU/req | uvicorn CPU/req |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${summary[@]}"
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
  echo "Command: \`MODE=sse $([[ "$VENV" == today ]] && echo "VENV=today ")${MAX_THREADS:+MAX_THREADS=$MAX_THREADS }${JAVA_OPTS_EXTRA:+JAVA_OPTS_EXTRA=\"$JAVA_OPTS_EXTRA\" }STREAMS=$STREAMS HOLD=$HOLD RAMP_IN_FLIGHT=$RAMP_IN_FLIGHT PROBE_INTERVAL_MS=$PROBE_INTERVAL_MS bash bench/asgi.sh\`"
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
