#!/usr/bin/env bash
# Builds the WAR and runs the example app in a real, unpacked Tomcat 11 on http://localhost:8080.
# PORT=9090 picks another port; PYTHON_EXECUTABLE=/usr/bin/python3 runs a system Python instead of
# the embedded one. Tomcat comes from Maven Central as the official tar.gz. The Dockerfile beside
# this script does the same steps in an image. Ctrl-C stops Tomcat.
set -euo pipefail
cd "$(dirname "$0")/.."

export JAVA_HOME="${HTTPY_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
  echo "httpy needs Java 25 or newer: set HTTPY_JAVA_HOME to a JDK 25 (now $JAVA_HOME)" >&2
  exit 1
fi
PORT="${PORT:-8080}"
TOMCAT_VERSION=11.0.24
TOMCAT=target/tomcat

mvn -B -q -DskipTests package
mvn -B -q dependency:copy -Dartifact="org.apache.tomcat:tomcat:$TOMCAT_VERSION:tar.gz" \
  -DoutputDirectory=target/tomcat-dist
rm -rf "$TOMCAT" && mkdir -p "$TOMCAT"
tar xzf "target/tomcat-dist/tomcat-$TOMCAT_VERSION.tar.gz" -C "$TOMCAT" --strip-components=1
# The HTTP port as asked; no shutdown port (Ctrl-C or SIGTERM stops it); no sample apps.
sed -i -e "s/port=\"8080\"/port=\"$PORT\"/" -e 's/<Server port="8005"/<Server port="-1"/' "$TOMCAT/conf/server.xml"
rm -rf "$TOMCAT"/webapps/*
cp target/httpy.war "$TOMCAT/webapps/ROOT.war"
# PYTHON_EXECUTABLE=/usr/bin/python3 runs the app on that Python (Flask from python3-flask works then).
if [ -n "${PYTHON_EXECUTABLE:-}" ]; then
  mkdir -p "$TOMCAT/conf/Catalina/localhost"
  cat > "$TOMCAT/conf/Catalina/localhost/ROOT.xml" <<XML
<Context><Parameter name="python.executable" value="$PYTHON_EXECUTABLE" override="false"/></Context>
XML
fi

echo "httpy example: http://localhost:$PORT/python (Python) and http://localhost:$PORT/java (Java servlet)"
export CATALINA_OPTS="${CATALINA_OPTS:-} --enable-native-access=ALL-UNNAMED"
exec "$TOMCAT/bin/catalina.sh" run
