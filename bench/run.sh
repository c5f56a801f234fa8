#!/usr/bin/env bash
# The issue-4 benchmark harness, from the repository root:
#
#   bash bench/run.sh            throughput: /python (Python hello) against /java (plain servlet)
#   bash bench/run.sh memory     1,000,000 requests to /python: Tomcat RSS and Python object growth
#   bash bench/run.sh profile    where /python spends its time: JFR (and perf, if installed)
#
# It builds the WAR, lays out the same Tomcat as tomcat-docker/run-tomcat.sh in target/bench-tomcat,
# listening on 127.0.0.1 only, starts it, waits for /python to answer 200, warms both routes up,
# loads them with wrk and prints Markdown tables. Tomcat is always stopped at the end, also on an
# error or Ctrl-C. Logs and wrk's raw output go to target/bench/.
#
# Settings (environment):
#   PORT=18081          Tomcat's HTTP port; it must be free
#   DURATION=15         seconds of each wrk run           CONNECTIONS="64 400"  wrk -c values
#   ROUNDS=3            rounds of python/java pairs (medians and per-round ratios are reported)
#   WARMUP=10           seconds of warm-up per route     THREADS=$(nproc)      wrk -t
#   REQUESTS=1000000    requests to /python in memory mode (at -c${MEMORY_CONNECTIONS:-64}), after
#   MEMORY_WARMUP=20    seconds of warm-up, sampled in MEMORY_STEPS=4 steps
#   PROFILE_CONNECTIONS=400  wrk -c in profile mode
#   JAVA_OPTS_EXTRA=    more JVM options for Tomcat (memory mode adds MEMORY_HEAP, below)
#   MEMORY_HEAP="-Xms512m -Xmx512m -XX:+AlwaysPreTouch"   memory mode's heap, committed up front so
#                       that RSS growth shows native memory, not the Java heap growing into its limit
#   PYTHON_WORKERS=     the filter's python.workers (default: the WAR's web.xml, so httpy's default 4)
#   PYTHON_MAX_WORKERS= the filter's python.max-workers (default 200)
#   JAVA_ASYNC=1        also load /java-async, a control servlet that hands each request to one of four
#                       threads like httpy does, without Python (bench/java/dev/httpy/bench/)
#   SYNC_FILTER=1       deploy the filter without <async-supported>: container threads wait for Python
#   SKIP_BUILD=1        use the target/httpy.war already built
#   WAR=<file>          deploy that WAR instead of building target/httpy.war (say, an older commit's
#                       build, to compare two builds in one session)
#   ACCESS_LOG=1        keep Tomcat's access log (removed by default: disk I/O, 1M lines in memory mode)
#   FAIL_ON_NON2XX=1    exit 1 when any measured response was not 2xx (the CI smoke run sets it)
# Quick smoke run: DURATION=2 WARMUP=1 ROUNDS=1 CONNECTIONS=64 bash bench/run.sh
# The whole script is one { ... exit; } block: bash parses it all before running any of it, so editing
# this file during a run cannot derail the run.
{
set -euo pipefail
cd "$(dirname "$0")/.."
# Tomcat's layout, start and stop, wrk runs and the machine line: shared with the other bench/ scripts.
source bench/lib.sh

MODE="${1:-throughput}"
case "$MODE" in
  throughput | memory | profile) ;;
  *) echo "usage: bash bench/run.sh [throughput|memory|profile]" >&2; exit 2 ;;
esac
PORT="${PORT:-18081}"
DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-10}"
CONNECTIONS="${CONNECTIONS:-64 400}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-$(nproc)}"
REQUESTS="${REQUESTS:-1000000}"
MEMORY_CONNECTIONS="${MEMORY_CONNECTIONS:-64}"
MEMORY_WARMUP="${MEMORY_WARMUP:-20}"
MEMORY_STEPS="${MEMORY_STEPS:-4}"
PROFILE_CONNECTIONS="${PROFILE_CONNECTIONS:-400}"
MEMORY_HEAP="${MEMORY_HEAP:--Xms512m -Xmx512m -XX:+AlwaysPreTouch}"
TOMCAT=target/bench-tomcat
OUT=target/bench
BASE="http://127.0.0.1:$PORT"

