#!/usr/bin/env bash
# Soak run (issue #11): the load app with jmesh at a fixed rate for a long time, heap after GC sampled over time,
# so that growth of the agent's caches, queues or per-endpoint state shows as a rising series.
#
#   benchmarks/soak.sh                       10 minutes at 200 req/s, a sample every 30 s
#   benchmarks/soak.sh --minutes 2 --rate 500 --sample-s 10
#   benchmarks/soak.sh --baseline            the same run without the agent afterwards, side by side
#
# Writes benchmarks/target/soak/SOAK.md and prints it. Needs the jars of `mvn -B package -DskipTests`
# (agent, demo-apps/flaky-upstream as the upstream, benchmarks' load-app.jar); builds them when missing.
# Environment: JAVA (default `java`), MAVEN_ARGS (extra mvn arguments, e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/.."
java=${JAVA:-java}
minutes=10 rate=200 sample=30 baseline=0
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --sample-s) sample=$2; shift 2 ;;
    --baseline) baseline=1; shift ;;
    --help|-h) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
seconds=$((minutes * 60))

if [ ! -f agent/target/jmesh-agent.jar ] || [ ! -f demo-apps/flaky-upstream/target/flaky-upstream.jar ] \
   || [ ! -f benchmarks/target/load-app.jar ]; then
  echo "[soak.sh] building the agent, the demo upstream and the load app"
  mvn -B -q ${MAVEN_ARGS:-} -pl agent,demo-apps/flaky-upstream,benchmarks -am package -DskipTests
fi

out=benchmarks/target/soak
rm -rf "$out" && mkdir -p "$out"
"$java" -jar demo-apps/flaky-upstream/target/flaky-upstream.jar --port 0 --name soak >"$out/upstream.out" 2>&1 &
upstream=$!
trap 'kill $upstream 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  port=$(sed -n 's/^LISTENING \([0-9]*\).*/\1/p' "$out/upstream.out" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || { echo "[soak.sh] the upstream did not start:" >&2; cat "$out/upstream.out" >&2; exit 1; }

cat >"$out/mesh.yaml" <<EOF
services:
  inventory:
    endpoints: ["127.0.0.1:$port"]
    timeout: 2s
    retry: { maxAttempts: 3, perTryTimeout: 500ms, backoff: { base: 10ms, max: 100ms } }
    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 20, window: 10s }
    outlierDetection: { consecutive5xx: 5 }
telemetry:
  accessLog: { format: json, path: $PWD/$out/access.log }
EOF

# One JVM per set-up; bounded by the soak's length plus a margin for start-up, warm-up and reporting.
run() { # name, base URL, extra JVM arguments...
  local name=$1 base=$2; shift 2
  echo "[soak.sh] $name: $minutes min at $rate req/s"
  timeout $((seconds + 180)) "$java" -Xms128m -Xmx128m "$@" -jar benchmarks/target/load-app.jar --base "$base" \
    --warmup-s 5 --soak-s "$seconds" --soak-rate "$rate" --sample-s "$sample" >"$out/$name.out" 2>"$out/$name.err"
}
run jmesh http://inventory -javaagent:agent/target/jmesh-agent.jar -Djmesh.config="$out/mesh.yaml"
[ "$baseline" = 1 ] && run no-agent "http://127.0.0.1:$port"

# SOAK and RESULT lines -> one table row per sample: heap after GC, RSS, p99, errors, per set-up.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
{
  echo "# Soak: $minutes min at $rate req/s, heap after a full GC every $sample s"
  echo
  echo "Command: \`benchmarks/soak.sh --minutes $minutes --rate $rate --sample-s $sample$([ "$baseline" = 1 ] && echo ' --baseline')\`,"
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$java" -version 2>&1 | head -1). Heap fixed at 128 MB."
  echo
  for name in jmesh no-agent; do
    [ -f "$out/$name.out" ] || continue
    echo "## $name"
    echo
    echo "| t (s) | heap after GC (KB) | RSS (KB) | threads | p99 (µs) | errors |"
    echo "|---:|---:|---:|---:|---:|---:|"
    paste -d' ' <(grep '^SOAK ' "$out/$name.out") <(grep '^RESULT phase=soak' "$out/$name.out") | while read -r line; do
      echo "| $(echo "$line" | field t_s) | $(echo "$line" | field heap_after_gc_kb) | $(echo "$line" | field rss_kb)" \
           "| $(echo "$line" | field threads) | $(echo "$line" | field p99_us) | $(echo "$line" | field errors) |"
    done
    first=$(grep '^SOAK ' "$out/$name.out" | head -1 | field heap_after_gc_kb)
    last=$(grep '^SOAK ' "$out/$name.out" | tail -1 | field heap_after_gc_kb)
    echo
    echo "Heap after GC, first sample to last: ${first:-?} KB -> ${last:-?} KB."
    echo
  done
} >"$out/SOAK.md"
cat "$out/SOAK.md"
