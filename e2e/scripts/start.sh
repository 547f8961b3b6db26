#!/usr/bin/env bash
# The local demo (`npm start`): installs what is missing, starts the patch stack (registry, buildkitd),
# builds the image fixtures, then runs the Harbor stand-in (seeded with demo users and the sample image)
# and the adapter serving the portal. Prints the URL and the demo logins; Ctrl-C stops the adapter and
# the stand-in (the stack keeps running; `npm run stop` stops everything).
#
# HP_REPLICAS=3 HP_DATABASE_URL=postgres://postgres@127.0.0.1:5432/patching_demo npm start runs three adapters
# instead (replica-1..3, each with its own data dir and port HP_ADAPTER_PORT+N) on that PostgreSQL database
# (created when missing) and two buildkitds (HP_BUILDKITDS, default 2 then), behind a round-robin front
# (e2e/lib/round-robin.ts) on HP_ADAPTER_PORT: the portal and the stand-in's webhooks go through it.
set -euo pipefail
replicas=${HP_REPLICAS:-1}
[[ "$replicas" =~ ^[1-9]$ ]] || { echo "start: HP_REPLICAS must be 1 to 9, got \"$replicas\"" >&2; exit 2; }
[ "$replicas" = 1 ] || export HP_BUILDKITDS=${HP_BUILDKITDS:-2}
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
front_pid="$run/front.pid"
replica_port() { echo $((HP_ADAPTER_PORT + $1)); }
db_shown= # the database without credentials, for messages
if [ "$replicas" != 1 ]; then
  export HP_DATABASE_URL
  db_shown=${HP_DATABASE_URL:-}
  db_shown=${db_shown##*@}
  db_shown=${db_shown%%\?*}
  [[ "${HP_DATABASE_URL:-}" =~ ^postgres(ql)?://[^/]+/([a-z_][a-z0-9_]*)(\?.*)?$ ]] \
    || die "HP_REPLICAS=$replicas needs HP_DATABASE_URL=postgres://user@host:port/database (a lower-case database name), e.g. postgres://postgres@127.0.0.1:5432/patching_demo"
fi

bash e2e/scripts/install.sh
bash e2e/stack/stack.sh start
bash e2e/fixtures/build.sh
# The demo's stand-in keeps its images in a registry of its own (the tests push hundreds of repositories into the
# stack's registry): the sample images are copied there once, then it holds what the demo's users push and patch.
bash e2e/stack/stack.sh demo-registry
for image in library/sample-app:1.0 library/multiarch-app:1.0; do
  curl -fs -o /dev/null --max-time 5 -I \
    -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' \
    "http://$HP_DEMO_REGISTRY_ADDR/v2/${image%:*}/manifests/${image##*:}" && continue
  echo "start: copying $image into the demo registry"
  skopeo copy --all --preserve-digests --src-tls-verify=false --dest-tls-verify=false \
    "docker://$HP_REGISTRY_ADDR/$image" "docker://$HP_DEMO_REGISTRY_ADDR/$image" >>"$HP_LOGS/demo-registry.log" 2>&1 \
    || { echo "start: copying $image into the demo registry failed (log: $HP_LOGS/demo-registry.log)" >&2; exit 1; }
done
mkdir -p "$run" "$HP_LOGS"

alive "$adapter_pid" adapter/src/main.ts && die "the demo is already running (pid $(cat "$adapter_pid")); stop it with: npm run stop"
alive "$sim_pid" harbor-sim/src/main.ts && die "the demo is already running (pid $(cat "$sim_pid")); stop it with: npm run stop"
answers "$harbor_url/api/v2.0/ping" && die "port $HP_HARBOR_PORT is taken; free it or set HP_HARBOR_PORT"
answers "$adapter_url/" && die "port $HP_ADAPTER_PORT is taken; free it or set HP_ADAPTER_PORT"
if [ "$replicas" != 1 ]; then
  for ((n = 1; n <= replicas; n++)); do
    alive "$run/adapter-$n.pid" adapter/src/main.ts && die "the demo is already running (replica $n, pid $(cat "$run/adapter-$n.pid")); stop it with: npm run stop"
    answers "http://127.0.0.1:$(replica_port "$n")/" && die "port $(replica_port "$n") (replica $n) is taken; free it or set HP_ADAPTER_PORT"
  done
  # The replicas' database: made when missing (the adapters migrate it).
  node -e '
    const pg = require("pg");
    const url = new URL(process.env.HP_DATABASE_URL);
    const name = decodeURIComponent(url.pathname.slice(1));
    url.pathname = "/postgres";
    const c = new pg.Client({ connectionString: url.toString() });
    (async () => {
      await c.connect();
      const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (!rowCount) { await c.query(`CREATE DATABASE "${name}"`); console.log(`start: created database ${name}`); }
      await c.end();
    })().catch((e) => { console.error(`start: PostgreSQL at ${url.host}: ${e.message}`); process.exit(1); });
  ' || die "could not reach or create the database of HP_DATABASE_URL"
fi

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
  rm -f "$adapter_pid" "$sim_pid" "$front_pid" "$run"/adapter-[0-9].pid
  say "stopped the adapter(s) and the Harbor stand-in (the registry and buildkitd keep running: npm run stop)"
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
  node --import tsx harbor-sim/src/main.ts --port "$HP_HARBOR_PORT" --registry "http://$HP_DEMO_REGISTRY_ADDR" \
  --advisories "$HP_ADVISORIES" --seed demo --external-url "http://localhost:$HP_HARBOR_PORT" \
  >>"$HP_LOGS/harbor-sim.log" 2>&1 &
children+=($!)
echo $! > "$sim_pid"
wait_http "the Harbor stand-in" "$harbor_url/api/v2.0/ping" $! "$HP_LOGS/harbor-sim.log" 60

# The settings every adapter of the demo gets (more as VAR=value before the call: they reach the adapter's
# environment, never a command line).
launch_adapter() { # port data-dir log
  local port=$1 dir=$2 log=$3
  PATCHING_HOST=127.0.0.1 \
  PATCHING_PORT="$port" \
  PATCHING_HARBOR_URL="$harbor_url" \
  PATCHING_REGISTRY_HOST="127.0.0.1:$HP_HARBOR_PORT" \
  PATCHING_ROBOT_NAME="$DEMO_ROBOT_NAME" \
  PATCHING_ROBOT_SECRET="$DEMO_ROBOT_SECRET" \
  PATCHING_WEBHOOK_SECRET="$DEMO_WEBHOOK_SECRET" \
  PATCHING_JOBSERVICE_SECRET="$DEMO_JOBSERVICE_SECRET" \
  PATCHING_DATA_DIR="$dir" \
  PATCHING_BUILDKIT_ADDR="$HP_BUILDKIT_ADDRS" \
  PATCHING_COPA_PATH="$HP_CACHE/bin/copa" \
  PATCHING_PORTAL_DIR="$portal_dir" \
  PATCHING_CONCURRENCY="${PATCHING_CONCURRENCY:-2}" \
    node --import tsx adapter/src/main.ts >>"$log" 2>&1 &
}

if [ "$replicas" = 1 ]; then
  say "starting the adapter on $adapter_url"
  launch_adapter "$HP_ADAPTER_PORT" "$HP_STATE/adapter" "$HP_LOGS/adapter.log"
  children+=($!)
  echo $! > "$adapter_pid"
  wait_http "the adapter" "$adapter_url/patching/api/v1/health" $! "$HP_LOGS/adapter.log" 60
  data_dirs="$HP_STATE/adapter"
else
  say "starting $replicas adapters on PostgreSQL $db_shown behind $adapter_url"
  targets=()
  data_dirs=
  for ((n = 1; n <= replicas; n++)); do
    port=$(replica_port "$n")
    PATCHING_DATABASE_URL="$HP_DATABASE_URL" PATCHING_REPLICA_ID="replica-$n" \
      launch_adapter "$port" "$HP_STATE/adapter-replica-$n" "$HP_LOGS/adapter-$n.log"
    children+=($!)
    echo $! > "$run/adapter-$n.pid"
    # One at a time: the first one migrates the database.
    wait_http "replica $n" "http://127.0.0.1:$port/patching/api/v1/health" $! "$HP_LOGS/adapter-$n.log" 60
    targets+=("http://127.0.0.1:$port")
    data_dirs="${data_dirs:+$data_dirs }$HP_STATE/adapter-replica-$n"
  done
  node --import tsx e2e/lib/round-robin.ts --port "$HP_ADAPTER_PORT" "${targets[@]}" >>"$HP_LOGS/front.log" 2>&1 &
  children+=($!)
  echo $! > "$front_pid"
  wait_http "the round-robin front" "$adapter_url/patching/api/v1/health" $! "$HP_LOGS/front.log" 30
  say "replicas: ${targets[*]} (logs adapter-N.log, front.log)"
fi

cat <<EOF

  harbor-patching is running: $adapter_url/patching/

  Sign in with any demo user, password Harbor12345:
    admin  system admin          alice  project admin of "library"
    mona   maintainer            dave   developer
    gina   guest                 lena   limited guest
  The project "library" holds the vulnerable sample image library/sample-app:1.0.

  Harbor stand-in: $harbor_url   Registry: http://$HP_DEMO_REGISTRY_ADDR   buildkitd: $HP_BUILDKIT_ADDRS
  Logs: $HP_LOGS (adapter.log, harbor-sim.log, demo-registry.log, registry.log, buildkitd.log)
  Data:$([ "$replicas" = 1 ] || echo " PostgreSQL $db_shown and") $data_dirs

  Press Ctrl-C to stop the adapter and the stand-in; npm run stop also stops the registry and buildkitd.

EOF
# Exits when any process ends (or on Ctrl-C); the trap stops the others.
wait -n "${children[@]}" || true
