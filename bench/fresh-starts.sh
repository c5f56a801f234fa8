#!/usr/bin/env bash
# Streamed WSGI answers across many fresh Tomcat starts: the check that a crash "one start in five"
# needs (issue 25). From the repository root:
#
#   bash bench/fresh-starts.sh                         50 starts on the embedded CPython 3.14
#   PYTHON_EXECUTABLE=/usr/bin/python3.11 bash bench/fresh-starts.sh    on a system Python
#
# Each start is a fresh Tomcat process with the streaming tests' app (src/test/resources/streams/)
# beside the WAR's own: right after start-up it sends, 24 at a time, Flask views streamed with
# stream_with_context (50 chunks), raw WSGI streams whose chunks read a ContextVar the first chunk
# set, and streams that raise at chunk 1, 2 and 40; then it checks every body, that the Tomcat
# process still runs, and that no hs_err file appeared, and stops Tomcat. It prints one line per
# start and a summary, and exits 1 if any start crashed or cut a stream that should have been whole.
#
# Settings (environment): STARTS=50, PORT=18091, PYTHON_EXECUTABLE= (empty: the embedded Python),
# MALLOC= (debug: Python's debug allocator), SKIP_BUILD=1 (use target/httpy.war as built).
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

STARTS="${STARTS:-50}"
PORT="${PORT:-18091}"
TOMCAT=target/fresh-starts-tomcat
OUT=target/fresh-starts
BASE="http://127.0.0.1:$PORT/streams"
AT_ONCE=24

bench_init
bench_need curl
bench_port_free "$PORT"
bench_build
mkdir -p "$OUT"
rm -f "$OUT"/*.txt

bench_tomcat_layout "$TOMCAT" "$PORT"
app="$TOMCAT/webapps/streams"
mkdir -p "$app"
war=$(realpath "$BENCH_WAR")
(cd "$app" && "$JAVA_HOME/bin/jar" xf "$war")
cp src/test/resources/streams/streams_app.py "$app/WEB-INF/python/"
web_xml=src/test/resources/streams/web.xml
if [[ -n "${PYTHON_EXECUTABLE:-}" ]]; then
  sed "s#<!-- python.executable -->#<context-param><param-name>python.executable</param-name><param-value>$PYTHON_EXECUTABLE</param-value></context-param>#" \
    "$web_xml" >"$app/WEB-INF/web.xml"
else
  cp "$web_xml" "$app/WEB-INF/web.xml"
fi
opts="--enable-native-access=ALL-UNNAMED -XX:ErrorFile=$(realpath "$TOMCAT")/logs/hs_err_pid%p.log"
[[ -n "${MALLOC:-}" ]] && opts="$opts -Dhttpy.python.malloc=$MALLOC"

expected_flask() {
  local tag="$1" i
  for ((i = 0; i < 50; i++)); do printf 'chunk %d %s\n' "$i" "$tag"; done
}
expected_fail() {
  local at="$1" i
  for ((i = 0; i < at; i++)); do printf 'chunk %d\n' "$i"; done
}

# check_round START: one round of streams; prints the number of bodies that were not as expected.
check_round() {
  local start="$1" i at bad=0 pids=()
  for ((i = 0; i < AT_ONCE; i++)); do
    curl --noproxy '*' -s --max-time 60 "$BASE/s/flask/stream?n=50&tag=t$i" >"$OUT/flask-$i.txt" &
    pids+=($!)
    curl --noproxy '*' -s --max-time 60 "$BASE/s/context?n=50" >"$OUT/context-$i.txt" &
    pids+=($!)
    at=$((i % 3 == 0 ? 1 : i % 3 == 1 ? 2 : 40))
    curl --noproxy '*' -s --max-time 60 "$BASE/s/fail?at=$at" >"$OUT/fail-$i.txt" &
    pids+=($!)
  done
  wait "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < AT_ONCE; i++)); do
    cmp -s "$OUT/flask-$i.txt" <(expected_flask "t$i") || { bad=$((bad + 1)); cp "$OUT/flask-$i.txt" "$OUT/bad-$start-flask-$i.txt"; }
    { [[ $(grep -c ' ok$' "$OUT/context-$i.txt") == 49 ]] && ! grep -q LOST "$OUT/context-$i.txt"; } \
      || { bad=$((bad + 1)); cp "$OUT/context-$i.txt" "$OUT/bad-$start-context-$i.txt"; }
    at=$((i % 3 == 0 ? 1 : i % 3 == 1 ? 2 : 40))
    cmp -s "$OUT/fail-$i.txt" <(expected_fail "$at") || { bad=$((bad + 1)); cp "$OUT/fail-$i.txt" "$OUT/bad-$start-fail-$i.txt"; }
  done
  echo "$bad"
}

crashes=0
wrong=0
for ((start = 1; start <= STARTS; start++)); do
  rm -f "$TOMCAT"/logs/hs_err_pid*.log
  bench_tomcat_start "$TOMCAT" "$OUT/tomcat-$start.log" "$BASE/s/stats" "$opts" 2>/dev/null
  bad=$(check_round "$start")
  sleep 0.5
  if ! kill -0 "$TOMCAT_PID" 2>/dev/null || compgen -G "$TOMCAT/logs/hs_err_pid*.log" >/dev/null; then
    crashes=$((crashes + 1))
    cp "$TOMCAT"/logs/hs_err_pid*.log "$OUT/" 2>/dev/null || true
    echo "start $start: Tomcat CRASHED (log: $OUT/tomcat-$start.log)"
  else
    echo "start $start: ok, $((AT_ONCE * 3 - bad))/$((AT_ONCE * 3)) streams as expected"
  fi
  wrong=$((wrong + bad))
  bench_tomcat_stop 2>/dev/null
done
echo "$STARTS fresh starts (${PYTHON_EXECUTABLE:-embedded CPython}${MALLOC:+, $MALLOC allocator}): $crashes crashed," \
  "$wrong of $((STARTS * AT_ONCE * 3)) streams not as expected; $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg)"
[[ $crashes == 0 && $wrong == 0 ]]
exit
}
