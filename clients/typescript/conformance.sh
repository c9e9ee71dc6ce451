#!/usr/bin/env bash
# Builds the TypeScript client, its conformance runner and the README's worker
# example, then runs the conformance scenario against $ACTIONQ_SERVER.
# Usage: conformance.sh SCENARIO_PATH   (exit code = the runner's)
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
exec node dist/conformance/runner.js "$scenario"
