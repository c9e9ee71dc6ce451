#!/usr/bin/env bash
# The TypeScript client's own tests (node --test; the worker's run against a
# fake client, no server needed).
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh
npm test --silent
