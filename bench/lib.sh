# The steps the bench/ scripts share; sourced from the repository root after `set -euo pipefail`, not run.
# A benchmark's Tomcat is the official tar.gz (tomcat-docker/tomcat-lib.sh, shared with
# tomcat-docker/run-tomcat.sh) laid out in a directory of its own, listening on 127.0.0.1 only, with no
# shutdown port and no access log unless ACCESS_LOG=1; it runs in the background and is stopped when the
# script exits, however it exits. A script goes:
#
#   source bench/lib.sh
#   bench_init                                  JDK 25; traps that stop what the script starts
#   bench_need wrk curl                         tools it needs, with the Debian package to install
#   bench_port_free "$PORT"
#   bench_raise_open_files N KNOB               room for N connections, or a message naming KNOB
#   bench_build                                 the WAR, unless SKIP_BUILD=1 or WAR=<file> is given
#   bench_tomcat_layout DIR PORT                then bench_deploy DIR (ROOT.war) or bench_deploy_unpacked DIR
#   bench_deploy_bench_app DIR                  after bench_deploy_unpacked: the filter on bench/bench_app.py
#   bench_tomcat_start DIR LOG URL [CATALINA_OPTS]   returns once URL answers 200; sets TOMCAT_PID
#   bench_stop_at_exit PID NAME                 another process it starts (gunicorn, a load program), stopped too
#   bench_wrk FILE URL CONNECTIONS SECONDS [THREADS] one wrk run; its figures in R[...]
#   bench_machine_line DIR LOG                  cores, CPU, RAM, JDK, CPython, Tomcat, load: a report's first line
#
# Fatal errors print why and exit 1 (the EXIT trap then stops Tomcat), also where a caller tests the result.

# TOMCAT_VERSION, httpy_use_java25, httpy_install_tomcat, httpy_no_access_log.
source tomcat-docker/tomcat-lib.sh

BENCH_SCRIPT="$0"
BENCH_LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
TOMCAT_PID=""
BENCH_OTHER_PIDS=()    # "PID NAME" of other processes to stop at exit (bench_stop_at_exit)

bench_log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# bench_init: JAVA_HOME set to a JDK 25; at exit (normal, error, Ctrl-C or SIGTERM) Tomcat and the
# processes given to bench_stop_at_exit are stopped.
bench_init() {
  httpy_use_java25 || exit 1
  trap bench_stop_all EXIT
  trap 'echo "interrupted" >&2; exit 130' INT
  trap 'echo "terminated" >&2; exit 143' TERM
}

# bench_need TOOL...: exits naming the first one missing and its Debian package (named as the tool).
bench_need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$BENCH_SCRIPT needs $tool (Debian: apt-get install $tool)" >&2; exit 1; }
  done
}

# bench_port_free PORT [SETTING]: exits if something already listens on 127.0.0.1:PORT.
bench_port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "port $1 is taken; pick a free one with ${2:-PORT}=..." >&2
    exit 1
  fi
}

# bench_raise_open_files N KNOB: lets this shell (and so Tomcat and the load it starts) hold N open
# files; fails naming the hard limit and the setting to lower (KNOB) when N is over it.
bench_raise_open_files() {
  local files="$1" knob="$2"
  if [[ $(ulimit -n) != unlimited ]] && (($(ulimit -n) < files)); then
    ulimit -n "$files" 2>/dev/null \
      || { echo "$(basename "$0") needs $files open files, over the hard limit $(ulimit -Hn); lower $knob or raise it" >&2; exit 1; }
  fi
}

# The WAR the bench deploys: WAR=<file> (another build, say of an older commit, to compare) or target/httpy.war.
BENCH_WAR="${WAR:-target/httpy.war}"

# bench_build: target/httpy.war, built unless SKIP_BUILD=1 or WAR is given (then it must be there).
bench_build() {
  if [[ "${SKIP_BUILD:-0}" != 1 && -z "${WAR:-}" ]]; then
    bench_log "building the WAR"
    mvn -B -q -DskipTests package
  fi
  [[ -f "$BENCH_WAR" ]] || { echo "$BENCH_WAR is missing: build it, or drop SKIP_BUILD or WAR" >&2; exit 1; }
}