bench_init
bench_need wrk curl
bench_port_free "$PORT"

# ---- build and deploy ----

mkdir -p "$OUT"
rm -f "$OUT"/wrk-*.txt   # this run's wrk reports only
bench_build
bench_tomcat_layout "$TOMCAT" "$PORT"

if [[ "$MODE" == memory || -n "${PYTHON_WORKERS:-}" || -n "${PYTHON_MAX_WORKERS:-}" || "${JAVA_ASYNC:-0}" == 1 || "${SYNC_FILTER:-0}" == 1 ]]; then
  # Deployed unpacked so that the bench can add to it.
  bench_deploy_unpacked "$TOMCAT"
else
  bench_deploy "$TOMCAT"
fi
WEB_XML="$TOMCAT/webapps/ROOT/WEB-INF/web.xml"
if [[ "$MODE" == memory ]]; then
  # /debug/pyobjects reports Python's object count.
  bench_deploy_bench_app "$TOMCAT"
fi
if [[ -n "${PYTHON_WORKERS:-}" ]]; then
  # The filter's python.workers init-param, for trying other worker counts.
  sed -i -e "s|<filter-class>dev.httpy.servlet.PythonDispatchFilter</filter-class>|&<init-param><param-name>python.workers</param-name><param-value>$PYTHON_WORKERS</param-value></init-param>|" "$WEB_XML"
  grep -q "<param-value>$PYTHON_WORKERS</param-value>" "$WEB_XML" \
    || { echo "could not set python.workers in WEB-INF/web.xml" >&2; exit 1; }
fi
if [[ -n "${PYTHON_MAX_WORKERS:-}" ]]; then
  sed -i -e "s|<filter-class>dev.httpy.servlet.PythonDispatchFilter</filter-class>|&<init-param><param-name>python.max-workers</param-name><param-value>$PYTHON_MAX_WORKERS</param-value></init-param>|" "$WEB_XML"
  grep -q "<param-name>python.max-workers</param-name>" "$WEB_XML" \
    || { echo "could not set python.max-workers in WEB-INF/web.xml" >&2; exit 1; }
fi
if [[ "${SYNC_FILTER:-0}" == 1 ]]; then
  # Without async support the filter holds the container thread until the worker has answered.
  sed -i -e '/<filter>/,/<\/filter>/ s|<async-supported>true</async-supported>|<async-supported>false</async-supported>|' "$WEB_XML"
  grep -q '<async-supported>false</async-supported>' "$WEB_XML" \
    || { echo "could not turn off the filter's async support in WEB-INF/web.xml" >&2; exit 1; }
fi
ROUTES="java python"
if [[ "${JAVA_ASYNC:-0}" == 1 ]]; then
  # The control route /java-async (bench/java/dev/httpy/bench/AsyncHelloServlet.java).
  mkdir -p "$TOMCAT/webapps/ROOT/WEB-INF/classes"
  "$JAVA_HOME/bin/javac" --release 25 -cp "$TOMCAT/lib/servlet-api.jar" -d "$TOMCAT/webapps/ROOT/WEB-INF/classes" \
    bench/java/dev/httpy/bench/AsyncHelloServlet.java
  sed -i -e 's|</web-app>|<servlet><servlet-name>bench-java-async</servlet-name><servlet-class>dev.httpy.bench.AsyncHelloServlet</servlet-class><async-supported>true</async-supported></servlet><servlet-mapping><servlet-name>bench-java-async</servlet-name><url-pattern>/java-async</url-pattern></servlet-mapping>\n</web-app>|' "$WEB_XML"
  ROUTES="java java-async python"
fi

# ---- start ----

JVM_OPTS="--enable-native-access=ALL-UNNAMED ${JAVA_OPTS_EXTRA:-}"
if [[ "$MODE" == memory ]]; then
  # NMT splits the RSS growth into the JVM's own native memory and the rest (libpython's malloc).
  JVM_OPTS="$JVM_OPTS $MEMORY_HEAP -XX:NativeMemoryTracking=summary"
