#!/usr/bin/env bash
# Regenerates the Go stubs under actionq/v1 from proto/ with buf and the
# pinned local plugins. Running it twice gives byte-identical files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

"$here/setup.sh"
buf=$root/proto/node_modules/.bin/buf
if [ ! -x "$buf" ]; then
  npm install --prefix "$root/proto" --no-audit --no-fund --silent
fi

cd "$here"
rm -f actionq/v1/*.pb.go
PATH="$here/.tools/bin:$PATH" "$buf" generate --template buf.gen.yaml