# bench_tomcat_layout DIR PORT: a fresh Tomcat in DIR, HTTP on 127.0.0.1:PORT only, no shutdown port,
# an empty webapps/, and no access log (a line per request is disk I/O the measurement does not want;
# gunicorn keeps none by default) unless ACCESS_LOG=1.
bench_tomcat_layout() {
  local dir="$1" port="$2"
  bench_log "laying out Tomcat $TOMCAT_VERSION in $dir on 127.0.0.1:$port"
  httpy_install_tomcat "$dir" "$port"
  sed -i -e "s/<Connector port=\"$port\"/<Connector address=\"127.0.0.1\" port=\"$port\"/" "$dir/conf/server.xml"
  grep -q "address=\"127.0.0.1\" port=\"$port\"" "$dir/conf/server.xml" \
    || { echo "could not bind the connector to 127.0.0.1 in $dir/conf/server.xml" >&2; exit 1; }
  if [[ "${ACCESS_LOG:-0}" != 1 ]]; then
    httpy_no_access_log "$dir"
  fi
}

# bench_deploy DIR: the WAR (target/httpy.war, or WAR) as the root web app of the Tomcat in DIR.
bench_deploy() {
  cp "$BENCH_WAR" "$1/webapps/ROOT.war"
}

# bench_deploy_unpacked DIR: the WAR (target/httpy.war, or WAR) unpacked into DIR/webapps/ROOT (as Tomcat would unpack
# ROOT.war), for a script that changes its web.xml or adds files.
bench_deploy_unpacked() {
  local war
  war=$(realpath "$BENCH_WAR")
  mkdir -p "$1/webapps/ROOT"
  (cd "$1/webapps/ROOT" && "$JAVA_HOME/bin/jar" xf "$war")
}

# bench_deploy_bench_app DIR: bench/bench_app.py beside the example app in the web app that
# bench_deploy_unpacked laid out in DIR, with the `python` filter pointed at it. It serves the
# example's routes unchanged and adds GET /debug/pyobjects (Python's object count) and GET
# /bench/sleep?seconds=S (a handler that waits); it is never in the shipped WAR.
bench_deploy_bench_app() {
  local web_xml="$1/webapps/ROOT/WEB-INF/web.xml"
  cp bench/bench_app.py "$1/webapps/ROOT/WEB-INF/python/"
  sed -i -e 's/<param-value>app:go_request</<param-value>bench_app:go_request</' \
         -e 's/<param-value>app:go_init</<param-value>bench_app:go_init</' "$web_xml"
  [[ $(grep -c 'bench_app:go_' "$web_xml") == 2 ]] \
    || { echo "could not point the filter at bench_app in $web_xml" >&2; exit 1; }
}

# bench_status URL: the HTTP status URL answers with, 000 if none within 5 s. Never through a proxy:
# the URLs are Tomcat's on 127.0.0.1, and an http_proxy in the environment would otherwise catch them.
bench_status() { curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true; }

