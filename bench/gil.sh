#!/usr/bin/env bash
# One GIL against a GIL per worker (python.gil=per-worker), CPU-bound: a ~1 ms pure-Python handler
# behind two filters in one Tomcat, /cpu-shared/* (2 workers, one GIL) and /cpu-pergil/* (2 workers,
# each its own sub-interpreter and GIL), loaded with wrk -c8 in alternating rounds. Prints req/s and
# the ratio. Usage: bash bench/gil.sh   (DURATION=10 ROUNDS=2 PORT=18095)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}" ROUNDS="${ROUNDS:-2}" PORT="${PORT:-18095}"
source tomcat-docker/tomcat-lib.sh
httpy_use_java25
mvn -B -q -DskipTests package
work=target/bench-gil; rm -rf "$work"; mkdir -p "$work/war"
(cd "$work/war" && unzip -q ../../httpy.war && rm -f WEB-INF/beans.xml)
cp bench/gil-web.xml "$work/war/WEB-INF/web.xml"; cp bench/cpu_app.py "$work/war/WEB-INF/python/"
(cd "$work/war" && zip -q -r ../cpu.war .)
httpy_install_tomcat "$work/tomcat" "$PORT"
cp "$work/cpu.war" "$work/tomcat/webapps/ROOT.war"
CATALINA_OPTS=--enable-native-access=ALL-UNNAMED "$work/tomcat/bin/catalina.sh" run > "$work/tomcat.log" 2>&1 &
tomcat=$!
trap 'kill "$tomcat" 2>/dev/null; wait "$tomcat" 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/cpu-pergil/x" >/dev/null && break; sleep 1; done
rate() { wrk -t2 -c8 -d"$1"s "http://127.0.0.1:$PORT/$2/x" | awk '/Requests\/sec/ {print $2}'; }
echo "| round | one GIL (req/s) | GIL per worker (req/s) | ratio |"
echo "| --- | --- | --- | --- |"
for round in $(seq "$ROUNDS"); do
  rate 3 cpu-shared >/dev/null; shared=$(rate "$DURATION" cpu-shared)
  rate 3 cpu-pergil >/dev/null; pergil=$(rate "$DURATION" cpu-pergil)
  echo "| $round | $shared | $pergil | $(awk -v a="$pergil" -v b="$shared" 'BEGIN {printf "%.2f", a / b}') |"
done
