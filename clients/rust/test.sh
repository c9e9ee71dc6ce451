#!/usr/bin/env bash
# The Rust client's own tests; the live ones (tests/worker_live.rs) need a
# server and are #[ignore]d here: conformance.sh covers the worker live.
set -euo pipefail
cd "$(dirname "$0")"
cargo test --quiet