# bench_await URL PID NAME LOG [SECONDS]: returns once URL answers 200; exits with the end of LOG if
# the process PID ends first or SECONDS (120) pass.
bench_await() {
  local url="$1" pid="$2" name="$3" log="$4" deadline=$((SECONDS + ${5:-120}))
  until [[ $(bench_status "$url") == 200 ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited while starting; the end of $log:" >&2
      tail -30 "$log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "$url did not answer 200 within ${5:-120} s; the end of $log:" >&2
      tail -30 "$log" >&2
      exit 1
    fi
    sleep 0.5
  done
}

# bench_tomcat_start DIR LOG URL [CATALINA_OPTS]: starts the Tomcat in DIR in the background (catalina.sh
# run, output to LOG) and returns once URL answers 200. CATALINA_OPTS defaults to
# --enable-native-access=ALL-UNNAMED. Sets TOMCAT_PID: catalina.sh run execs java, so it is the JVM.
bench_tomcat_start() {
  local dir="$1" log="$2" url="$3" opts="${4:---enable-native-access=ALL-UNNAMED}"
  bench_log "starting Tomcat (CATALINA_OPTS=$opts); log: $log"
  CATALINA_OPTS="$opts" CATALINA_PID="" CATALINA_HOME="" CATALINA_BASE="" "$dir/bin/catalina.sh" run >"$log" 2>&1 &
  TOMCAT_PID=$!
  bench_await "$url" "$TOMCAT_PID" Tomcat "$log"
  bench_log "Tomcat $TOMCAT_PID answers on $url"
}

# bench_stop PID NAME: SIGTERM, SIGKILL if it is still there 30 s later; waits for it. Never fails.
bench_stop() {
  local pid="$1" name="$2" i
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name ($pid) ignored SIGTERM for 30 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  echo "$name stopped" >&2
}

bench_tomcat_stop() {
  bench_stop "$TOMCAT_PID" Tomcat
  TOMCAT_PID=""
}

# bench_stop_at_exit PID NAME: the EXIT trap stops it too (before Tomcat).
bench_stop_at_exit() { BENCH_OTHER_PIDS+=("$1 $2"); }

# The EXIT trap; safe to call more than once. A second Ctrl-C or SIGTERM must not cut the stopping
# short and leave Tomcat running, so both are ignored from here on.
bench_stop_all() {
  local entry
  trap '' INT TERM
  for entry in ${BENCH_OTHER_PIDS[@]+"${BENCH_OTHER_PIDS[@]}"}; do
    bench_stop "${entry%% *}" "${entry#* }"
  done
  BENCH_OTHER_PIDS=()
  bench_tomcat_stop
}

# bench_wrk FILE URL CONNECTIONS SECONDS [THREADS]: one wrk run (-t THREADS, default the core count, at
# most CONNECTIONS), its report in FILE. Sets R[key] from the HTTPY_RESULT line bench/wrk-report.lua
# adds: requests, duration_us, rps (two decimals, as wrk prints it), p50_us, p90_us, p99_us, max_us,
# the socket errors connect, read, write, timeout, and status (responses of 400 or more: wrk's "Non-2xx
# or 3xx"); plus R[socket_errors], the four socket error counts summed.
declare -gA R
bench_wrk() {
  local file="$1" url="$2" connections="$3" seconds="$4" threads="${5:-$(nproc)}" line kv
  if ((threads > connections)); then
    threads="$connections"
  fi
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s bench/wrk-report.lua "$url" >"$file" 2>&1 \
    || { echo "wrk failed; $file:" >&2; cat "$file" >&2; exit 1; }
  line=$(grep '^HTTPY_RESULT ' "$file") || { echo "no HTTPY_RESULT line in $file" >&2; cat "$file" >&2; exit 1; }
  R=()
  for kv in ${line#HTTPY_RESULT }; do
    R[${kv%%=*}]="${kv#*=}"
  done
  R[socket_errors]=$((R[connect] + R[read] + R[write] + R[timeout]))
}

# bench_ratio A B: A / B with two decimals, n/a when B is 0.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "n/a"; else printf "%.2f", a / b}'; }

# bench_wrk_time MICROSECONDS: a latency as wrk prints it (850us and up in ms, 1 s and up in s): 0.93ms.
bench_wrk_time() {
  awk -v us="$1" 'BEGIN {
    if (us >= 1e6) { v = us / 1e6; u = "s"; if (v >= 51) { v /= 60; u = "m" } }
    else if (us >= 850) { v = us / 1000; u = "ms" }
    else { v = us; u = "us" }
    printf "%.2f%s", v, u }'
}

# bench_machine_line DIR LOG: cores, CPU and RAM; the JDK, the CPython that the Tomcat in DIR started
# (from its console LOG), Tomcat's version; the load average at the start and now; httpy's workers
# (warm to ceiling, as the filter logs them at start) and queue. No final full stop.
bench_machine_line() {
  local dir="$1" log="$2"
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM;" \
    "$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 2p); $(grep -o 'CPython [0-9.]* initialised' "$log" | head -1 | sed 's/ initialised//'); Tomcat $TOMCAT_VERSION;" \
    "load average $BENCH_LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) now;" \
    "httpy: $(grep -ho 'with [0-9]*\( to [0-9]*\)\? Python workers\(, each with its own GIL\)\?, queue [0-9]*' "$dir"/logs/localhost.*.log 2>/dev/null | tail -1 | sed 's/^with //')"
}
