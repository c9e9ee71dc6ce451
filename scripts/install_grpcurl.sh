#!/usr/bin/env bash
# Installs grpcurl (a real third-party gRPC client) into .tools/bin for the
# reflection test. Without Go: a failure in CI, a skip elsewhere.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=v1.9.3
bin=$root/.tools/bin
if [ -x "$bin/grpcurl" ] && [ "$(cat "$bin/.grpcurl-version" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
if ! command -v go >/dev/null; then
  if [ "${CI:-}" = "true" ]; then echo "grpcurl needs go (required in CI)" >&2; exit 1; fi
  echo "== skip grpcurl: go is not installed"; exit 0
fi
mkdir -p "$bin"
GOBIN=$bin GOFLAGS=-mod=mod go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$version"
echo "$version" > "$bin/.grpcurl-version"
