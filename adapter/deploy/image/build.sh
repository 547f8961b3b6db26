#!/usr/bin/env bash
# Builds the release images with buildkitd (buildctl and its built-in Dockerfile frontend; nothing is
# pulled from Docker Hub) and pushes them:
#   <registry>/harbor-patching:<version>            the adapter and portal (dist/) on Node.js 24, with copa
#   <registry>/harbor-patching-buildkitd:<version>  buildkitd, buildctl and runc for copa to patch through
# Both start from the Debian 12 root filesystem made with debootstrap (e2e/fixtures/build.sh pushes it to the
# local registry as library/debian:bookworm). An image is built again only when its inputs changed (the
# files that go into it, the Dockerfile, the base digest, the version and commit); buildkitd's own cache
# makes a rebuild with few changes quick.
#
# Usage: build.sh [--dist DIR] [--registry HOST[:PORT][/PATH]] [--only app|buildkitd] [--no-cache]
#   --dist      the release build (default: dist/ of the repository, made by npm run build)
#   --registry  where to push (default: the local registry, $HP_REGISTRY_ADDR); buildctl takes credentials
#               from ~/.docker/config.json
#   --no-cache  build from scratch (no buildkitd cache, no up-to-date check)
# Needs the local stack (bash e2e/stack/stack.sh start) and the toolchain (copa, buildkitd, buildctl in
# $HP_CACHE/bin; Node.js 24 in $HP_NODE24).
set -euo pipefail
source "$(dirname "$0")/../../../e2e/scripts/env.sh"
here="$HP_ROOT/adapter/deploy/image"
dist="$HP_ROOT/dist"
registry=$HP_REGISTRY_ADDR
only=""
no_cache=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$(cd "$2" && pwd); shift 2 ;;
    --registry) registry=${2%/}; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --no-cache) no_cache=1; shift ;;
    *) echo "usage: $0 [--dist DIR] [--registry HOST[:PORT][/PATH]] [--only app|buildkitd] [--no-cache]" >&2; exit 2 ;;
  esac
done
case "$only" in ''|app|buildkitd) ;; *) echo "image: --only takes app or buildkitd" >&2; exit 2 ;; esac

