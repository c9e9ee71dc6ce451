#!/usr/bin/env bash
# Regenerates the TypeScript stubs under src/gen with buf and the pinned
# protoc-gen-es: actionq.v1 from proto/ (the single source of the API) and
# google.rpc's error details from the pinned googleapis protos (see
# buf.gen.yaml). Idempotent and deterministic: running it twice yields
# byte-identical files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
buf=$root/proto/node_modules/.bin/buf

if [[ ! -x $buf ]]; then
  npm install --prefix "$root/proto" --no-audit --no-fund --silent
fi
# protoc-gen-es and the googleapis protos (google-proto-files) are pinned npm
# packages; setup.sh is a no-op when they are installed already.
bash "$here/setup.sh"

cd "$here"
PATH="$here/node_modules/.bin:$PATH" "$buf" generate --template buf.gen.yaml
