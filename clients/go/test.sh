#!/usr/bin/env bash
# The Go client's own tests (no server needed: the worker's tests use an
# in-process fake), with the race detector.
set -euo pipefail
cd "$(dirname "$0")"
go vet ./...
go test -race -count=1 ./...