log() { echo "image: $*"; }
die() { echo "image: $*" >&2; exit 1; }
now() { date +%s%N; }
took() { local ms=$(( ($(now) - $1) / 1000000 )); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

command -v buildctl >/dev/null || die "buildctl is missing: run bash e2e/toolchain/setup.sh"
command -v skopeo >/dev/null || die "skopeo is missing: run bash e2e/toolchain/setup.sh"
timeout 10 buildctl --addr "$HP_BUILDKIT_ADDR" debug workers >/dev/null 2>&1 \
  || die "no buildkitd answers at $HP_BUILDKIT_ADDR; start the stack first: bash e2e/stack/stack.sh start"
version=$(node -p 'require(process.argv[1]).version' "$HP_ROOT/package.json")
revision=$(git -C "$HP_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
[ "$revision" = unknown ] || [ -z "$(git -C "$HP_ROOT" status --porcelain 2>/dev/null)" ] || revision="$revision-dirty"
mirror=${HP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${HP_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# The base: the debootstrap Debian the fixtures push, pinned by digest.
base_repo="$HP_REGISTRY_ADDR/library/debian"
if ! base_digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$base_repo:bookworm" 2>/dev/null); then
  log "no base image at $base_repo:bookworm yet: making it (e2e/fixtures/build.sh)"
  bash "$HP_ROOT/e2e/fixtures/build.sh"
  base_digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$base_repo:bookworm")
fi
base="$base_repo@$base_digest"

stamp="$HP_STATE/images.stamp"
mkdir -p "$HP_LOGS"
work=$(mktemp -d "${TMPDIR:-/tmp}/hp-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Links where possible (same file system), copies otherwise; either way buildkitd gets the content.
put() {
  mkdir -p "$(dirname "$2")"
  cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2" && cp -a "$1" "$2"; }
}

# build NAME DOCKERFILE CONTEXT: builds and pushes $registry/NAME:$version unless it is up to date.
build() {
  local name=$1 dockerfile=$2 ctx=$3 ref="$registry/$1:$version" key started digest meta buildlog="$HP_LOGS/image-$1.log"
  key=$( (
    cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum < "$here/$dockerfile"
    echo "$base $version $revision $mirror $security_mirror"
  ) | sha256sum | cut -c1-32)
  if [ "$no_cache" = 0 ] && grep -qx "$ref $key .*" "$stamp" 2>/dev/null; then
    digest=$(grep -x "$ref $key .*" "$stamp" | tail -n 1 | cut -d' ' -f3)
    if [ "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$ref" 2>/dev/null)" = "$digest" ]; then
      log "$ref@$digest is up to date"
      return 0
    fi
  fi
  started=$(now)
  meta="$work/$name.json"
  log "building $ref"
  local args=()
  [ "$no_cache" = 1 ] && args+=(--no-cache)
  buildctl --addr "$HP_BUILDKIT_ADDR" build --progress plain "${args[@]}" \
    --frontend dockerfile.v0 --local context="$ctx" --local dockerfile="$here" --opt filename="$dockerfile" \
    --opt build-arg:BASE="$base" --opt build-arg:VERSION="$version" --opt build-arg:REVISION="$revision" \
    --opt build-arg:DEBIAN_MIRROR="$mirror" --opt build-arg:DEBIAN_SECURITY_MIRROR="$security_mirror" \
    --output "type=image,name=$ref,push=true" --metadata-file "$meta" > "$buildlog" 2>&1 \
    || { tail -n 40 "$buildlog" >&2; die "building $ref failed (log above, full log in $buildlog)"; }
  digest=$(node -p 'require(process.argv[1])["containerimage.digest"]' "$meta")
  (
    flock 9
    { grep -v "^$ref " "$stamp" 2>/dev/null || true; echo "$ref $key $digest"; } > "$stamp.$name.tmp"
    mv "$stamp.$name.tmp" "$stamp"
  ) 9>"$stamp.lock"
  local size
  size=$(skopeo inspect --tls-verify=false --raw "docker://$registry/$name@$digest" 2>/dev/null \
    | node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const n = m.layers.reduce((s, l) => s + l.size, m.config.size);
        console.log(`${(n / 1024 / 1024).toFixed(1)} MB compressed, ${m.layers.length} layers`)' || echo "size unknown")
  log "pushed $ref@$digest in $(took "$started") s ($size)"
}

builds=()
if [ "$only" != buildkitd ]; then
  [ -f "$dist/adapter/main.js" ] || die "no release build in $dist: run npm run build first"
  [ -f "$dist/portal-plugin/index.html" ] || die "no production portal in $dist/portal-plugin: run npm run build first"
  [ -x "$HP_NODE24/node/bin/node" ] || die "Node.js 24 is not installed in $HP_NODE24: run bash e2e/toolchain/node24.sh"
  [ -x "$HP_CACHE/bin/copa" ] || die "copa is not built: run bash e2e/toolchain/setup.sh"
  ctx="$work/app"
  put "$HP_NODE24/node/bin/node" "$ctx/node"
  put "$HP_CACHE/bin/copa" "$ctx/copa"
  put "$dist/adapter" "$ctx/app/adapter"
  put "$dist/portal-plugin" "$ctx/app/portal-plugin"
  put "$HP_NODE24/node/LICENSE" "$ctx/app/licenses/node.js.txt"
  put "$here/healthcheck.mjs" "$ctx/app/healthcheck.mjs"
  build harbor-patching Dockerfile "$ctx" &
  builds+=($!)
fi
if [ "$only" != app ]; then
  [ -x "$HP_CACHE/bin/buildkitd" ] || die "buildkitd is not built: run bash e2e/toolchain/setup.sh"
  ctx="$work/buildkitd"
  put "$HP_CACHE/bin/buildkitd" "$ctx/buildkitd"
  put "$HP_CACHE/bin/buildctl" "$ctx/buildctl"
  put "$here/buildkitd.toml" "$ctx/buildkitd.toml"
  build harbor-patching-buildkitd Dockerfile.buildkitd "$ctx" &
  builds+=($!)
fi
# Both at once: a cold build spends most of its time waiting for Debian's mirror.
failed=0
for pid in "${builds[@]}"; do wait "$pid" || failed=1; done
exit $failed
