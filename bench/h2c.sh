#!/usr/bin/env bash
# HTTP/2 without TLS (h2c, prior knowledge): /python (the example's request function) against /java
# (a plain servlet) on the same Tomcat, whose connector gets Tomcat's Http2Protocol, loaded by h2load
# (Debian: nghttp2-client) in alternating rounds. From the repository root:
#
#   bash bench/h2c.sh
#   MODE=profile bash bench/h2c.sh   where /python's CPU goes under h2c: one h2load run with JFR's
#                                    CPU-time sampler, summarised by bench/jfr-cpu.jq (needs jq)
#
# Prints each round's req/s, mean request time, non-2xx count and Tomcat's CPU per request for both
# routes, and the median ratio /python / /java per connection count.
#
# Settings (environment): PORT=18083, DURATION=10 (seconds per run), WARMUP=5, ROUNDS=3,
# CONNECTIONS="64" (h2load -c), STREAMS=10 (h2load -m: concurrent streams per connection),
# THREADS=$(nproc) (h2load -t), SKIP_BUILD=1 or WAR=<file> as for the other scripts, ACCESS_LOG=1.
{
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

PORT="${PORT:-18083}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-5}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
STREAMS="${STREAMS:-10}"
THREADS="${THREADS:-$(nproc)}"
TOMCAT=target/bench-h2c/tomcat
OUT=target/bench-h2c
BASE="http://127.0.0.1:$PORT"

bench_init
bench_need h2load curl
bench_port_free "$PORT"
mkdir -p "$OUT"
bench_build
bench_tomcat_layout "$TOMCAT" "$PORT"
# h2c on the HTTP/1.1 connector: Tomcat takes the HTTP/2 preface (prior knowledge) and Upgrade: h2c.
python3 - "$TOMCAT/conf/server.xml" "$PORT" <<'PY'
import re, sys
path, port = sys.argv[1], sys.argv[2]
xml = open(path).read()
start = xml.index(f'<Connector address="127.0.0.1" port="{port}"')
end = xml.index("/>", start)
xml = xml[:end] + '><UpgradeProtocol className="org.apache.coyote.http2.Http2Protocol"/></Connector>' + xml[end + 2:]
open(path, "w").write(xml)
PY
bench_deploy "$TOMCAT"
bench_tomcat_start "$TOMCAT" "$OUT/tomcat.log" "$BASE/python"

cpu_ticks() { sed 's/.*) //' "/proc/$TOMCAT_PID/stat" | awk '{print $12 + $13}'; }
TICK=$(getconf CLK_TCK)

# run NAME URL C SECONDS: one h2load run; prints "req/s mean_ms non2xx cpu_us_per_request".
run() {
  local name="$1" url="$2" c="$3" seconds="$4" file before after
  file="$OUT/h2load-$name-c$c-$(date +%s%N).txt"
  before=$(cpu_ticks)
  h2load -D "$seconds" -c "$c" -m "$STREAMS" -t "$THREADS" "$url" >"$file" 2>&1 || true
  after=$(cpu_ticks)
  awk -v ticks=$((after - before)) -v tick="$TICK" '
    /^finished in/ {gsub(",", ""); for (i = 1; i <= NF; i++) if ($i == "req/s") rps = $(i - 1)}
    /^requests:/ {for (i = 1; i <= NF; i++) if ($i == "succeeded,") ok = $(i - 1); total = $2}
    /^status codes:/ {gsub(",", ""); bad = $5 + $7 + $9}
    /^time for request:/ {mean = $6; unit = mean; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", mean); if (unit == "us") mean /= 1000; if (unit == "s") mean *= 1000}
    END {n = (ok == "" ? 0 : ok); cpu = (n > 0 ? ticks / tick * 1e6 / n : 0);
         printf "%s %.2f %d %.0f\n", rps, mean, bad + (total - n), cpu}' "$file"
}

bench_log "warming up /python and /java for ${WARMUP} s each"
run warm-python "$BASE/python" 16 "$WARMUP" >/dev/null
run warm-java "$BASE/java" 16 "$WARMUP" >/dev/null

if [[ "${MODE:-}" == profile ]]; then
  bench_need jq
  c="${CONNECTIONS%% *}"
  "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" JFR.start name=h2c settings=profile \
    "jdk.CPUTimeSample#enabled=true" "jdk.CPUTimeSample#throttle=1ms" >"$OUT/jfr-start.txt" 2>&1
  read -r p_rps p_mean p_bad p_cpu < <(run python "$BASE/python" "$c" "$DURATION")
  "$JAVA_HOME/bin/jcmd" "$TOMCAT_PID" JFR.dump name=h2c filename="$(realpath "$OUT")/python.jfr" >/dev/null
  echo "h2c profile: /python c=$c x m=$STREAMS: $p_rps req/s, Tomcat CPU $p_cpu us per request"
  "$JAVA_HOME/bin/jfr" print --json --events jdk.CPUTimeSample --stack-depth 64 "$OUT/python.jfr" | jq -r -f bench/jfr-cpu.jq
  exit 0
fi

echo
echo "h2c: $(bench_machine_line "$TOMCAT" "$OUT/tomcat.log")"
echo
echo "Command: \`DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS CONNECTIONS=\"$CONNECTIONS\" STREAMS=$STREAMS bash bench/h2c.sh\`${ACCESS_LOG:+ (ACCESS_LOG=1)}"
echo
echo "| c x m | round | /python req/s | /python mean | /python non-2xx | /python CPU/req | /java req/s | /java mean | /java non-2xx | /java CPU/req | /python / /java |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
declare -A RATIOS
for c in $CONNECTIONS; do
  RATIOS[$c]=""
  for ((round = 1; round <= ROUNDS; round++)); do
    read -r p_rps p_mean p_bad p_cpu < <(run python "$BASE/python" "$c" "$DURATION")
    read -r j_rps j_mean j_bad j_cpu < <(run java "$BASE/java" "$c" "$DURATION")
    ratio=$(bench_ratio "$p_rps" "$j_rps")
    RATIOS[$c]+="$ratio "
    echo "| $c x $STREAMS | $round | $p_rps | ${p_mean} ms | $p_bad | ${p_cpu} us | $j_rps | ${j_mean} ms | $j_bad | ${j_cpu} us | $ratio |"
  done
done
echo
for c in $CONNECTIONS; do
  median=$(tr ' ' '\n' <<<"${RATIOS[$c]}" | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  echo "c=$c x m=$STREAMS: median /python / /java **$median** (rounds: ${RATIOS[$c]% })"
done
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
exit 0
}
