#!/usr/bin/env bash
# The whole test run: installs what is missing, starts the local stack (registry, buildkitd),
# builds the image fixtures, runs every project's tests through Nx, then the repository on its own
# under Node.js 24 (test-node24.sh: self-containment, the adapter's and shared's suites), prints one total.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$HP_ROOT"
start=$(date +%s)

bash e2e/scripts/install.sh
# The release's runtime, for the Node.js 24 part of the run (the demo does not need it).
bash e2e/toolchain/node24.sh
stack_was_running=0
bash e2e/stack/stack.sh status >/dev/null 2>&1 && stack_was_running=1
bash e2e/stack/stack.sh start
if [ "$stack_was_running" = 0 ]; then trap 'bash e2e/stack/stack.sh stop' EXIT; fi
# The stack's address, for the test processes (same defaults as oci-testkit/src/stack.ts).
export HP_REGISTRY_ADDR HP_BUILDKIT_ADDR HP_ADVISORIES HP_CACHE HP_STATE
bash e2e/fixtures/build.sh

export HP_TEST_RESULTS=$(mktemp -d)
status=0
# Static checks first (type errors, lint findings and unformatted files fail the run, but the tests still run and count).
checks=0
npx nx run-many -t typecheck,lint --outputStyle=static --skipNxCache && npm run -s format:check || { checks=1; status=1; }
npx nx run-many -t test --parallel=1 --outputStyle=stream --skipNxCache "$@" || status=$?
if [ $# -eq 0 ]; then
  node24_start=$(date +%s)
  bash e2e/scripts/test-node24.sh || status=1
  echo "Node.js 24 run: $(( $(date +%s) - node24_start )) s"
fi
# Stop what this run started before the summary, so the count line is the last line printed.
if [ "$stack_was_running" = 0 ]; then
  trap - EXIT
  bash e2e/stack/stack.sh stop
fi

# A suite that wrote no counts (it crashed or did not run) counts as one failure, so the total
# never looks green while the run is not.
suites="adapter e2e harbor-sim oci-testkit portal-plugin shared self-contained adapter-node24 shared-node24"
[ $# -gt 0 ] && suites=""
node -e '
  const fs = require("fs"), path = require("path"), dir = process.argv[1];
  const expected = process.argv[3] ? process.argv[3].split(" ") : [];
  let p = 0, f = 0, s = 0; const per = [], slow = [];
  for (const file of fs.readdirSync(dir).sort()) {
    const c = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    p += c.passed; f += c.failed; s += c.skipped;
    const suite = file.replace(/\.json$/, "");
    const ms = Object.values(c.fileMs ?? {}).reduce((a, b) => a + b, 0);
    const took = ms ? ` (${Math.round(ms / 1000)} s in test files)` : "";
    per.push(`  ${suite}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${took}`);
    for (const [name, ms] of Object.entries(c.fileMs ?? {})) slow.push([ms, `${suite}: ${name}`]);
  }
  for (const suite of expected) {
    if (fs.existsSync(path.join(dir, suite + ".json"))) continue;
    f += 1;
    per.push(`  ${suite}: no results (the suite did not run to its end)`);
  }
  if (process.argv[4] === "1") { f += 1; per.push("  static checks (typecheck, lint, format): failed"); }
  slow.sort((a, b) => b[0] - a[0]);
  console.log("\nSlowest test files:\n" + slow.slice(0, 15).map(([ms, n]) => `  ${(ms / 1000).toFixed(0).padStart(4)} s  ${n}`).join("\n"));
  console.log("\nTest suites:\n" + per.join("\n"));
  console.log(`total time: ${Math.round(Date.now() / 1000 - Number(process.argv[2]))} s`);
  console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
' "$HP_TEST_RESULTS" "$start" "$suites" "$checks"
exit $status
