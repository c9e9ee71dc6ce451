#!/usr/bin/env bash
# Runs clients/<lang>/<step>.sh for every client whose toolchain is installed.
# Without a toolchain: a failure in CI (CI=true), a clear skip elsewhere.
# Usage: scripts/each_client.sh setup|gen|test
set -euo pipefail
step=${1:?usage: each_client.sh setup|gen|test}
root=$(cd "$(dirname "$0")/.." && pwd)
declare -A tools=([go]="go" [typescript]="node npm" [java]="java mvn" [rust]="cargo")
for lang in go typescript java rust; do
  script=$root/clients/$lang/$step.sh
  [ -f "$script" ] || continue
  missing=""
  for tool in ${tools[$lang]}; do
    command -v "$tool" >/dev/null || missing="$missing $tool"
  done
  if [ -n "$missing" ]; then
    if [ "${CI:-}" = "true" ]; then
      echo "clients/$lang: missing toolchain:$missing (required in CI)" >&2
      exit 1
    fi
    echo "== skip clients/$lang $step: missing$missing"
    continue
  fi
  echo "== $step clients/$lang"
  bash "$script"
done
