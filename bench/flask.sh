#!/usr/bin/env bash
# The same Flask hello app (python/flask_app.py, GET /hello) served by gunicorn (Debian package,
# 2 sync workers, on Debian's python3 with python3-flask) and by httpy in Tomcat 11 (the example
# WAR's /flask/* mount, no access log), loaded by wrk in alternating rounds in one run. httpy runs it
# in one of two ways (MODE):
#   system    (default) on Debian's Python 3.11 with python3-flask through python.executable, default
#             filter settings (one GIL, 4 workers kept warm)
#   embedded  on the embedded CPython 3.14 with the Flask that `mvn package` installed into
#             WEB-INF/python-packages, and the Flask filter's python.gil=per-worker: each worker a
#             sub-interpreter with its own GIL. PYTHON_WORKERS defaults to 2 here, as many as this
#             2-core machine has cores (4 did no better: BENCHMARKS.md, "Issue 11").
# Prints req/s, p50, p99 and non-2xx/socket errors for both, and the ratio httpy/gunicorn. Tomcat and
# gunicorn listen on 127.0.0.1 only and are stopped at the end, also on an error or Ctrl-C; their logs
# and wrk's raw output go to target/bench-flask/.
# Usage: bash bench/flask.sh   (MODE=system|embedded DURATION=15 ROUNDS=2 CONNECTIONS="8 64"
#        PORT=18096 GUNICORN_PORT=18097; PYTHON_WORKERS=N sets the Flask filter's python.workers,
#        default 4 with MODE=system, 2 with MODE=embedded; SKIP_BUILD=1 uses the target/httpy.war
#        already built; ACCESS_LOG=1 keeps Tomcat's access log)
# Needs: apt-get install wrk gunicorn python3-flask; MODE=embedded also needs Flask in the WAR, so a
#        build that could reach PyPI or a wheelhouse (pip's PIP_FIND_LINKS, as .ci/run sets it)
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION="${DURATION:-15}" ROUNDS="${ROUNDS:-2}" CONNECTIONS="${CONNECTIONS:-8 64}"
PORT="${PORT:-18096}" GUNICORN_PORT="${GUNICORN_PORT:-18097}"
PYTHON="${PYTHON:-/usr/bin/python3}" MODE="${MODE:-system}"
case "$MODE" in
  system) PYTHON_WORKERS="${PYTHON_WORKERS:-}" ;;
  embedded) PYTHON_WORKERS="${PYTHON_WORKERS:-2}" ;;
  *) echo "MODE is system or embedded, not $MODE" >&2; exit 1 ;;
esac
bench_init
bench_need wrk gunicorn curl
"$PYTHON" -c 'import flask' || { echo "bench/flask.sh needs Flask for $PYTHON: apt-get install python3-flask" >&2; exit 1; }
bench_port_free "$PORT" PORT
bench_port_free "$GUNICORN_PORT" GUNICORN_PORT

bench_build
work=target/bench-flask; rm -rf "$work"; mkdir -p "$work"
bench_tomcat_layout "$work/tomcat" "$PORT"
# The Flask filter's init-params beyond the WAR's, as name=value words.
flask_params=()
if [ "$MODE" = embedded ]; then
  "$JAVA_HOME/bin/jar" tf target/httpy.war | grep -qx WEB-INF/python-packages/flask/__init__.py \
    || { echo "MODE=embedded needs Flask in the WAR's WEB-INF/python-packages: build with python/requirements.txt installable" >&2; exit 1; }
  flask_params+=(python.gil=per-worker)
fi
if [ -n "$PYTHON_WORKERS" ]; then
  flask_params+=("python.workers=$PYTHON_WORKERS")
fi
if ((${#flask_params[@]})); then
  # Set in the web.xml of an unpacked copy of the WAR, after the filter's python.routes.
  bench_deploy_unpacked "$work/tomcat"
  for param in "${flask_params[@]}"; do
    sed -i 's#<param-value>/flask/\*path</param-value>#&</init-param><init-param><param-name>'"${param%%=*}"'</param-name><param-value>'"${param#*=}"'</param-value>#' \
      "$work/tomcat/webapps/ROOT/WEB-INF/web.xml"
    grep -q "<param-name>${param%%=*}</param-name><param-value>${param#*=}<" "$work/tomcat/webapps/ROOT/WEB-INF/web.xml" \
      || { echo "could not set $param on the Flask filter in $work/tomcat/webapps/ROOT/WEB-INF/web.xml" >&2; exit 1; }
  done
else
  bench_deploy "$work/tomcat"
fi
if [ "$MODE" = system ]; then
  mkdir -p "$work/tomcat/conf/Catalina/localhost"
  echo "<Context><Parameter name=\"python.executable\" value=\"$PYTHON\" override=\"false\"/></Context>" \
    > "$work/tomcat/conf/Catalina/localhost/ROOT.xml"
fi

httpy_url="http://127.0.0.1:$PORT/flask/hello" gunicorn_url="http://127.0.0.1:$GUNICORN_PORT/hello"
gunicorn --workers 2 --worker-class sync --bind "127.0.0.1:$GUNICORN_PORT" --chdir python \
  --log-level warning flask_app:app > "$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
bench_stop_at_exit "$gunicorn_pid" gunicorn
bench_tomcat_start "$work/tomcat" "$work/tomcat.log" "$httpy_url"
bench_await "$gunicorn_url" "$gunicorn_pid" gunicorn "$work/gunicorn.log"
for url in "$httpy_url" "$gunicorn_url"; do
  [ "$(curl --noproxy '*' -s "$url")" = "hello from flask" ] || { echo "no Flask hello at $url; see $work/*.log" >&2; exit 1; }
done

# measure NAME CONNECTIONS URL: 3 s of warm-up, then DURATION s measured; R holds the figures.
measure() {
  bench_wrk "$work/wrk-warmup.txt" "$3" "$2" 3 2
  bench_wrk "$work/wrk-$1.txt" "$3" "$2" "$DURATION" 2
}
# The table's cells for the last measure: req/s, p50 and p99 as wrk prints them, and the errors
# (socket errors plus responses of 400 or more).
cells() {
  printf '%s | %s | %s | %d' "${R[rps]}" "$(bench_wrk_time "${R[p50_us]}")" "$(bench_wrk_time "${R[p99_us]}")" \
    $((R[socket_errors] + R[status]))
}

echo "MODE=$MODE: $(bench_machine_line "$work/tomcat" "$work/tomcat.log")."
echo
echo "| c | round | httpy req/s | httpy p50 | httpy p99 | httpy errors | gunicorn req/s | gunicorn p50 | gunicorn p99 | gunicorn errors | httpy/gunicorn |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for c in $CONNECTIONS; do
  for round in $(seq "$ROUNDS"); do
    measure "httpy-c$c-r$round" "$c" "$httpy_url"; httpy=$(cells); h_rps=${R[rps]}
    measure "gunicorn-c$c-r$round" "$c" "$gunicorn_url"; gunicorn=$(cells); g_rps=${R[rps]}
    echo "| $c | $round | $httpy | $gunicorn | $(bench_ratio "$h_rps" "$g_rps") |"
  done
done
exit
}
