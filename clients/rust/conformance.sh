#!/usr/bin/env bash
# Builds the conformance runner and the README example, runs SCENARIO_PATH against
# $ACTIONQ_SERVER and, once the scenario passed, the live worker check (`conformance --worker`:
# 300 actions through the worker helper). Exits non-zero as soon as either fails.
set -euo pipefail
if [[ $# -ne 1 ]]; then
    echo "usage: $0 SCENARIO_PATH" >&2
    exit 2
fi
scenario="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
cargo build --quiet --package actionq --examples
cargo run --quiet --package actionq --example conformance -- "$scenario"
exec cargo run --quiet --package actionq --example conformance -- --worker