fi
if [[ "$MODE" == profile ]]; then
  # Lets perf name JIT-compiled Java frames (jcmd Compiler.perfmap writes /tmp/perf-PID.map).
  JVM_OPTS="$JVM_OPTS -XX:+UnlockDiagnosticVMOptions -XX:+PreserveFramePointer"
fi
bench_tomcat_start "$TOMCAT" "$OUT/tomcat.log" "$BASE/python" "$JVM_OPTS"
for route in $ROUTES; do
  [[ $(bench_status "$BASE/$route") == 200 ]] || { echo "/$route does not answer 200" >&2; exit 1; }
done

# ---- measuring ----

# Tomcat's CPU time so far (user + system, all threads) in clock ticks; per request it is a steadier
# figure than req/s on a machine that other work shares.
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$TOMCAT_PID/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$TOMCAT_PID/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
delta_mib() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f MiB", (a - b) / 1024}'; }
# field NAME "objects=N blocks=M": N or M
field() { sed "s/.*$1=\([0-9]*\).*/\1/" <<<"$2"; }

# run_wrk NAME PATH CONNECTIONS SECONDS: bench_wrk with wrk's report in $OUT/wrk-NAME.txt, plus
# R[cpu_us], Tomcat's CPU time per request during the run.
run_wrk() {
  local name="$1" path="$2" connections="$3" seconds="$4"
  local ticks_before ticks_after
  ticks_before=$(cpu_ticks)
  bench_wrk "$OUT/wrk-$name.txt" "$BASE$path" "$connections" "$seconds" "$THREADS"
  ticks_after=$(cpu_ticks)
  R[cpu_us]=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLK_TCK" -v n="${R[requests]}" 'BEGIN {printf "%.1f", n ? t * 1e6 / hz / n : 0}')
  kill -0 "$TOMCAT_PID" 2>/dev/null || { echo "Tomcat died during $name; see $OUT/tomcat.log" >&2; exit 1; }
}

ms() { awk -v u="$1" 'BEGIN {printf "%.2f ms", u / 1000}'; }

warm_up() {
  for path in "$@"; do
    bench_log "warming up $path for ${WARMUP}s"
    run_wrk "warmup${path//\//-}" "$path" 64 "$WARMUP"
  done
}

machine_line() { bench_machine_line "$TOMCAT" "$OUT/tomcat.log"; }

# median of the numbers given
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

