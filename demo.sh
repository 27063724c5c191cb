#!/usr/bin/env bash
# Builds the agent and runs the legacy-shop demo protected by it, against two flaky upstreams.
# Shows the app's output, then the agent's access log. Everything stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"

mvn -B -q package -DskipTests

work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

start_upstream() { # name seed -> prints port
  java -jar demo-apps/flaky-upstream/target/flaky-upstream.jar --port 0 --name "$1" \
       --fail-503 0.2 --reset 0.05 --seed "$2" >"$work/$1.out" 2>"$work/$1.err" &
  pids+=($!)
  for _ in $(seq 1 100); do
    grep -q LISTENING "$work/$1.out" 2>/dev/null && break
    sleep 0.1
  done
  awk '/LISTENING/ {print $2}' "$work/$1.out"
}
port_a=$(start_upstream inventory-a 1)
port_b=$(start_upstream inventory-b 2)

cat >"$work/mesh.yaml" <<YAML
service: legacy-shop
services:
  inventory:
    endpoints: ["127.0.0.1:$port_a", "127.0.0.1:$port_b"]
    timeout: 2s
    retry: { maxAttempts: 5, perTryTimeout: 500ms, backoff: { base: 10ms, max: 100ms },
             retryOn: [connect-failure, reset, 5xx] }
    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 20, window: 10s, openDuration: 30s }
telemetry:
  accessLog: { format: json, path: $work/access.log }
YAML

echo "== mesh.yaml"
cat "$work/mesh.yaml"
echo
echo "== without jmesh: the shop calls http://inventory, which does not resolve"
java -jar demo-apps/legacy-shop/target/legacy-shop.jar --calls 3 || true
echo
echo "== with jmesh: same shop, same code, upstreams failing 20% with 503 and 5% with dropped connections"
java -javaagent:agent/target/jmesh-agent.jar -Djmesh.config="$work/mesh.yaml" \
     -jar demo-apps/legacy-shop/target/legacy-shop.jar --calls 30 --post-every 10
echo
echo "== access log (one line per logical call; attempts > 1 where jmesh retried)"
cat "$work/access.log"
