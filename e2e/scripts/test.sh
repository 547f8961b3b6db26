#!/usr/bin/env bash
# The whole test run: installs what is missing, starts the local stack (registry, buildkitd),
# builds the image fixtures, runs every project's tests through Nx, then the repository on its own
# under Node.js 24 (test-node24.sh: self-containment, the adapter's and shared's suites), prints one total.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$HP_ROOT"
start=$(date +%s)
# Seconds per phase, printed with the summary (where a slow run spent its time).
phases="" phase_start=$start
phase() { local now; now=$(date +%s); phases+="  $1: $((now - phase_start)) s"$'\n'; phase_start=$now; }

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
phase "toolchain, stack and fixtures"

export HP_TEST_RESULTS=$(mktemp -d)
status=0
# Static checks first (type errors, lint findings and unformatted files fail the run, but the tests still run and count).
checks=0
npx nx run-many -t typecheck,lint --outputStyle=static --skipNxCache && npm run -s format:check || { checks=1; status=1; }
phase "static checks"
# Each adapter test file runs once: the files that run real copa patches (marked `// @runs-copa`) here, under
# Node.js 20 (the runtime of `npm start`), every other one in the Node.js 24 run (the release's runtime). What
# the copa files check does not depend on the Node.js version, and they take the adapter through HTTP, the
# store and the engine on Node.js 20 as well. A run given arguments (one project, say) runs all of them here.
if [ $# -eq 0 ]; then
  export HP_TEST_FILES_adapter=$(mktemp)
  (cd adapter && grep -rlx '// @runs-copa' test src --include='*.test.ts' | sort) > "$HP_TEST_FILES_adapter"
fi
npx nx run-many -t test --parallel=1 --outputStyle=stream --skipNxCache "$@" || status=$?
phase "tests (Node.js 20)"
if [ $# -eq 0 ]; then
  bash e2e/scripts/test-node24.sh || status=1
  phase "tests (Node.js 24)"
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
    const sum = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
    const ms = sum(c.fileMs), wall = sum(c.wallMs);
    const took = ms ? ` (${Math.round(ms / 1000)} s in tests, ${Math.round(wall / 1000)} s with start-up and hooks)` : "";
    per.push(`  ${suite}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${took}`);
    for (const [name, ms] of Object.entries(c.wallMs ?? c.fileMs ?? {}))
      slow.push([ms, `${suite}: ${name}`, c.fileMs?.[name] ?? 0]);
  }
  for (const suite of expected) {
    if (fs.existsSync(path.join(dir, suite + ".json"))) continue;
    f += 1;
    per.push(`  ${suite}: no results (the suite did not run to its end)`);
  }
  if (process.argv[4] === "1") { f += 1; per.push("  static checks (typecheck, lint, format): failed"); }
  slow.sort((a, b) => b[0] - a[0]);
  console.log("\nSlowest test files (whole file, of it in tests):\n" + slow.slice(0, 20).map(([ms, n, t]) => `  ${(ms / 1000).toFixed(0).padStart(4)} s ${(t / 1000).toFixed(0).padStart(4)} s  ${n}`).join("\n"));
  console.log("\nTest suites:\n" + per.join("\n"));
  process.stdout.write("\nPhases:\n" + process.argv[5]);
  console.log(`total time: ${Math.round(Date.now() / 1000 - Number(process.argv[2]))} s`);
  console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
' "$HP_TEST_RESULTS" "$start" "$suites" "$checks" "$phases"
exit $status
