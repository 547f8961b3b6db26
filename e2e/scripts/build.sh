#!/usr/bin/env bash
# The release build (npm run build), into dist/ of the repository:
#   dist/adapter/        the adapter as one JavaScript bundle with its Node 24 native module (adapter/scripts/build.ts)
#   dist/portal-plugin/  the production build of the portal
# Node.js 24 and its better-sqlite3 are installed into $HP_NODE24 first when missing (e2e/toolchain/node24.sh).
# Run the result with:  NODE_ENV=production MALLOC_ARENA_MAX=2 PATCHING_...=... $HP_NODE24/node/bin/node --max-semi-space-size=4 --max-old-space-size=192 dist/adapter/main.js
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$HP_ROOT"
[ -d node_modules ] || { echo "build: no node_modules: run npm ci first" >&2; exit 1; }
bash e2e/toolchain/node24.sh
node --import tsx adapter/scripts/build.ts
started=$(date +%s)
npx nx run portal-plugin:build --outputStyle=static
echo "portal-plugin: $HP_ROOT/dist/portal-plugin in $(( $(date +%s) - started )) s ($(du -sh dist/portal-plugin | cut -f1))"
echo "run it with: NODE_ENV=production MALLOC_ARENA_MAX=2 $HP_NODE24/node/bin/node --max-semi-space-size=4 --max-old-space-size=192 dist/adapter/main.js (settings: README.md, \"Configuration\")"
