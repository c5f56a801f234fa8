#!/usr/bin/env bash
# Slow clients against the example WAR in Tomcat 11, from the repository root:
#
#   bash bench/slow.sh
#
# TRICKLERS connections each POST /echo/binary (which answers the body back) a few bytes at a time, one
# write every 2-5 s, and NON_READERS connections each POST ANSWER_MB MiB in full and then do not read
# the answer. While all of them are held, for HOLD seconds, loops of GET /python and GET /java measure
# what everyone else gets (count, p50, p99, max, errors; a request unanswered after PROBE_TIMEOUT
# seconds is an error). Then the tricklers send the rest, the non-readers read, and every slow client
# must get status 200 and exactly the body it sent. Prints Markdown tables with the machine line;
# exits 1 when any slow client's answer was wrong or missing.
#
# The load is bench/SlowClients.java (JDK only, run from source; its comment has the details). The
# script builds the WAR, lays out the same Tomcat as the other bench/ scripts in target/bench-slow,
# listening on 127.0.0.1 only, raises the open-file limit (ulimit -n) for the connections, and stops
# Tomcat at the end, also on an error or Ctrl-C. Tomcat's log and the report go to target/bench-slow/.
#
# Settings (environment):
#   PORT=18098            Tomcat's HTTP port; it must be free
#   TRICKLERS=1000        connections that send their body slowly; TRICKLE_BYTES=1000 is each one's length
#   NON_READERS=100       connections that do not read their answer; ANSWER_MB=8 MiB each sends and gets
#                         back (at most 10: the example's python.max-body is 10 MiB)
#   HOLD=10               seconds the GET loops run while the slow clients are held; the non-readers
#                         must read within 20 s of their last progress, or Tomcat (connectionTimeout)
#                         and httpy (python.write-timeout) drop them, as they should
#   PROBE_LOOPS=4         GET loops per route, each one request after the other; PROBE_TIMEOUT=15 seconds each
#   FINISH_TIMEOUT=120    seconds after the release for every slow client's answer to arrive
#   JAVA_OPTS_EXTRA=      more JVM options for Tomcat
#   SKIP_BUILD=1          use the target/httpy.war already built
#   ACCESS_LOG=1          keep Tomcat's access log
# Quick run: TRICKLERS=20 NON_READERS=4 HOLD=5 bash bench/slow.sh
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

PORT="${PORT:-18098}"
TRICKLERS="${TRICKLERS:-1000}" TRICKLE_BYTES="${TRICKLE_BYTES:-1000}"
NON_READERS="${NON_READERS:-100}" ANSWER_MB="${ANSWER_MB:-8}"
HOLD="${HOLD:-10}" PROBE_LOOPS="${PROBE_LOOPS:-4}" PROBE_TIMEOUT="${PROBE_TIMEOUT:-15}"
FINISH_TIMEOUT="${FINISH_TIMEOUT:-120}"
work=target/bench-slow
BASE="http://127.0.0.1:$PORT"

bench_init
bench_need curl
bench_port_free "$PORT"
if ((ANSWER_MB > 10)); then
  echo "ANSWER_MB=$ANSWER_MB: the example's python.max-body is 10 MiB, so /echo/binary would answer 413; give 10 or less" >&2
  exit 1
fi
# Each connection is an open file in Tomcat and in the load; both inherit this shell's limit.
files=$((TRICKLERS + NON_READERS + 2 * PROBE_LOOPS + 1024))
bench_raise_open_files "$files" TRICKLERS

bench_build
rm -rf "$work"; mkdir -p "$work"
bench_tomcat_layout "$work/tomcat" "$PORT"
bench_deploy "$work/tomcat"
bench_tomcat_start "$work/tomcat" "$work/tomcat.log" "$BASE/python" "--enable-native-access=ALL-UNNAMED ${JAVA_OPTS_EXTRA:-}"
[[ $(bench_status "$BASE/java") == 200 ]] || { echo "/java does not answer 200" >&2; exit 1; }

settings="PORT=$PORT TRICKLERS=$TRICKLERS TRICKLE_BYTES=$TRICKLE_BYTES NON_READERS=$NON_READERS ANSWER_MB=$ANSWER_MB"
settings+=" HOLD=$HOLD PROBE_LOOPS=$PROBE_LOOPS PROBE_TIMEOUT=$PROBE_TIMEOUT FINISH_TIMEOUT=$FINISH_TIMEOUT"
bench_log "slow clients: $settings"
# In the background, so that Ctrl-C or SIGTERM ends the script at once; the EXIT trap stops it.
"$JAVA_HOME/bin/java" bench/SlowClients.java --port "$PORT" --tricklers "$TRICKLERS" --trickle-bytes "$TRICKLE_BYTES" \
  --non-readers "$NON_READERS" --answer-mb "$ANSWER_MB" --hold "$HOLD" --probe-loops "$PROBE_LOOPS" \
  --probe-timeout "$PROBE_TIMEOUT" --finish-timeout "$FINISH_TIMEOUT" >"$work/clients.md" &
clients=$!
bench_stop_at_exit "$clients" "bench/SlowClients.java"
status=0
wait "$clients" || status=$?
if ((status > 1)); then
  echo "bench/SlowClients.java failed (exit status $status)" >&2
  exit "$status"
fi
if ! kill -0 "$TOMCAT_PID" 2>/dev/null; then
  echo "Tomcat died during the run; see $work/tomcat.log" >&2
  status=1
fi

{
  echo
  echo "## httpy slow clients: $(date)"
  echo
  echo "$(bench_machine_line "$work/tomcat" "$work/tomcat.log")."
  echo
  echo "Command: \`$settings bash bench/slow.sh\`"
  echo
  cat "$work/clients.md"
} >"$work/slow.md"
cat "$work/slow.md"
exit "$status"
}
