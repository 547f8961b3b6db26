#!/usr/bin/env bash
# Installs whatever is missing, and nothing that is already there: npm packages (when the lock
# file changed since the last install), Debian packages and the Go-built patch toolchain.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$HP_ROOT"
stamp=node_modules/.hp-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
bash e2e/toolchain/setup.sh
