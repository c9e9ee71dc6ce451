#!/usr/bin/env bash
# Builds the conformance runner and the README example, then runs SCENARIO_PATH against
# $ACTIONQ_SERVER. The exit code is the runner's.
set -euo pipefail
if [[ $# -ne 1 ]]; then
    echo "usage: $0 SCENARIO_PATH" >&2
    exit 2
fi
scenario="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
cargo build --quiet --package actionq --examples
exec cargo run --quiet --package actionq --example conformance -- "$scenario"
