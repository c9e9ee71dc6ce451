#!/usr/bin/env bash
# Regenerates the committed stubs in src/gen/ from the repository's proto/ (the single source).
# The generator is the pinned `gen` member crate: tonic-prost-build with a protoc from protoc-bin-vendored.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
proto_root="$(cd "$here/../../proto" && pwd)"
cd "$here"
cargo run --quiet --package actionq-gen -- "$proto_root" "$here/src/gen"
