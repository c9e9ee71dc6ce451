#!/usr/bin/env bash
# Regenerates the committed gRPC/protobuf stubs in src/main/generated from ../../proto.
# protoc and protoc-gen-grpc-java come from Maven Central at the versions pinned in pom.xml
# (protobuf.version, grpc.version); the same inputs always give byte-identical files.
set -euo pipefail
cd "$(dirname "$0")"

scratch="$PWD/target/gen-stubs"
log=target/gen.log
rm -rf "$scratch"
mkdir -p target
if ! mvn -B -q -Pgen generate-sources -Dactionq.gen.outputDirectory="$scratch" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
rm -rf src/main/generated
mv "$scratch" src/main/generated
