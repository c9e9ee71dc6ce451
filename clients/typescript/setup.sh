#!/usr/bin/env bash
# Installs what the TypeScript client needs to build, generate and test: the
# npm dependencies pinned in package.json (the runtime libraries, tsc and
# protoc-gen-es). Idempotent: a stamp skips npm when nothing changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

node_major=$(node -p 'process.versions.node.split(".")[0]')
if (( node_major < 20 )); then
  echo "actionq typescript client: Node.js >= 20 required, found $(node --version)" >&2
  exit 1
fi

stamp=node_modules/.actionq-setup
want="$(node --version) $(cksum < package.json)"
if [[ -f $stamp && $(cat "$stamp") == "$want" && -x node_modules/.bin/tsc ]]; then
  exit 0
fi
npm install --no-audit --no-fund --loglevel=error >/dev/null
echo "$want" > "$stamp"
