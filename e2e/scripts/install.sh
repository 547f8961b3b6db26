#!/usr/bin/env bash
# Installs whatever is missing, and nothing that is already there: npm packages (when the lock
# file changed since the last install), Debian packages, the Go-built patch toolchain, and Node.js 24
# with its own better-sqlite3 build (the release's runtime).
# Install scripts of dependencies run only for the packages listed under "allowScripts" in the
# root package.json (npm 11's policy); better-sqlite3 needs its native build from there.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$HP_ROOT"
stamp=node_modules/.hp-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # One npm at a time in this tree. A fresh clone gets a clean `npm ci`; an existing node_modules
  # is brought up to date in place (never wiped from under a running process).
  exec 9>"${TMPDIR:-/tmp}/hp-npm.lock"
  flock 9
  if [ -d node_modules ]; then
    echo "updating npm packages (package-lock.json changed)"
    npm install --no-audit --no-fund
  else
    echo "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
  sha256sum package-lock.json | cut -d' ' -f1 > "$stamp"
  exec 9>&-
fi
if ! node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null; then
  echo "better-sqlite3 has no working native build; rebuilding it"
  npm rebuild better-sqlite3
  node -e "new (require('better-sqlite3'))(':memory:').close()" \
    || { echo "better-sqlite3 still cannot load: check that python3, make and g++ are installed" >&2; exit 1; }
fi
bash e2e/toolchain/setup.sh
