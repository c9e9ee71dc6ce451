#!/usr/bin/env bash
# Fetches everything the Java client needs (dependencies and Maven plugins, pinned in pom.xml)
# and builds it once. Needs only a JDK 17+ and Maven 3.8+ on PATH. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null; then
    echo "setup.sh: $tool is not on PATH (the Java client needs JDK 17+ and Maven 3.8+)" >&2
    exit 1
  fi
done

./build.sh
