#!/usr/bin/env bash
# The repository on its own, under Node.js 24 (part of npm test). Copies the checkout's files (no
# node_modules, no build output) into an empty temporary folder, so nothing beside the repository can be
# read, and runs there:
#  - the static check that no file refers to a path outside the repository (check-self-contained.mjs);
#  - the code generation check (gen:api --check) and the Harbor stand-in's contract test, which read
#    Harbor's API contract;
#  - the adapter's and shared's test suites (the adapter's files that run real copa patches run once, in the
#    main run under Node.js 20: copa is its own program and what they check does not depend on Node.js;
#    every other adapter file, the process and TLS tests included, runs here too),
# all with Node.js 24 ($HP_NODE24, e2e/toolchain/node24.sh). The copy's node_modules links to this
# checkout's packages, except better-sqlite3, which is the build for Node 24.
# Usage: test-node24.sh [SUITE...]   (adapter, shared, self-contained; default: all)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$HP_ROOT"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(self-contained adapter shared)
node24="$HP_NODE24/node/bin"
sqlite24="$HP_NODE24/modules/node_modules/better-sqlite3"
[ -x "$node24/node" ] && [ -d "$sqlite24" ] \
  || { echo "test-node24: Node.js 24 is not installed in $HP_NODE24: run bash e2e/toolchain/node24.sh" >&2; exit 1; }

# The adapter's test files that run real copa patches, marked by a line `// @runs-copa` (left out here, see above).
copa_files=$(cd adapter && grep -rlx '// @runs-copa' test src --include='*.test.ts' | sed 's/[.]/[.]/g; s/^/^/; s/$/$/' | paste -sd'|')

outer=$(mktemp -d "${TMPDIR:-/tmp}/hp-node24.XXXXXX")
trap 'rm -rf "$outer"' EXIT
copy="$outer/harbor-patching"
mkdir "$copy"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard \
    | tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$copy"
else
  tar --exclude=./node_modules --exclude='./*/node_modules' --exclude=./dist --exclude=./.nx --exclude=./.angular \
    --exclude=./tmp -cf - . | tar -xf - -C "$copy"
fi

mkdir "$copy/node_modules" "$copy/node_modules/@harbor-patching"
for entry in node_modules/* node_modules/.bin; do
  name=${entry#node_modules/}
  case $name in better-sqlite3 | @harbor-patching) continue ;; esac
  ln -s "$HP_ROOT/$entry" "$copy/node_modules/$name"
done
ln -s "$sqlite24" "$copy/node_modules/better-sqlite3"
for workspace in adapter e2e harbor-sim oci-testkit portal-plugin shared; do
  ln -s "../../$workspace" "$copy/node_modules/@harbor-patching/$workspace"
  [ -d "$workspace/node_modules" ] && ln -s "$HP_ROOT/$workspace/node_modules" "$copy/$workspace/node_modules"
done

export PATH="$node24:$PATH"
echo "test-node24: $(node --version) in $copy"
cd "$copy"
status=0
for suite in "${suites[@]}"; do
  case $suite in
    self-contained)
      if node e2e/scripts/check-self-contained.mjs && (cd shared && node --import tsx scripts/gen-api.ts --check); then
        (cd harbor-sim && bash ../e2e/scripts/node-test.sh self-contained test/contract.test.ts) || status=1
      else
        status=1
      fi
      ;;
    adapter)
      (cd adapter && HP_TEST_EXCLUDE="$copa_files" bash ../e2e/scripts/node-test.sh adapter-node24 src test) || status=1
      ;;
    shared) (cd shared && bash ../e2e/scripts/node-test.sh shared-node24 src) || status=1 ;;
    *) echo "test-node24: unknown suite $suite (adapter, shared, self-contained)" >&2; exit 2 ;;
  esac
done
exit $status
