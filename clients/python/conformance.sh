#!/usr/bin/env bash
# Type-checks the README example, then runs the conformance scenario with the
# Python client against $ACTIONQ_SERVER. Usage: conformance.sh SCENARIO_PATH
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=${PYTHON:-$root/.venv/bin/python}
"$py" -m mypy --strict --no-error-summary "$here/examples/worker.py" >&2
exec "$py" "$here/conformance.py" "${1:?usage: conformance.sh SCENARIO_PATH}"