throughput() {
  local route
  # shellcheck disable=SC2086
  warm_up $(for route in $ROUTES; do echo "/$route"; done)
  local rss_before rss_after round c order pair
  rss_before=$(rss_kb)
  # Per route and connection count: the values of every round, space-separated.
  declare -A rps p50 p99 cpu sock non2xx rps_ratio p99_ratio cpu_ratio
  # Ratios reported: numerator/denominator route pairs.
  local pairs="python/java"
  [[ "$ROUTES" == *java-async* ]] && pairs="python/java java-async/java python/java-async"
  for ((round = 1; round <= ROUNDS; round++)); do
    for c in $CONNECTIONS; do
      # The routes back to back so they see the same machine load; the order flips every round.
      order="$ROUTES"
      ((round % 2 == 0)) && order=$(tr ' ' '\n' <<<"$ROUTES" | tac | paste -sd' ')
      for route in $order; do
        bench_log "round $round/$ROUNDS: wrk -t$THREADS -c$c -d${DURATION}s /$route"
        run_wrk "$route-c$c-r$round" "/$route" "$c" "$DURATION"
        rps[$route,$c]+=" ${R[rps]}"; p50[$route,$c]+=" ${R[p50_us]}"; p99[$route,$c]+=" ${R[p99_us]}"
        cpu[$route,$c]+=" ${R[cpu_us]}"
        sock[$route,$c]=$((${sock[$route,$c]:-0} + R[socket_errors])); non2xx[$route,$c]=$((${non2xx[$route,$c]:-0} + R[status]))
      done
      for pair in $pairs; do
        local a=${pair%/*} b=${pair#*/}
        rps_ratio[$pair,$c]+=" $(bench_ratio "${rps[$a,$c]##* }" "${rps[$b,$c]##* }")"
        p99_ratio[$pair,$c]+=" $(bench_ratio "${p99[$a,$c]##* }" "${p99[$b,$c]##* }")"
        cpu_ratio[$pair,$c]+=" $(bench_ratio "${cpu[$a,$c]##* }" "${cpu[$b,$c]##* }")"
      done
    done
  done
  rss_after=$(rss_kb)

  echo
  echo "## httpy throughput: $(date)"
  echo
  echo "$(machine_line). wrk -t$THREADS, $ROUNDS round(s) of ${DURATION}s per route and connection count, after ${WARMUP}s" \
    "of warm-up per route; wrk and Tomcat share the machine. req/s, p50 and p99 are medians over the rounds" \
    "(each round's figures in $OUT/wrk-*-r*.txt); errors are summed. Tomcat CPU per request: the JVM's user+system" \
    "time (all threads, GC and JIT included) during the run over the requests served; it varies less with the machine's other load."
  echo
  echo "| route | connections | req/s | p50 | p99 | socket errors | non-2xx | Tomcat CPU per request |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for c in $CONNECTIONS; do
    for route in $(tr ' ' '\n' <<<"$ROUTES" | tac); do
      # shellcheck disable=SC2086 # word splitting of the per-round lists is intended
      printf '| /%s | %s | %.0f | %s | %s | %s | %s | %s us |\n' "$route" "$c" "$(median ${rps[$route,$c]})" \
        "$(ms "$(median ${p50[$route,$c]})")" "$(ms "$(median ${p99[$route,$c]})")" "${sock[$route,$c]}" "${non2xx[$route,$c]}" \
        "$(median ${cpu[$route,$c]})"
    done
  done
  echo
  echo "Ratios are taken within each round (the routes run back to back), then the median; the targets are python/java's:"
  echo
  echo "| ratio | connections | req/s (target >= 0.85) | per round | p99 (target <= 2.00) | per round | Tomcat CPU per request (target <= 1.3) | per round |"
  echo "| --- | ---: | ---: | --- | ---: | --- | ---: | --- |"
  for pair in $pairs; do
    for c in $CONNECTIONS; do
      # shellcheck disable=SC2086
      printf '| %s | %s | %.2f | %s | %.2f | %s | %.2f | %s |\n' "$pair" "$c" "$(median ${rps_ratio[$pair,$c]})" "${rps_ratio[$pair,$c]# }" \
        "$(median ${p99_ratio[$pair,$c]})" "${p99_ratio[$pair,$c]# }" "$(median ${cpu_ratio[$pair,$c]})" "${cpu_ratio[$pair,$c]# }"
    done
  done
  echo
  echo "Tomcat RSS: $(mib "$rss_before") after warm-up, $(mib "$rss_after") after the measured runs ($(delta_mib "$rss_after" "$rss_before");" \
    "default heap settings, so this is mostly the Java heap growing; bench/run.sh memory measures leaks)."
  if [[ -n "${FAIL_ON_NON2XX:-}" ]]; then
    for key in "${!non2xx[@]}"; do
      ((non2xx[$key] == 0)) || { echo "non-2xx answers from /${key%,*} at c=${key#*,}: ${non2xx[$key]}" >&2; exit 1; }
    done
  fi
}

pyobjects() {
  local answer
  answer=$(curl --noproxy '*' -s --max-time 30 "$BASE/debug/pyobjects") || { echo "GET /debug/pyobjects failed" >&2; exit 1; }
  [[ "$answer" == objects=* ]] || { echo "GET /debug/pyobjects answered: $answer" >&2; exit 1; }
  echo "$answer"
}

memory() {
  # Warm-up: JIT, Tomcat's thread pool, Python's caches and free lists settle; its rate sizes the runs.
  local half=$(((MEMORY_WARMUP + 1) / 2))
  run_wrk warmup-memory-1 /python "$MEMORY_CONNECTIONS" "$half"
  run_wrk warmup-memory-2 /python "$MEMORY_CONNECTIONS" "$half"
  local rate=${R[rps]}
  pyobjects >/dev/null
  local before rss_before
  before=$(pyobjects)
  rss_before=$(rss_kb)
  "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" VM.native_memory baseline >/dev/null
  local done_requests=0 runs=0 bad=0 sockets=0 seconds goal k rows=""
  for ((k = 1; k <= MEMORY_STEPS; k++)); do
    goal=$((REQUESTS * k / MEMORY_STEPS))
    ((done_requests < goal)) || continue
    while ((done_requests < goal)); do
      # A little past the goal at the last rate; loops again if the rate dropped.
      seconds=$(awk -v n=$((goal - done_requests)) -v r="$rate" 'BEGIN {s = int(n / r) + 1; print (s < 600 ? s : 600)}')
      bench_log "memory: $done_requests of $REQUESTS requests done; wrk -c$MEMORY_CONNECTIONS for ${seconds}s"
      run_wrk "memory-$runs" /python "$MEMORY_CONNECTIONS" "$seconds"
      done_requests=$((done_requests + R[requests])); runs=$((runs + 1))
      bad=$((bad + R[status])); sockets=$((sockets + R[socket_errors]))
      rate=${R[rps]}
      ((runs < 50)) || { echo "memory: gave up after 50 wrk runs" >&2; exit 1; }
    done
    local now rss
    rss=$(rss_kb)
    now=$(pyobjects)
    rows+="| $done_requests | $(mib "$rss") | $(delta_mib "$rss" "$rss_before") | $(field objects "$now") | $(field blocks "$now") |"$'\n'
  done
  local rss_after=$rss after=$now
  "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" VM.native_memory summary.diff >"$OUT/nmt-diff.txt"
  # "Total: reserved=...KB +NKB, committed=...KB +NKB": the committed change (absent when zero).
  local nmt_kb
  nmt_kb=$(sed -n 's/^Total: .*committed=[0-9]*KB \([-+][0-9]*\)KB.*/\1/p' "$OUT/nmt-diff.txt")
  nmt_kb=${nmt_kb:-0}
  nmt_kb=${nmt_kb#+}

  local ob ab oa aa
  ob=$(field objects "$before"); ab=$(field blocks "$before")
  oa=$(field objects "$after"); aa=$(field blocks "$after")
  echo
  echo "## httpy memory: $(date)"
  echo
  echo "$(machine_line). Tomcat heap: $MEMORY_HEAP."
  echo
  echo "$done_requests requests to /python (wrk -t$THREADS -c$MEMORY_CONNECTIONS, $runs run(s), last at $(printf '%.0f' "$rate") req/s)" \
    "after ${MEMORY_WARMUP}s of warm-up; $sockets socket errors, $bad non-2xx."
  echo
  echo "| measure | before | after | growth | target |"
  echo "| --- | ---: | ---: | ---: | --- |"
  echo "| Tomcat RSS (VmRSS) | $(mib "$rss_before") | $(mib "$rss_after") | $(delta_mib "$rss_after" "$rss_before") | <= 10 MB |"
  echo "| Python objects tracked by gc (after gc.collect()) | $ob | $oa | $((oa - ob)) | no growth |"
  echo "| CPython allocated blocks (sys.getallocatedblocks()) | $ab | $aa | $((aa - ab)) | no growth |"
  echo
  echo "Of the RSS growth, the JVM's native memory tracking accounts for $(delta_mib $((nmt_kb)) 0) committed" \
    "(heap, metaspace, code cache, threads, GC...; $OUT/nmt-diff.txt); the remaining" \
    "$(delta_mib $((rss_after - rss_before - nmt_kb)) 0) is outside its view: libpython's allocations, and memory glibc keeps" \
    "mapped after the JVM frees it (so a negative NMT figure does not shrink RSS)."
  echo
  echo "Along the way:"
  echo
  echo "| requests done | Tomcat RSS | RSS growth | gc objects | allocated blocks |"
  echo "| ---: | ---: | ---: | ---: | ---: |"
  echo "| 0 | $(mib "$rss_before") | +0.0 MiB | $ob | $ab |"
  printf '%s' "$rows"
}

profile() {
  warm_up /python
  local jfr="$OUT/python.jfr" c="$PROFILE_CONNECTIONS"
  rm -f "$jfr" "$OUT/perf.data"
  bench_log "profiling /python: wrk -c$c for ${DURATION}s with JFR (and perf, if installed)"
  # JDK 25's CPU-time sampler (JEP 509) also samples threads while they are inside libpython.
  "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" JFR.start name=bench settings=profile \
    "jdk.CPUTimeSample#enabled=true" "jdk.CPUTimeSample#throttle=1ms" >"$OUT/jfr-start.txt" 2>&1
  local perf_pid=""
  if command -v perf >/dev/null; then
    perf record -F 499 -g -p "$TOMCAT_PID" -o "$OUT/perf.data" >"$OUT/perf-record.txt" 2>&1 &
    perf_pid=$!
    bench_stop_at_exit "$perf_pid" perf
  fi
  run_wrk "profile-python-c$c" /python "$c" "$DURATION"
  if [[ -n "$perf_pid" ]]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    # /tmp/perf-PID.map names the JIT-compiled Java methods for perf report.
    "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" Compiler.perfmap >/dev/null 2>&1 || true
  fi
  "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" JFR.stop name=bench filename="$(realpath "$OUT")/python.jfr" >/dev/null

  echo
  echo "## httpy profile of /python: $(date)"
  echo
  echo "$(machine_line)."
  echo
  printf 'wrk -t%s -c%s -d%ss /python: %.0f req/s, p99 %s, while recorded (JFR: %s, perf: %s).\n' "$THREADS" "$c" \
    "$DURATION" "${R[rps]}" "$(ms "${R[p99_us]}")" "$jfr" "${perf_pid:+$OUT/perf.data}"
  echo
  echo "### JFR CPU-time samples (Java threads only)"
  echo
  if command -v jq >/dev/null; then
    "$JAVA_HOME/bin/jfr" print --json --events jdk.CPUTimeSample --stack-depth 64 "$jfr" | jq -r -f bench/jfr-cpu.jq
  else
    "$JAVA_HOME/bin/jfr" view --width 160 cpu-time-hot-methods "$jfr" | head -40
  fi
  echo
  echo "### JFR allocation pressure by site"
  echo
  echo '```'
  "$JAVA_HOME/bin/jfr" view --width 140 allocation-by-site "$jfr" | sed -n '4,18p'
  echo '```'
  if [[ -s "$OUT/perf.data" ]]; then
    echo
    echo "### perf: all CPU of the Tomcat process by thread pool and library"
    echo
    echo "| thread | library | share |"
    echo "| --- | --- | ---: |"
    perf report -i "$OUT/perf.data" --no-children --sort comm,dso -g none --stdio -t ';' 2>/dev/null \
      | awk -F';' '!/^#/ && NF >= 3 {
          gsub(/ /, "", $1); comm = $2; dso = $3
          sub(/ +$/, "", comm); sub(/[-#]?[0-9]+$/, "", comm); sub(/ +$/, "", dso); sub(/ tid [0-9]+/, "", dso)
          if (comm ~ /^http-nio/) comm = "http-nio-* (Tomcat)"; else if (comm ~ /^:/) comm = "(threads gone before perf named them)"
          share[comm "|" dso] += $1 }
        END { for (k in share) if (share[k] >= 0.5) printf "%.1f|%s\n", share[k], k }' \
      | sort -t'|' -k1,1 -rn | head -20 | awk -F'|' '{printf "| %s | %s | %s%% |\n", $2, $3, $1}'
    echo
    echo "### perf: top symbols of the Python worker threads (share of all Tomcat CPU)"
    echo
    echo '```'
    perf report -i "$OUT/perf.data" --no-children --comm "$(perf report -i "$OUT/perf.data" --no-children --sort comm -g none --stdio 2>/dev/null \
        | awk '/httpy-python-[0-9]+/ {print $2}' | paste -sd, -)" --sort dso,sym -g none --stdio 2>/dev/null \
      | grep -v '^#' | grep -v '^$' | head -30
    echo '```'
  fi
}

# In this shell, not in a pipeline's subshell, so that Ctrl-C stops the run at once: the INT trap
# applies here, while a subshell would carry on after wrk (which exits cleanly on SIGINT).
"$MODE" >"$OUT/$MODE.md"
cat "$OUT/$MODE.md"
exit
}
