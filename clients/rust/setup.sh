#!/usr/bin/env bash
# Fetches the crates and builds the library, the conformance runner and the README example, so
# that conformance.sh only has to do an incremental build. Needs only the Rust toolchain (cargo).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
command -v cargo >/dev/null || { echo "setup.sh: cargo is not installed" >&2; exit 1; }
cargo build --quiet --package actionq --lib --examples
