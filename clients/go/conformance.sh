#!/usr/bin/env bash
# Builds the conformance runner, the live worker check and the README example,
# runs the scenario against $ACTIONQ_SERVER and, once it passed, the worker
# check (cmd/workercheck). Exits non-zero when either fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scenario=$(cd "$(dirname "${1:?usage: conformance.sh SCENARIO_PATH}")" && pwd)/$(basename "$1")

cd "$here"
go build -o bin/conformance ./cmd/conformance
go build -o bin/workercheck ./cmd/workercheck
go build -o bin/example-worker ./examples/worker
bin/conformance "$scenario"
exec bin/workercheck
