#!/usr/bin/env bash
# Runs every test of the repository: unit tests, the packaged agent jar, smoke tests in real JVMs.
# First installs, once, what the smoke tests need from Debian (PostgreSQL's server binaries for the JDBC tests,
# the Prometheus project's text parser for the /metrics tests), as root or with sudo; then `mvn -B verify`.
# Extra arguments go to Maven, e.g. ./test.sh -Dsmoke.forks=1
set -euo pipefail
cd "$(dirname "$0")"
.ci/setup-postgres
.ci/setup-prometheus-parser
# The smoke tests run a second time, in the same build, with the launched JVMs on Java 25 when it is installed.
java25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
if [ -x "$java25" ]; then
  exec mvn -B verify -Djmesh.test.java.also="$java25" "$@"
fi
echo "Java 25 not found at $java25: smoke tests run on Java 17 only"
exec mvn -B verify "$@"
