#!/usr/bin/env bash
# Side-by-side benchmark of issue #10, one run, one ratio table: (a) no agent, (b) jmesh, (c) the OpenTelemetry
# Java agent, (d) jmesh + OTel, (e) an nginx hop, (f) an HAProxy hop, (g) Resilience4j in the app's code.
#
#   benchmarks/run.sh            full run (about 11 minutes on 2 cores), writes benchmarks/RESULTS.md and RESULTS-raw.csv
#   benchmarks/run.sh --quick    CI smoke run (under 2 minutes), writes benchmarks/target/quick/RESULTS.md
#   benchmarks/run.sh --help     every option (rounds, set-ups, rates, phase lengths, upstream, ...)
#
# Script-only options: --no-build (use the jars as they are, e.g. right after `mvn -B verify`).
# Environment: JAVA (java for the harness and the app JVMs; default `java`), MAVEN_ARGS (extra mvn arguments, e.g. -o).
# Needs a JDK 17+ and Maven; installs nginx and haproxy with apt-get when they are missing and it runs as root
# (without them, set-ups e and f are skipped and the upstream is demo-apps/flaky-upstream).
set -euo pipefail
cd "$(dirname "$0")/.."
java=${JAVA:-java}
mvn_args=(-B -q ${MAVEN_ARGS:-})
command_line="benchmarks/run.sh"   # as typed, for the report
for arg in "$@"; do
  if [[ "$arg" =~ ^[A-Za-z0-9_./,=:+-]+$ ]]; then command_line+=" $arg"
  elif [[ "$arg" != *"'"* ]]; then command_line+=" '$arg'"
  elif [[ "$arg" != *[\"\$\`\\]* ]]; then command_line+=" \"$arg\""
  else printf -v quoted '%q' "$arg"; command_line+=" $quoted"; fi
done

build=1
args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --help|-h) exec "$java" -cp benchmarks/target/benchmarks.jar dev.jmesh.benchmarks.harness.Harness --help ;;
    *) args+=("$arg") ;;
  esac
done

log() { echo "[run.sh] $*"; }

# 1. The jars measured: the agent and the demo upstream (built only when missing), and this module.
if [ ! -f agent/target/jmesh-agent.jar ] || [ ! -f demo-apps/flaky-upstream/target/flaky-upstream.jar ]; then
  log "building the agent and the demo upstream"
  mvn "${mvn_args[@]}" -pl agent,demo-apps/flaky-upstream -am package -DskipTests
fi
if [ "$build" = 1 ]; then
  log "building benchmarks/ (load app, harness, JMH; fetches the OpenTelemetry agent from Maven Central once)"
  if ! mvn "${mvn_args[@]}" -pl benchmarks package 2>/tmp/jmesh-bench-mvn.$$; then
    # The project's other modules are not in the local repository (a clean machine): build them too.
    log "building benchmarks/ with the modules it depends on (-am)"
    mvn "${mvn_args[@]}" -pl benchmarks -am package -DskipTests
  fi
  rm -f /tmp/jmesh-bench-mvn.$$
fi

# 2. The sidecar stand-ins, from Debian's packages, installed once.
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    # Keep the packages' own services from starting (port 80): the harness starts its own instances.
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } \
      || log "could not install ${missing[*]}: the set-ups that need them are skipped"
    [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  else
    log "${missing[*]} missing and not root: the set-ups that need them are skipped"
  fi
fi
export PATH="$PATH:/usr/sbin"

# 3. The measurement.
exec "$java" -Xmx256m -cp benchmarks/target/benchmarks.jar dev.jmesh.benchmarks.harness.Harness \
  --repo "$PWD" --java "$(command -v "$java")" --command "$command_line" "${args[@]}"
