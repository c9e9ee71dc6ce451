#!/usr/bin/env bash
# Debian's chromium and chromium-driver, which tests/e2e/test_dashboard.py drives
# through selenium. Installs them only when one is missing; fails loudly when
# they cannot be installed (the browser tests must run in CI, not skip).
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_browser: chromium and chromedriver are missing and there is no apt-get;" \
    "install a chromium and its matching chromedriver on PATH" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "install_browser: installing Debian's chromium and chromium-driver"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null
