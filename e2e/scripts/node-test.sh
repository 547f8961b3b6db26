#!/usr/bin/env bash
# Runs the node:test files (*.test.ts) under the given folders with tsx, one file at a time
# (files share the local registry and buildkitd). Usage: node-test.sh SUITE DIR [DIR...]
# Extra node options can come through HP_NODE_TEST_ARGS (e.g. --test-name-pattern=...); files whose
# path matches the extended regular expression HP_TEST_EXCLUDE are left out.
set -euo pipefail
suite=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
mapfile -t files < <(find "$@" -name '*.test.ts' -not -path '*/node_modules/*' | sort \
  | { if [ -n "${HP_TEST_EXCLUDE:-}" ]; then grep -Ev -- "$HP_TEST_EXCLUDE" || true; else cat; fi; })
if [ ${#files[@]} -eq 0 ]; then
  echo "no test files under $*" >&2
  exit 1
fi
export HP_TEST_SUITE=$suite
exec node --import tsx --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter="$root/e2e/scripts/count-reporter.mjs" --test-reporter-destination=stderr \
  ${HP_NODE_TEST_ARGS:-} "${files[@]}"
