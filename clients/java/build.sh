#!/usr/bin/env bash
# Compiles the client, the conformance runner and the README example into target/classes and
# writes the runtime classpath to target/classpath.txt. Skips Maven when nothing changed since
# the last successful build, so repeated runs cost nothing.
set -euo pipefail
cd "$(dirname "$0")"

stamp=target/.build-stamp
if [[ -f $stamp && -f target/classpath.txt ]] \
    && [[ -z "$(find pom.xml src -newer "$stamp" -print -quit)" ]]; then
  exit 0
fi

mkdir -p target
touch "$stamp.next"
log=target/build.log
if ! mvn -B -q compile dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
mv "$stamp.next" "$stamp"
