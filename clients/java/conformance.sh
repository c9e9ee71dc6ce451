#!/usr/bin/env bash
# Builds the Java client (incrementally) and runs the conformance scenario SCENARIO_PATH against
# $ACTIONQ_SERVER, then (in the same JVM, --worker-check) the live check of the worker helper:
# 300 actions handled by Worker, all completed but one that fails on purpose, each handled once.
# Exit code is the runner's: 0 iff every step and the worker check passed.
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 SCENARIO_PATH" >&2
  exit 2
fi
scenario="$(realpath "$1")"
cd "$(dirname "$0")"

./build.sh
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -cp "target/classes:$(cat target/classpath.txt)" \
  dev.actionq.conformance.ConformanceRunner "$scenario" --worker-check
