#!/usr/bin/env bash
# Builds the conformance runner and the README example, then runs the
# scenario against $ACTIONQ_SERVER. Exits with the runner's status.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scenario=$(cd "$(dirname "${1:?usage: conformance.sh SCENARIO_PATH}")" && pwd)/$(basename "$1")

cd "$here"
go build -o bin/conformance ./cmd/conformance
go build -o bin/example-worker ./examples/worker
exec bin/conformance "$scenario"
