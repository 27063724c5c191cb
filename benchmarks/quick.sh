#!/usr/bin/env bash
# Quick side-by-side numbers for issue #3: added start-up time of the demo app and added latency per call for
# each JDK client, sequential, without the agent and with it, interleaved, ROUNDS times. The full comparison
# (OTel agent, nginx/HAProxy hops, Resilience4j, open loop, CPU, memory) is benchmarks/run.sh (issue #10).
# Usage: benchmarks/quick.sh [ROUNDS] [CALLS]   (after `mvn -B -q package -DskipTests`)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
calls=${2:-4000}
java=${JAVA:-java}
work=$(mktemp -d)
trap 'kill $upstream_pid 2>/dev/null || true; rm -rf "$work"' EXIT

$java -jar demo-apps/flaky-upstream/target/flaky-upstream.jar --port 0 >"$work/up.out" 2>/dev/null &
upstream_pid=$!
for _ in $(seq 1 100); do grep -q LISTENING "$work/up.out" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/LISTENING/ {print $2}' "$work/up.out")
cat >"$work/mesh.yaml" <<YAML
services:
  inventory:
    endpoints: ["127.0.0.1:$port"]
    timeout: 2s
    retry: { maxAttempts: 3, perTryTimeout: 1s }
    circuitBreaker: { minimumCalls: 20 }
telemetry:
  accessLog: { format: json, path: $work/access.log }
YAML
agent=(-javaagent:agent/target/jmesh-agent.jar -Djmesh.config="$work/mesh.yaml")
shop=(-jar demo-apps/legacy-shop/target/legacy-shop.jar --quiet --calls 1)
bench=(-cp benchmarks/target/classes dev.jmesh.benchmarks.CallLatency)

seconds() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }

echo "# $($java -version 2>&1 | head -1), $(nproc) cores, $rounds rounds, $calls calls per client"
echo "setup start_s(shop, 1 call) client p50_us p90_us p99_us"
for round in $(seq 1 "$rounds"); do
  t=$(seconds $java "${shop[@]}" --base "http://127.0.0.1:$port")
  $java "${bench[@]}" "http://127.0.0.1:$port" "$calls" | sed "s/^/no-agent $t /"
  t=$(seconds $java "${agent[@]}" "${shop[@]}" --base "http://inventory")
  $java "${agent[@]}" "${bench[@]}" "http://inventory" "$calls" 2>/dev/null | sed "s/^/jmesh-routed $t /"
done
