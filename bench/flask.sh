#!/usr/bin/env bash
# The same Flask hello app (python/flask_app.py, GET /hello) served by gunicorn (Debian package,
# 2 sync workers) and by httpy in Tomcat 11 (the example WAR's /flask/* mount, Debian's Python 3.11
# through python.executable, default filter settings, no access log), loaded by wrk in alternating rounds in one run.
# Both run on Debian's python3 with python3-flask. Prints req/s, p50, p99 and non-2xx/socket errors
# for both, and the ratio httpy/gunicorn.
# Usage: bash bench/flask.sh   (DURATION=15 ROUNDS=2 CONNECTIONS="8 64" PORT=18096 GUNICORN_PORT=18097;
#        PYTHON_WORKERS=N sets the Flask filter's python.workers, default 4)
# Needs: apt-get install wrk gunicorn python3-flask
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-15}" ROUNDS="${ROUNDS:-2}" CONNECTIONS="${CONNECTIONS:-8 64}"
PORT="${PORT:-18096}" GUNICORN_PORT="${GUNICORN_PORT:-18097}"
PYTHON="${PYTHON:-/usr/bin/python3}" PYTHON_WORKERS="${PYTHON_WORKERS:-}"
for tool in wrk gunicorn; do
  command -v "$tool" >/dev/null || { echo "bench/flask.sh needs $tool: apt-get install $tool" >&2; exit 1; }
done
"$PYTHON" -c 'import flask' || { echo "bench/flask.sh needs Flask for $PYTHON: apt-get install python3-flask" >&2; exit 1; }

source tomcat-docker/tomcat-lib.sh
httpy_use_java25
mvn -B -q -DskipTests package
work=target/bench-flask; rm -rf "$work"; mkdir -p "$work"
httpy_install_tomcat "$work/tomcat" "$PORT"
if [ -n "$PYTHON_WORKERS" ]; then
  # The Flask filter's python.workers, set in the web.xml of an unpacked copy of the WAR.
  mkdir -p "$work/tomcat/webapps/ROOT" && (cd "$work/tomcat/webapps/ROOT" && unzip -q ../../../../httpy.war)
  sed -i 's#<param-value>/flask/\*path</param-value>#&</init-param><init-param><param-name>python.workers</param-name><param-value>'"$PYTHON_WORKERS"'</param-value>#' \
    "$work/tomcat/webapps/ROOT/WEB-INF/web.xml"
else
  cp target/httpy.war "$work/tomcat/webapps/ROOT.war"
fi
# No access log, as gunicorn keeps none by default (bench/run.sh does the same).
httpy_no_access_log "$work/tomcat"
mkdir -p "$work/tomcat/conf/Catalina/localhost"
echo "<Context><Parameter name=\"python.executable\" value=\"$PYTHON\" override=\"false\"/></Context>" \
  > "$work/tomcat/conf/Catalina/localhost/ROOT.xml"

CATALINA_OPTS=--enable-native-access=ALL-UNNAMED "$work/tomcat/bin/catalina.sh" run > "$work/tomcat.log" 2>&1 &
tomcat=$!
gunicorn --workers 2 --worker-class sync --bind "127.0.0.1:$GUNICORN_PORT" --chdir python \
  --log-level warning flask_app:app > "$work/gunicorn.log" 2>&1 &
gunicorn=$!
trap 'kill "$tomcat" "$gunicorn" 2>/dev/null; wait "$tomcat" "$gunicorn" 2>/dev/null || true' EXIT

httpy_url="http://127.0.0.1:$PORT/flask/hello" gunicorn_url="http://127.0.0.1:$GUNICORN_PORT/hello"
for url in "$httpy_url" "$gunicorn_url"; do
  for _ in $(seq 90); do [ "$(curl -s "$url" || true)" = "hello from flask" ] && break; sleep 1; done
  [ "$(curl -s "$url")" = "hello from flask" ] || { echo "no Flask hello at $url; see $work/*.log" >&2; exit 1; }
done

# measure CONNECTIONS SECONDS URL: "req/s p50 p99 errors" from one wrk run (errors: socket errors
# plus non-2xx/3xx responses).
measure() {
  wrk -t2 -c"$1" -d"$2"s --latency "$3" | awk '
    /Requests\/sec/ {rps = $2}
    /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
    /Socket errors/ {gsub(",", ""); errors += $4 + $6 + $8 + $10}
    /Non-2xx or 3xx/ {errors += $5}
    END {printf "%s %s %s %d\n", rps, p50, p99, errors}'
}

echo "| c | round | httpy req/s | httpy p50 | httpy p99 | httpy errors | gunicorn req/s | gunicorn p50 | gunicorn p99 | gunicorn errors | httpy/gunicorn |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for c in $CONNECTIONS; do
  for round in $(seq "$ROUNDS"); do
    measure "$c" 3 "$httpy_url" >/dev/null; read -r h_rps h_p50 h_p99 h_err < <(measure "$c" "$DURATION" "$httpy_url")
    measure "$c" 3 "$gunicorn_url" >/dev/null; read -r g_rps g_p50 g_p99 g_err < <(measure "$c" "$DURATION" "$gunicorn_url")
    echo "| $c | $round | $h_rps | $h_p50 | $h_p99 | $h_err | $g_rps | $g_p50 | $g_p99 | $g_err | $(awk -v a="$h_rps" -v b="$g_rps" 'BEGIN {printf "%.2f", a / b}') |"
  done
done
