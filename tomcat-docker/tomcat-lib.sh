# Steps shared by tomcat-docker/run-tomcat.sh and the bench/ scripts; sourced from the repository root,
# not run. Tomcat comes from Maven Central as the official tar.gz.
TOMCAT_VERSION=11.0.24

# Sets JAVA_HOME to HTTPY_JAVA_HOME or the JDK 25 at its usual path; fails unless it is 25+.
httpy_use_java25() {
  export JAVA_HOME="${HTTPY_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
  if ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
    echo "httpy needs Java 25 or newer: set HTTPY_JAVA_HOME to a JDK 25 (now $JAVA_HOME)" >&2
    return 1
  fi
}

# httpy_install_tomcat DIR PORT: a fresh Tomcat $TOMCAT_VERSION in DIR, HTTP on PORT, no shutdown
# port (SIGTERM stops it), no sample apps (webapps/ is left empty for the caller).
httpy_install_tomcat() {
  local dir="$1" port="$2"
  mvn -B -q dependency:copy -Dartifact="org.apache.tomcat:tomcat:$TOMCAT_VERSION:tar.gz" \
    -DoutputDirectory=target/tomcat-dist
  rm -rf "$dir" && mkdir -p "$dir"
  tar xzf "target/tomcat-dist/tomcat-$TOMCAT_VERSION.tar.gz" -C "$dir" --strip-components=1
  sed -i -e "s/port=\"8080\"/port=\"$port\"/" -e 's/<Server port="8005"/<Server port="-1"/' "$dir/conf/server.xml"
  rm -rf "$dir"/webapps/*
}

# httpy_no_access_log DIR: removes the Tomcat in DIR's default access log (a line per request), as the
# benchmarks do: gunicorn keeps none by default, and it is disk I/O the measurement does not want.
httpy_no_access_log() {
  sed -i -e '/<Valve className="org.apache.catalina.valves.AccessLogValve"/,/\/>/d' "$1/conf/server.xml"
}
