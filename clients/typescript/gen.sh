#!/usr/bin/env bash
# Regenerates the TypeScript stubs under src/gen from proto/ (the single source
# of the API) with buf and the pinned protoc-gen-es. Idempotent and
# deterministic: running it twice yields byte-identical files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
buf=$root/proto/node_modules/.bin/buf

if [[ ! -x $buf ]]; then
  npm install --prefix "$root/proto" --no-audit --no-fund --silent
fi
if [[ ! -x $here/node_modules/.bin/protoc-gen-es ]]; then
  bash "$here/setup.sh"
fi

cd "$here"
PATH="$here/node_modules/.bin:$PATH" "$buf" generate --template buf.gen.yaml
