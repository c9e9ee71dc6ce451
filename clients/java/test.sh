#!/usr/bin/env bash
# The Java client's own unit tests (JUnit 5 under Maven Surefire): lossless JSON, typed errors
# from status details, Enqueue's retry under one request_id and the worker's JSON in and out,
# each against an in-process stand-in server. No live server needed: conformance.sh covers that.
# Prints Surefire's per-class and closing "Tests run:" lines; the whole log only on failure.
set -euo pipefail
cd "$(dirname "$0")"

mkdir -p target
log=target/test.log
if ! mvn -B test >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
grep -E '^\[(INFO|WARNING)\] Tests run:' "$log"
