#!/usr/bin/env bash
# Runs the node:test files (*.test.ts) under the given folders with tsx, one file at a time
# (files share the local registry and buildkitd). Usage: node-test.sh SUITE DIR [DIR...]
# Extra node options can come through HP_NODE_TEST_ARGS (e.g. --test-name-pattern=...); files whose
# path matches the extended regular expression HP_TEST_EXCLUDE are left out. HP_TEST_FILES_<SUITE>
# (the suite's name with - as _, e.g. HP_TEST_FILES_adapter) names a file that lists the only files of that
# suite to run, one path per line (npm test runs each adapter file once: see test.sh).
set -euo pipefail
suite=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
only_var="HP_TEST_FILES_${suite//-/_}"
only=${!only_var:-}
mapfile -t files < <(find "$@" -name '*.test.ts' -not -path '*/node_modules/*' | sort \
  | { if [ -n "${HP_TEST_EXCLUDE:-}" ]; then grep -Ev -- "$HP_TEST_EXCLUDE" || true; else cat; fi; } \
  | { if [ -n "$only" ]; then grep -Fxf "$only" || true; else cat; fi; })
if [ ${#files[@]} -eq 0 ]; then
  echo "no test files under $*" >&2
  exit 1
fi
export HP_TEST_SUITE=$suite
exec node --import tsx --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter="$root/e2e/scripts/count-reporter.mjs" --test-reporter-destination=stderr \
  ${HP_NODE_TEST_ARGS:-} "${files[@]}"
