#!/usr/bin/env bash
# Start-up CPU of the jdbc-app demo (H2 in memory, HikariCP, 20 iterations) without the agent and with each
# agent jar given, runs interleaved so that a change in the machine's load hits every kind alike. Prints each
# run's process CPU (user+sys seconds, /usr/bin/time) and the median of each kind: CPU time, not wall time,
# because the machines this runs on are shared and busy.
#   benchmarks/jdbc-startup.sh [runs] [agent jar ...]    (after mvn -pl agent,demo-apps/jdbc-app -am install)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
shift || true
agents=("$@")
[ ${#agents[@]} -gt 0 ] || agents=(agent/target/jmesh-agent.jar)
app=demo-apps/jdbc-app/target/jdbc-app.jar
java=${JAVA:-java}
args=(--url "jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1" --user sa --password x --pool hikari --iterations 20 --interval-ms 1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpu() { # kind, java args...
  local kind=$1; shift
  /usr/bin/time -f "%U %S" -o "$out/time" "$java" "$@" -jar "$app" "${args[@]}" > /dev/null 2> "$out/stderr"
  awk -v k="$kind" '{ printf "%s %.2f\n", k, $1 + $2 }' "$out/time" | tee -a "$out/all"
}
for i in $(seq "$runs"); do
  cpu no-agent
  for jar in "${agents[@]}"; do
    cpu "$jar" "-javaagent:$jar"
  done
done
for kind in no-agent "${agents[@]}"; do
  grep -F "$kind " "$out/all" | awk '{ print $2 }' | sort -n \
    | awk -v k="$kind" '{ v[NR] = $1 } END { printf "median %s %.2f s CPU (%d runs)\n", k, v[int((NR + 1) / 2)], NR }'
done
