# Sourced by every script: where things live and which ports the local stack uses.
# All of it can be overridden from the environment. Nothing here lives inside the repository.
export HP_ROOT=${HP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# Toolchain binaries, the debootstrap rootfs and image layouts: slow to make, kept between runs.
export HP_CACHE=${HP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/harbor-patching}
# Node.js 24 (the release's runtime) and better-sqlite3 built for it (e2e/toolchain/node24.sh).
export HP_NODE24=${HP_NODE24:-$HP_CACHE/node24}
# Running services: registry storage, buildkitd root and socket, pid files, logs, demo data.
export HP_STATE=${HP_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/harbor-patching}
export HP_LOGS=${HP_LOGS:-$HP_STATE/logs}
# The plain distribution registry that holds the images (Harbor's registry in a real install).
export HP_REGISTRY_ADDR=${HP_REGISTRY_ADDR:-127.0.0.1:5000}
# The demo's (npm start) own registry behind its Harbor stand-in; the tests never push there.
export HP_DEMO_REGISTRY_ADDR=${HP_DEMO_REGISTRY_ADDR:-127.0.0.1:5001}
export HP_BUILDKIT_ADDR=${HP_BUILDKIT_ADDR:-unix://$HP_STATE/buildkit/buildkitd.sock}
# How many buildkitds the stack runs (1-4). The first is HP_BUILDKIT_ADDR; buildkitd N (N >= 2) has its own
# root and socket under $HP_STATE/buildkit-N. HP_BUILDKIT_ADDRS lists them all, comma-separated (the form
# PATCHING_BUILDKIT_ADDR takes).
export HP_BUILDKITDS=${HP_BUILDKITDS:-1}
hp_buildkit_addr() { # N
  if [ "$1" = 1 ]; then echo "$HP_BUILDKIT_ADDR"; else echo "unix://$HP_STATE/buildkit-$1/buildkitd.sock"; fi
}
HP_BUILDKIT_ADDRS=$HP_BUILDKIT_ADDR
for ((hp_i = 2; hp_i <= HP_BUILDKITDS; hp_i++)); do HP_BUILDKIT_ADDRS="$HP_BUILDKIT_ADDRS,$(hp_buildkit_addr "$hp_i")"; done
export HP_BUILDKIT_ADDRS
unset hp_i
# The Harbor stand-in and the adapter for the local demo (tests start their own on free ports).
export HP_HARBOR_PORT=${HP_HARBOR_PORT:-8380}
export HP_ADAPTER_PORT=${HP_ADAPTER_PORT:-8480}
# The advisory file the image fixtures write and the Harbor stand-in's scanner reads.
export HP_ADVISORIES=${HP_ADVISORIES:-$HP_CACHE/fixtures/advisories.json}
export PATH="$HP_CACHE/bin:$PATH"
