#!/usr/bin/env bash
# The bridge microbenchmarks (src/test/java/dev/httpy/bench/BridgeBenchmark.java, and the
# break-down of one call in src/test/java/dev/httpy/python/BridgePartsBenchmark.java), and, by name,
# what the filter's figures cost a request (MetricsBenchmark, GilWaitsBenchmark), from the
# repository root:
#
#   bash bench/jmh.sh                       all of them (about 4 minutes)
#   bash bench/jmh.sh bridgeTrivialCall     those whose name matches (JMH's regular expression)
#   bash bench/jmh.sh -wi 2 -i 3 -f 1       any JMH option (bash bench/jmh.sh -h lists them)
#
# Compiles the tests (JMH's annotation processor generates the harness then), asks Maven for the
# test class path and runs JMH's main with --enable-native-access, which JMH passes on to its forks.
# The results are also written to target/bench/jmh.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source tomcat-docker/tomcat-lib.sh
httpy_use_java25

mkdir -p target/bench
mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/test-classpath.txt
CLASSPATH="target/test-classes:target/classes:$(cat target/bench/test-classpath.txt)"
if [[ $# -eq 0 ]]; then
  set -- 'dev.httpy.bench.|dev.httpy.python.BridgePartsBenchmark'
fi
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CLASSPATH" org.openjdk.jmh.Main "$@" 2>&1 \
  | tee target/bench/jmh.txt
