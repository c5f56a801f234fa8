#!/usr/bin/env bash
# One GIL against a GIL per worker (python.gil=per-worker), CPU-bound: a ~1 ms pure-Python handler
# behind two filters in one Tomcat, /cpu-shared/* (2 workers, one GIL) and /cpu-pergil/* (2 workers,
# each its own sub-interpreter and GIL), loaded with wrk -c8 in alternating rounds. Prints req/s and
# the ratio. Usage: bash bench/gil.sh   (DURATION=10 ROUNDS=2 PORT=18095; SKIP_BUILD=1 uses the
# target/httpy.war already built). Tomcat listens on 127.0.0.1 only and is stopped at the end, also
# on an error or Ctrl-C; its log and wrk's raw output go to target/bench-gil/.
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION="${DURATION:-10}" ROUNDS="${ROUNDS:-2}" PORT="${PORT:-18095}"
bench_init
bench_need wrk curl
bench_port_free "$PORT"
bench_build
work=target/bench-gil; rm -rf "$work"; mkdir -p "$work"
bench_tomcat_layout "$work/tomcat" "$PORT"
# The example WAR without Weld, its web.xml replaced by the two filters on bench/cpu_app.py.
bench_deploy_unpacked "$work/tomcat"
war="$work/tomcat/webapps/ROOT"
rm -f "$war/WEB-INF/beans.xml"
cp bench/gil-web.xml "$war/WEB-INF/web.xml"; cp bench/cpu_app.py "$war/WEB-INF/python/"
bench_tomcat_start "$work/tomcat" "$work/tomcat.log" "http://127.0.0.1:$PORT/cpu-pergil/x"

# measure FILTER NAME: 3 s of warm-up, then one wrk -t2 -c8 run of DURATION s; R holds its figures.
measure() {
  bench_wrk "$work/wrk-warmup.txt" "http://127.0.0.1:$PORT/$1/x" 8 3 2
  bench_wrk "$work/wrk-$2.txt" "http://127.0.0.1:$PORT/$1/x" 8 "$DURATION" 2
}
echo "| round | one GIL (req/s) | GIL per worker (req/s) | ratio |"
echo "| --- | --- | --- | --- |"
for round in $(seq "$ROUNDS"); do
  measure cpu-shared "shared-r$round"; shared=${R[rps]}
  measure cpu-pergil "pergil-r$round"; pergil=${R[rps]}
  echo "| $round | $shared | $pergil | $(bench_ratio "$pergil" "$shared") |"
done
exit
}
