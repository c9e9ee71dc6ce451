#!/usr/bin/env bash
# Installs tmux (Debian's package) for the `actionctl top` test, which drives
# the real terminal UI in an 80x24 tmux pane. Only when it is missing; in CI a
# failure to install is a failure, elsewhere the test says what is missing.
set -euo pipefail
if command -v tmux >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then echo "tmux is required in CI and cannot be installed here" >&2; exit 1; fi
echo "== skip tmux: not installed (apt-get install tmux)"
