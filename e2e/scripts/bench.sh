#!/usr/bin/env bash
# Runs one benchmark (e2e/bench/<name>.bench.ts) against the real local stack:
#   bash e2e/scripts/bench.sh patch|policy|api|portal|replicas [args for the benchmark...]
# Installs what is missing, starts the stack and builds the fixtures first (all no-ops when ready).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$HP_ROOT"
name=${1:-}
[ -n "$name" ] || { echo "usage: $0 patch|policy|api|portal|replicas [args...]" >&2; exit 2; }
shift
file="e2e/bench/$name.bench.ts"
[ -f "$file" ] || { echo "bench: no benchmark $file (have: $(cd e2e/bench 2>/dev/null && ls *.bench.ts 2>/dev/null | sed 's/\.bench\.ts//' | tr '\n' ' '))" >&2; exit 2; }
bash e2e/scripts/install.sh
bash e2e/stack/stack.sh start
bash e2e/fixtures/build.sh
exec node --import tsx "$file" "$@"
