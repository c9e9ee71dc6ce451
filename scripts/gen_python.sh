#!/usr/bin/env bash
# Regenerates the Python stubs under clients/python/actionq/v1 from proto/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-$root/.venv/bin/python}
export PATH="$(dirname "$py"):$PATH"
out=$root/clients/python
rm -f "$out"/actionq/v1/*_pb2*.py "$out"/actionq/v1/*_pb2*.pyi
"$py" -m grpc_tools.protoc -I "$root/proto" \
  --python_out="$out" --grpc_python_out="$out" --mypy_out="$out" --mypy_grpc_out="$out" \
  "$root"/proto/actionq/v1/*.proto
touch "$out/actionq/v1/__init__.py"
