#!/usr/bin/env bash
# Runs every test of the repository: unit tests, the packaged agent jar, smoke tests in real JVMs.
# First installs, once, what the smoke tests need from Debian (PostgreSQL's server binaries for the JDBC tests,
# the Prometheus project's text parser for the /metrics tests), as root or with sudo; then `mvn -B verify`.
# Extra arguments go to Maven, e.g. ./test.sh -Djmesh.test.java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
set -euo pipefail
cd "$(dirname "$0")"
.ci/setup-postgres
.ci/setup-prometheus-parser
exec mvn -B verify "$@"
