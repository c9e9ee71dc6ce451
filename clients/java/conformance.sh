#!/usr/bin/env bash
# Builds the Java client (incrementally) and runs the conformance scenario SCENARIO_PATH against
# $ACTIONQ_SERVER. Exit code is the runner's: 0 iff every step passed.
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
  dev.actionq.conformance.ConformanceRunner "$scenario"
