#!/usr/bin/env bash
# What Python packages cost the example WAR, in a small table:
#   size     target/httpy.war with WEB-INF/python-packages (Flask, installed by `mvn package` from
#            python/requirements.txt) and a copy with that directory deleted (zip -d)
#   build    the build step alone (dev.httpy.build.InstallRequirements, as exec-maven-plugin runs it)
#            installing into a fresh directory, the first time with an empty java.io.tmpdir (so the
#            embedded CPython is unpacked too) and then with it unpacked, and once more with the
#            requirements unchanged (skipped)
#   deploy   Tomcat's "Deployment of web application archive ... has finished in N ms" for the WAR
#            as built and for a numpy WAR (the WAR plus org.bytedeco numpy and openblas in WEB-INF/lib
#            and bench/numpy_app.py as the first filter's handler), each cold (java.io.tmpdir, that
#            is the Tomcat's temp/, empty and the WAR not yet unpacked) and warm (Tomcat started again)
# It also checks that GET /numpy answers 200 with numpy's sum and that httpy logged the WARNING that
# moves the numpy app to the main interpreter (python.interpreter=auto). Tomcat listens on 127.0.0.1
# only and is stopped at the end, also on an error or Ctrl-C; logs go to target/bench-packages/.
# Usage: bash bench/packages.sh   (PORT=18098; SKIP_BUILD=1 uses the target/httpy.war already built;
#        pip's own variables reach the build step, so an offline machine sets PIP_NO_INDEX=1 and
#        PIP_FIND_LINKS=<wheel directory> as .ci/run does)
# Needs: apt-get install curl zip; numpy and openblas 2.4.2-1.5.13 / 0.3.31-1.5.13 (linux-x86_64) in
#        ~/.m2, as the tests fetch them
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

PORT="${PORT:-18098}"
M2="${M2:-$HOME/.m2/repository}"
NUMPY_JARS=("$M2/org/bytedeco/numpy/2.4.2-1.5.13/numpy-2.4.2-1.5.13-linux-x86_64.jar"
            "$M2/org/bytedeco/openblas/0.3.31-1.5.13/openblas-0.3.31-1.5.13-linux-x86_64.jar")
bench_init
bench_need curl zip
bench_port_free "$PORT" PORT
for jar in "${NUMPY_JARS[@]}"; do
  [ -f "$jar" ] || { echo "$jar is missing: mvn dependency:get -Dartifact=org.bytedeco:$(basename "$jar" | sed 's/-\([0-9].*\)-linux-x86_64.jar/:\1:jar:linux-x86_64/')" >&2; exit 1; }
done
bench_build
work=target/bench-packages; rm -rf "$work"; mkdir -p "$work"
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
millis() { echo $(($(date +%s%N) / 1000000)); }

# Sizes: the WAR as built, and the same WAR without the packages' entries.
cp target/httpy.war "$work/no-packages.war"
zip -q -d "$work/no-packages.war" 'WEB-INF/python-packages/*'
with=$(stat -c %s target/httpy.war) without=$(stat -c %s "$work/no-packages.war")
files=$(unzip -Z1 target/httpy.war | grep -c '^WEB-INF/python-packages/.*[^/]$')
unpacked=$(du -sb target/httpy/WEB-INF/python-packages | cut -f1)

# The build step alone, as the pom runs it.
classpath="target/classes:$(ls target/httpy/WEB-INF/lib/cpython-*-linux-x86_64.jar)"
step() {  # step TMPDIR TARGET: milliseconds InstallRequirements took
  local start; start=$(millis)
  "$JAVA_HOME/bin/java" -Djava.io.tmpdir="$1" -cp "$classpath" dev.httpy.build.InstallRequirements \
    python/requirements.txt "$2" >>"$work/install.log" 2>&1 || { echo "the build step failed; $work/install.log:" >&2; tail -20 "$work/install.log" >&2; exit 1; }
  echo $(($(millis) - start))
}
bench_log "timing the build step; log: $work/install.log"
mkdir -p "$work/tmp"
install_first=$(step "$work/tmp" "$work/packages-1")
install_fresh=$(step "$work/tmp" "$work/packages-2")
install_again=$(step "$work/tmp" "$work/packages-2")
grep -q 'not installing again' "$work/install.log" || { echo "the third run installed again; see $work/install.log" >&2; exit 1; }

