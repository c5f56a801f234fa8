#!/usr/bin/env bash
# What python.reload costs: the example WAR (its three filters: the request function, Flask, FastAPI)
# in a Tomcat with python.reload=true, and RELOADS edits of WEB-INF/python/app.py, one after the other.
# After each edit it waits for httpy's "the Python app was replaced ..., in N ms" line, checks that
# /python answers 200 from the edited code, and every STEP reloads it reads Tomcat's RSS and thread count
# once the old interpreter has ended. Prints the reload times (min, median, max) and the RSS at each step,
# so the memory each reload keeps is the slope. Tomcat listens on 127.0.0.1 only and is stopped at the
# end, also on an error or Ctrl-C; logs go to target/bench-reload/.
# Then python.max-requests under load: the same app with python.max-requests=MAX_REQUESTS and a jitter of
# a tenth of it, wrk at CONNECTIONS connections for DURATION seconds on /python and then on /java; prints
# how many replacements happened, the non-2xx answers and socket errors (both must be 0) and /python's
# req/s against /java's.
# Usage: bash bench/reload.sh   (RELOADS=60, STEP=10, MAX_REQUESTS=5000, CONNECTIONS=64, DURATION=15,
#        PORT=18099; SKIP_BUILD=1 uses target/httpy.war)
# Needs: apt-get install curl wrk
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

PORT="${PORT:-18099}" RELOADS="${RELOADS:-60}" STEP="${STEP:-10}"
MAX_REQUESTS="${MAX_REQUESTS:-5000}" CONNECTIONS="${CONNECTIONS:-64}" DURATION="${DURATION:-15}"
bench_init
bench_need curl wrk
bench_port_free "$PORT" PORT
bench_build
work=target/bench-reload; rm -rf "$work"; mkdir -p "$work"
dir="$work/tomcat" log="$work/tomcat.log"
bench_tomcat_layout "$dir" "$PORT"
bench_deploy_unpacked "$dir"
web_xml="$dir/webapps/ROOT/WEB-INF/web.xml" app="$dir/webapps/ROOT/WEB-INF/python/app.py"
sed -i 's|<listener>|<context-param><param-name>python.reload</param-name><param-value>true</param-value></context-param>\n  <listener>|' "$web_xml"
grep -q 'python.reload' "$web_xml" || { echo "could not add python.reload to $web_xml" >&2; exit 1; }
bench_tomcat_start "$dir" "$log" "http://127.0.0.1:$PORT/python"

replaced() { grep -c 'the Python app was replaced' "$log" || true; }
ended() { grep -c 'its sub-interpreter ended' "$log" || true; }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$TOMCAT_PID/status"; }
threads() { ls "/proc/$TOMCAT_PID/task" | wc -l; }

# The first ended interpreter in the log is AUTO's probe at start-up (python.interpreter=auto), if any.
ended_at_start=$(ended)
rows=("| reloads | RSS MiB | JVM threads |" "| ---: | ---: | ---: |" "| 0 | $(rss_mib) | $(threads) |")
cp "$app" "$work/app.py.orig"
for ((i = 1; i <= RELOADS; i++)); do
  { cat "$work/app.py.orig"; echo "RELOAD_MARK = $i"; } >"$app"
  deadline=$((SECONDS + 60))
  until (($(replaced) >= i)); do
    ((SECONDS < deadline)) || { echo "reload $i did not happen within 60 s; the end of $log:" >&2; tail -30 "$log" >&2; exit 1; }
    sleep 0.05
  done
  [[ $(bench_status "http://127.0.0.1:$PORT/python") == 200 ]] || { echo "/python failed after reload $i" >&2; exit 1; }
  if ((i % STEP == 0)); then
    until (($(ended) >= ended_at_start + i)); do
      ((SECONDS < deadline)) || { echo "the interpreter before reload $i did not end within 60 s" >&2; tail -30 "$log" >&2; exit 1; }
      sleep 0.1
    done
    rows+=("| $i | $(rss_mib) | $(threads) |")
    bench_log "$i reloads: RSS $(rss_mib) MiB"
  fi
done
grep -q 'ERROR\|SEVERE' "$log" && { echo "errors in $log:" >&2; grep 'ERROR\|SEVERE' "$log" | head >&2; exit 1; }

times=$(grep -o 'the Python app was replaced .*, in [0-9]* ms' "$log" | grep -o '[0-9]* ms$' | cut -d' ' -f1 | sort -n)
n=$(echo "$times" | wc -l)
echo
echo "## python.reload: $RELOADS reloads of the example app (3 filters: request function, Flask, FastAPI)"
echo
echo "$(bench_machine_line "$dir" "$log")"
echo
echo "reload time, from the change seen to the new interpreter serving: min $(echo "$times" | head -1) ms," \
     "median $(echo "$times" | sed -n "$(((n + 1) / 2))p") ms, max $(echo "$times" | tail -1) ms over $n reloads"
echo
printf '%s\n' "${rows[@]}"

bench_tomcat_stop

# python.max-requests under load.
dir="$work/tomcat-recycle" log="$work/tomcat-recycle.log"
bench_tomcat_layout "$dir" "$PORT"
bench_deploy_unpacked "$dir"
web_xml="$dir/webapps/ROOT/WEB-INF/web.xml"
sed -i "s|<listener>|<context-param><param-name>python.max-requests</param-name><param-value>$MAX_REQUESTS</param-value></context-param><context-param><param-name>python.max-requests-jitter</param-name><param-value>$((MAX_REQUESTS / 10))</param-value></context-param>\n  <listener>|" "$web_xml"
grep -q 'python.max-requests' "$web_xml" || { echo "could not add python.max-requests to $web_xml" >&2; exit 1; }
bench_tomcat_start "$dir" "$log" "http://127.0.0.1:$PORT/python"
bench_raise_open_files $((CONNECTIONS + 256)) CONNECTIONS
bench_wrk "$work/wrk-warmup.txt" "http://127.0.0.1:$PORT/python" "$CONNECTIONS" 5
bench_wrk "$work/wrk-python.txt" "http://127.0.0.1:$PORT/python" "$CONNECTIONS" "$DURATION"
declare -A P; for k in "${!R[@]}"; do P[$k]="${R[$k]}"; done
bench_wrk "$work/wrk-java.txt" "http://127.0.0.1:$PORT/java" "$CONNECTIONS" "$DURATION"
echo
echo "## python.max-requests=$MAX_REQUESTS (jitter $((MAX_REQUESTS / 10))) under wrk -c$CONNECTIONS for ${DURATION} s"
echo
echo "$(bench_machine_line "$dir" "$log")"
echo
echo "/python: ${P[requests]} requests, ${P[rps]} req/s, p99 $(bench_wrk_time "${P[p99_us]}"), non-2xx ${P[status]}," \
     "socket errors ${P[socket_errors]}; /java: ${R[rps]} req/s; ratio $(bench_ratio "${P[rps]}" "${R[rps]}");" \
     "$(replaced) replacements in the whole run (warm-up included), $(grep -o 'replaced after [0-9]* requests (python.max-requests), in [0-9]* ms' "$log" | grep -o '[0-9]* ms' | tr '\n' ' ')"
((P[status] == 0 && P[socket_errors] == 0)) || { echo "requests failed while the interpreter was replaced" >&2; exit 1; }
}
