#!/usr/bin/env bash
# Builds the TypeScript client, its conformance runner and the README's worker
# example, runs the conformance scenario against $ACTIONQ_SERVER, then, if it
# passed, the live worker check (300 actions through the Worker helper).
# Usage: conformance.sh SCENARIO_PATH   (exits non-zero if either fails)
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 SCENARIO_PATH" >&2
  exit 2
fi
scenario=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

bash setup.sh
node_modules/.bin/tsc -p tsconfig.json
node dist/conformance/runner.js "$scenario"
exec node dist/conformance/worker_check.js