# The numpy WAR: the jars in WEB-INF/lib, bench/numpy_app.py in WEB-INF/python, the first filter on it.
mkdir -p "$work/numpy/WEB-INF/lib" "$work/numpy/WEB-INF/python"
cp "${NUMPY_JARS[@]}" "$work/numpy/WEB-INF/lib/"
cp bench/numpy_app.py "$work/numpy/WEB-INF/python/"
unzip -q -p target/httpy.war WEB-INF/web.xml \
  | sed -e 's/<param-value>app:go_request</<param-value>numpy_app:go_request</' \
        -e 's/<param-value>app:go_init</<param-value>numpy_app:go_init</' > "$work/numpy/WEB-INF/web.xml"
[[ $(grep -c 'numpy_app:go_' "$work/numpy/WEB-INF/web.xml") == 2 ]] || { echo "could not point the filter at numpy_app" >&2; exit 1; }
cp target/httpy.war "$work/numpy.war"
(cd "$work/numpy" && zip -q -r ../numpy.war WEB-INF)

# deploy NAME WAR URL BODY: Tomcat's deployment time of WAR as ROOT.war, cold then warm, in
# D[NAME-cold] and D[NAME-warm]; URL must answer 200 with BODY each time.
declare -A D
deploy() {
  local name="$1" war="$2" url="$3" body="$4" temperature log
  bench_tomcat_layout "$work/tomcat-$name" "$PORT"
  cp "$war" "$work/tomcat-$name/webapps/ROOT.war"
  for temperature in cold warm; do
    log="$work/tomcat-$name-$temperature.log"
    bench_tomcat_start "$work/tomcat-$name" "$log" "$url"
    D[$name-$temperature]=$(grep -o 'Deployment of web application archive .* has finished in \[[0-9,]*\] ms' "$log" \
      | sed 's/.*\[\([0-9,]*\)\] ms/\1/; s/,//g')
    [ -n "${D[$name-$temperature]}" ] || { echo "no deployment time in $log" >&2; exit 1; }
    [ "$(curl --noproxy '*' -s "$url")" = "$body" ] || { echo "$url did not answer $body; see $log" >&2; exit 1; }
    bench_tomcat_stop
  done
}
deploy plain target/httpy.war "http://127.0.0.1:$PORT/python" "hello from python"
deploy numpy "$work/numpy.war" "http://127.0.0.1:$PORT/numpy" 499500
for log in "$work"/tomcat-numpy-*.log; do
  grep -q 'WARNING .*refuses to load in a sub-interpreter' "$log" \
    || { echo "no WARNING about the main interpreter in $log" >&2; exit 1; }
done
warning=$(grep -m1 -o 'the extension module .* refuses to load in a sub-interpreter' "$work/tomcat-numpy-cold.log")

echo "$(bench_machine_line "$work/tomcat-numpy" "$work/tomcat-numpy-warm.log")."
echo
echo "| what | figure |"
echo "| --- | --- |"
echo "| target/httpy.war | $(mib "$with") ($with bytes) |"
echo "| the same without WEB-INF/python-packages | $(mib "$without") ($without bytes) |"
echo "| WEB-INF/python-packages (Flask and 5 dependencies) | $(mib $((with - without))) in the WAR, $files files, $(mib "$unpacked") unpacked |"
echo "| build step, first install (CPython unpacked too) | $install_first ms |"
echo "| build step, install into a fresh directory | $install_fresh ms |"
echo "| build step, requirements unchanged (skipped) | $install_again ms |"
echo "| numpy WAR (+ numpy and openblas jars) | $(mib "$(stat -c %s "$work/numpy.war")") |"
echo "| deploy, example WAR, cold / warm | ${D[plain-cold]} / ${D[plain-warm]} ms |"
echo "| deploy, numpy WAR, cold / warm | ${D[numpy-cold]} / ${D[numpy-warm]} ms |"
echo "| GET /numpy, numpy's sum of 0..999, cold and warm | 200, 499500 |"
echo "| httpy's WARNING (python.interpreter=auto), cold and warm | $warning |"
exit
}
