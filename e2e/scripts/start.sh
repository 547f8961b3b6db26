#!/usr/bin/env bash
# The local demo (`npm start`): installs what is missing, starts the patch stack (registry, buildkitd),
# builds the image fixtures, then runs the Harbor stand-in (seeded with demo users and the sample image)
# and the adapter serving the portal. Prints the URL and the demo logins; Ctrl-C stops the adapter and
# the stand-in (the stack keeps running; `npm run stop` stops everything).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$HP_ROOT"

run="$HP_STATE/run"
demo_env="$HP_STATE/demo.env"
adapter_pid="$run/adapter.pid"
sim_pid="$run/harbor-sim.pid"
harbor_url="http://127.0.0.1:$HP_HARBOR_PORT"
adapter_url="http://127.0.0.1:$HP_ADAPTER_PORT"

say() { echo "start: $*"; }
die() { echo "start: $*" >&2; exit 1; }
alive() { # pidfile command-pattern: the pid is alive and still that program
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && tr '\0' ' ' < "/proc/$(cat "$1")/cmdline" | grep -qF -- "$2"
}
answers() { curl -fs -o /dev/null --max-time 2 "$1"; }

bash e2e/scripts/install.sh
bash e2e/stack/stack.sh start
bash e2e/fixtures/build.sh
mkdir -p "$run" "$HP_LOGS"

alive "$adapter_pid" adapter/src/main.ts && die "the demo is already running (pid $(cat "$adapter_pid")); stop it with: npm run stop"
alive "$sim_pid" harbor-sim/src/main.ts && die "the demo is already running (pid $(cat "$sim_pid")); stop it with: npm run stop"
answers "$harbor_url/api/v2.0/ping" && die "port $HP_HARBOR_PORT is taken; free it or set HP_HARBOR_PORT"
answers "$adapter_url/" && die "port $HP_ADAPTER_PORT is taken; free it or set HP_ADAPTER_PORT"

# Secrets of the demo install: made once, kept (mode 0600) so the adapter's data stays usable.
if [ ! -f "$demo_env" ]; then
  secret() { tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 24; }
  (umask 077; cat > "$demo_env" <<EOF
# Secrets of the local demo, made by e2e/scripts/start.sh. Remove this file to get new ones.
DEMO_ROBOT_NAME='robot\$patcher'
DEMO_ROBOT_SECRET='Rb1$(secret)'
DEMO_WEBHOOK_SECRET='$(secret)'
DEMO_JOBSERVICE_SECRET='$(secret)'
EOF
  )
fi
# shellcheck disable=SC1090
source "$demo_env"

say "building the portal (npx nx run portal-plugin:build)"
npx nx run portal-plugin:build --outputStyle=stream >"$HP_LOGS/portal-build.log" 2>&1 \
  || { tail -n 40 "$HP_LOGS/portal-build.log" >&2; die "the portal build failed (log above, full log in $HP_LOGS/portal-build.log)"; }
portal_dir=$(node -e '
  const o = require("./angular.json").projects["portal-plugin"].architect.build.options.outputPath;
  const base = typeof o === "string" ? o : o.base;
  const browser = typeof o === "string" ? "browser" : (o.browser ?? "browser");
  console.log(require("path").resolve(base, browser));')
[ -f "$portal_dir/index.html" ] || die "the portal build left no index.html in $portal_dir"

children=()
cleanup() {
  trap - INT TERM EXIT
  local pid
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$adapter_pid" "$sim_pid"
  say "stopped the adapter and the Harbor stand-in (the registry and buildkitd keep running: npm run stop)"
}
trap cleanup INT TERM EXIT

wait_http() { # name url pid log seconds
  local i
  for ((i = 0; i < $5 * 5; i++)); do
    answers "$2" && return 0
    kill -0 "$3" 2>/dev/null || { tail -n 30 "$4" >&2; die "$1 exited during start-up (log above, full log in $4)"; }
    sleep 0.2
  done
  tail -n 30 "$4" >&2
  die "$1 did not answer $2 within $5 s (log: $4)"
}

say "starting the Harbor stand-in on $harbor_url"
# The robot secret goes through the environment, never the command line (visible to anyone in ps).
# Its token service is announced as localhost, not 127.0.0.1: copa reads image indexes through a registry
# library that refuses a token realm on a loopback or private IP address (see README, "Patched tags").
HARBOR_SIM_ROBOTS="$DEMO_ROBOT_NAME:$DEMO_ROBOT_SECRET" \
  node --import tsx harbor-sim/src/main.ts --port "$HP_HARBOR_PORT" --registry "http://$HP_REGISTRY_ADDR" \
  --advisories "$HP_ADVISORIES" --seed demo --external-url "http://localhost:$HP_HARBOR_PORT" \
  >>"$HP_LOGS/harbor-sim.log" 2>&1 &
children+=($!)
echo $! > "$sim_pid"
wait_http "the Harbor stand-in" "$harbor_url/api/v2.0/ping" $! "$HP_LOGS/harbor-sim.log" 60

say "starting the adapter on $adapter_url"
PATCHING_HOST=127.0.0.1 \
PATCHING_PORT="$HP_ADAPTER_PORT" \
PATCHING_HARBOR_URL="$harbor_url" \
PATCHING_REGISTRY_HOST="127.0.0.1:$HP_HARBOR_PORT" \
PATCHING_ROBOT_NAME="$DEMO_ROBOT_NAME" \
PATCHING_ROBOT_SECRET="$DEMO_ROBOT_SECRET" \
PATCHING_WEBHOOK_SECRET="$DEMO_WEBHOOK_SECRET" \
PATCHING_JOBSERVICE_SECRET="$DEMO_JOBSERVICE_SECRET" \
PATCHING_DATA_DIR="$HP_STATE/adapter" \
PATCHING_BUILDKIT_ADDR="$HP_BUILDKIT_ADDRS" \
PATCHING_COPA_PATH="$HP_CACHE/bin/copa" \
PATCHING_PORTAL_DIR="$portal_dir" \
PATCHING_CONCURRENCY="${PATCHING_CONCURRENCY:-2}" \
  node --import tsx adapter/src/main.ts >>"$HP_LOGS/adapter.log" 2>&1 &
children+=($!)
echo $! > "$adapter_pid"
wait_http "the adapter" "$adapter_url/patching/api/v1/health" $! "$HP_LOGS/adapter.log" 60

cat <<EOF

  harbor-patching is running: $adapter_url/patching/

  Sign in with any demo user, password Harbor12345:
    admin  system admin          alice  project admin of "library"
    mona   maintainer            dave   developer
    gina   guest                 lena   limited guest
  The project "library" holds the vulnerable sample image library/sample-app:1.0.

  Harbor stand-in: $harbor_url   Registry: http://$HP_REGISTRY_ADDR   buildkitd: $HP_BUILDKIT_ADDRS
  Logs: $HP_LOGS (adapter.log, harbor-sim.log, registry.log, buildkitd.log)
  Data: $HP_STATE/adapter

  Press Ctrl-C to stop the adapter and the stand-in; npm run stop also stops the registry and buildkitd.

EOF
# Exits when either process ends (or on Ctrl-C); the trap stops the other one.
wait -n "${children[@]}" || true
