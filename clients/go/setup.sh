#!/usr/bin/env bash
# Fetches what the Go client needs to build, test and regenerate its stubs:
# the module's dependencies and the pinned protoc plugins (into .tools/bin).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

protoc_gen_go_version=v1.36.12
protoc_gen_go_grpc_version=v1.6.2

command -v go >/dev/null || { echo "setup.sh: the Go toolchain (go) is not on PATH" >&2; exit 1; }

go mod download

bin=$here/.tools/bin
mkdir -p "$bin"
# Reinstall a plugin only when it is missing or reports another version
# (protoc-gen-go prints "v1.36.12", protoc-gen-go-grpc prints "1.6.2").
install_plugin() {
  local name=$1 pkg=$2 version=$3 have
  have=$("$bin/$name" --version 2>/dev/null | awk '{print $2}') || true
  if [ "${have#v}" != "${version#v}" ]; then
    GOBIN=$bin go install "$pkg@$version"
  fi
}
install_plugin protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go "$protoc_gen_go_version"
install_plugin protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc "$protoc_gen_go_grpc_version"
