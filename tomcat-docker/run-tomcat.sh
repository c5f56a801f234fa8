#!/usr/bin/env bash
# Builds the WAR and runs the example app in a real, unpacked Tomcat 11 on http://localhost:8080.
# The build installs python/requirements.txt (Flask, for /flask/*) with pip from PyPI, or from where
# pip's own variables say (PIP_INDEX_URL, or PIP_NO_INDEX=1 with PIP_FIND_LINKS=<wheel directory>);
# where pip cannot get them the example runs without them and /flask/* says Flask is missing.
# PORT=9090 picks another port; PYTHON_EXECUTABLE=/usr/bin/python3 runs a system Python instead of
# the embedded one. Tomcat comes from Maven Central as the official tar.gz. The Dockerfile beside
# this script does the same steps in an image. Ctrl-C stops Tomcat.
set -euo pipefail
cd "$(dirname "$0")/.."
# TOMCAT_VERSION, httpy_use_java25 and httpy_install_tomcat, shared with the bench/ scripts (bench/lib.sh).
source tomcat-docker/tomcat-lib.sh

httpy_use_java25
PORT="${PORT:-8080}"
TOMCAT=target/tomcat

mkdir -p target
if ! mvn -B -q -DskipTests package > target/run-tomcat-build.log 2>&1; then
  grep -q "pip could not install" target/run-tomcat-build.log || { cat target/run-tomcat-build.log >&2; exit 1; }
  grep -E "^(ERROR|WARNING): " target/run-tomcat-build.log | head -5 >&2 || true
  echo "pip could not install python/requirements.txt (above; the whole build log is in" \
    "target/run-tomcat-build.log), so the example runs without Flask: /flask/* answers 503." \
    "Without PyPI, point pip at wheels: PIP_NO_INDEX=1 PIP_FIND_LINKS=<dir> bash $0" >&2
  mvn -B -q -DskipTests -Dexec.skip=true package
fi
httpy_install_tomcat "$TOMCAT" "$PORT"
cp target/httpy.war "$TOMCAT/webapps/ROOT.war"
# PYTHON_EXECUTABLE=/usr/bin/python3 runs the app on that Python (Flask from python3-flask works then).
if [ -n "${PYTHON_EXECUTABLE:-}" ]; then
  mkdir -p "$TOMCAT/conf/Catalina/localhost"
  cat > "$TOMCAT/conf/Catalina/localhost/ROOT.xml" <<XML
<Context><Parameter name="python.executable" value="$PYTHON_EXECUTABLE" override="false"/></Context>
XML
fi

echo "httpy example: http://localhost:$PORT/ lists its routes (http://localhost:$PORT/python from Python, http://localhost:$PORT/java from a servlet)"
export CATALINA_OPTS="${CATALINA_OPTS:-} --enable-native-access=ALL-UNNAMED"
exec "$TOMCAT/bin/catalina.sh" run
