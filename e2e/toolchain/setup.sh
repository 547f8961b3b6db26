#!/usr/bin/env bash
# Installs the patch toolchain, and only what is missing:
#  - Debian packages: runc (buildkitd's OCI runtime), docker-registry, debootstrap, umoci and skopeo
#    (image fixtures), chromium (UI tests), nginx (the test of Harbor's nginx in front of the service),
#    xz-utils/zstd/curl and the archive keyring;
#  - copa, buildkitd and buildctl, built with Go from the pinned tools module (e2e/toolchain/tools)
#    into $HP_CACHE/bin. They are rebuilt only when the module's go.mod/go.sum (or the Go version) change;
#  - qemu-i386-static in $HP_CACHE/bin (see below);
#  - helm (the Helm chart's tests), from its own pinned module (e2e/toolchain/tools/helm), the same way;
#  - cosign (image signing), from its own pinned module (e2e/toolchain/tools/cosign), the same way.
# Safe to run again: when everything is in place it takes well under a second.
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
tools="$HP_ROOT/e2e/toolchain/tools"
bin="$HP_CACHE/bin"

die() { echo "toolchain: $*" >&2; exit 1; }

# --- Debian packages -------------------------------------------------------------------------
debs=(runc docker-registry debootstrap umoci skopeo chromium nginx xz-utils zstd curl ca-certificates gpgv
  debian-archive-keyring)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]}. Run as root, or: sudo apt-get install ${missing[*]}"
  echo "toolchain: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed (see above)"
fi
for cmd in runc docker-registry debootstrap umoci skopeo chromium xz curl; do
  command -v "$cmd" >/dev/null || die "'$cmd' is not on PATH although its package is installed"
done

# --- qemu-i386-static for copa ----------------------------------------------------------------
# copa refuses to patch a platform of an image index other than the host's unless it finds QEMU for it
# (a binfmt_misc entry or qemu-<arch>-static on PATH), even for linux/386, which an x86_64 kernel runs
# natively (buildkitd then runs it without QEMU). The binary is taken out of Debian's qemu-user-static
# package (apt-get download, no install: that would pull in 380 MB and register binfmt handlers).
if [ "$(uname -m)" = x86_64 ] && [ ! -x "$bin/qemu-i386-static" ]; then
  echo "toolchain: fetching qemu-i386-static out of Debian's qemu-user-static package (about 60 MB)"
  mkdir -p "$bin"
  q=$(mktemp -d "${TMPDIR:-/tmp}/hp-qemu.XXXXXX")
  (cd "$q" && apt-get download qemu-user-static >/dev/null 2>&1) \
    || { rm -rf "$q"; die "apt-get download qemu-user-static failed (run apt-get update?)"; }
  dpkg-deb -x "$q"/qemu-user-static_*.deb "$q/x" && install -m 0755 "$q/x/usr/bin/qemu-i386-static" "$bin/qemu-i386-static" \
    || { rm -rf "$q"; die "qemu-user-static has no usr/bin/qemu-i386-static"; }
  rm -rf "$q"
fi

# Some x86_64 kernels do not run 32-bit binaries (IA32 emulation off, as on some virtual machines): then
# debootstrap --arch=i386 (the multi-platform fixture) and buildkitd's linux/386 steps need QEMU through a
# binfmt_misc handler. The check runs a 96-byte i386 program that only exits; the handler ('F': the
# interpreter is opened now, so it also works inside chroots and containers) lasts until the next reboot.
if [ "$(uname -m)" = x86_64 ]; then
  probe=$(mktemp "${TMPDIR:-/tmp}/hp-i386.XXXXXX")
  base64 -d > "$probe" <<'ELF'
f0VMRgEBAQAAAAAAAAAAAAIAAwABAAAAVIAECDQAAAAAAAAAAAAAADQAIAABAAAAAAAAAAEAAAAAAAAAAIAECACABAhgAAAAYAAAAAUAAAAAEAAAuAEAAAC7AAAAAM2A
ELF
  chmod +x "$probe"
  if ! "$probe" 2>/dev/null; then
    binfmt=/proc/sys/fs/binfmt_misc
    [ "$(id -u)" = 0 ] || { rm -f "$probe"; die "this kernel cannot run i386 binaries; as root, register a binfmt_misc handler for $bin/qemu-i386-static (or run this script as root)"; }
    [ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" \
      || { rm -f "$probe"; die "this kernel cannot run i386 binaries and binfmt_misc cannot be mounted at $binfmt"; }
    if [ ! -e "$binfmt/qemu-i386" ]; then
      echo "toolchain: this kernel does not run i386 binaries; registering $bin/qemu-i386-static as their binfmt_misc handler"
      printf '%s' ":qemu-i386:M::\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00:\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:$bin/qemu-i386-static:F" \
        > "$binfmt/register" || { rm -f "$probe"; die "registering the qemu-i386 binfmt_misc handler failed"; }
    fi
    "$probe" || { rm -f "$probe"; die "i386 binaries still do not run after registering $bin/qemu-i386-static with binfmt_misc"; }
  fi
  rm -f "$probe"
fi

# --- Go-built binaries -----------------------------------------------------------------------
command -v go >/dev/null || die "Go is not installed. copa v0.14.2 needs Go >= 1.25.9 (https://go.dev/dl/), on PATH as 'go'."
gover=$(go env GOVERSION)
stamp_want=$(cat "$tools/go.mod" "$tools/go.sum" "$tools/tools.go" <(echo "$gover") | sha256sum | cut -d' ' -f1)
stamp_file="$bin/.toolchain-stamp"

# helm: its own module and stamp; checked first, since an up-to-date copa ends the script below.
helm_stamp_want=$(cat "$tools/helm/go.mod" "$tools/helm/go.sum" "$tools/helm/tools.go" <(echo "$gover") \
  | sha256sum | cut -d' ' -f1)
helm_stamp_file="$bin/.helm-stamp"
if ! { [ -f "$helm_stamp_file" ] && [ "$(cat "$helm_stamp_file")" = "$helm_stamp_want" ] && [ -x "$bin/helm" ]; }; then
  echo "toolchain: building helm with $gover (a few minutes the first time)"
  started=$(date +%s)
  mkdir -p "$bin"
  helm_version=$(cd "$tools/helm" && go list -m -f '{{.Version}}' helm.sh/helm/v3) \
    || die "cannot read the helm version from $tools/helm/go.mod (is the Go module proxy reachable?)"
  (cd "$tools/helm" && go build -trimpath -o "$bin/helm.new" -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version" \
    helm.sh/helm/v3/cmd/helm) || die "go build of helm $helm_version failed (see above)"
  mv -f "$bin/helm.new" "$bin/helm"
  echo "$helm_stamp_want" > "$helm_stamp_file"
  echo "toolchain: built helm $helm_version into $bin in $(( $(date +%s) - started )) s"
fi

# cosign: its own module and stamp, as helm.
cosign_stamp_want=$(cat "$tools/cosign/go.mod" "$tools/cosign/go.sum" "$tools/cosign/tools.go" <(echo "$gover") \
  | sha256sum | cut -d' ' -f1)
cosign_stamp_file="$bin/.cosign-stamp"
if ! { [ -f "$cosign_stamp_file" ] && [ "$(cat "$cosign_stamp_file")" = "$cosign_stamp_want" ] && [ -x "$bin/cosign" ]; }; then
  echo "toolchain: building cosign with $gover (a few minutes the first time)"
  started=$(date +%s)
  mkdir -p "$bin"
  cosign_version=$(cd "$tools/cosign" && go list -m -f '{{.Version}}' github.com/sigstore/cosign/v3) \
    || die "cannot read the cosign version from $tools/cosign/go.mod (is the Go module proxy reachable?)"
  (cd "$tools/cosign" && go build -trimpath -o "$bin/cosign.new" \
    -ldflags "-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$cosign_version" \
    github.com/sigstore/cosign/v3/cmd/cosign) || die "go build of cosign $cosign_version failed (see above)"
  mv -f "$bin/cosign.new" "$bin/cosign"
  echo "$cosign_stamp_want" > "$cosign_stamp_file"
  echo "toolchain: built cosign $cosign_version into $bin in $(( $(date +%s) - started )) s"
fi

if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_want" ] \
  && [ -x "$bin/copa" ] && [ -x "$bin/buildkitd" ] && [ -x "$bin/buildctl" ]; then
  exit 0
fi

echo "toolchain: building copa, buildkitd and buildctl with $gover (a few minutes the first time)"
started=$(date +%s)
mkdir -p "$bin"
out=$(mktemp -d "$HP_CACHE/build.XXXXXX")
trap 'rm -rf "$out"' EXIT
cd "$tools"
copa_version=$(go list -m -f '{{.Version}}' github.com/project-copacetic/copacetic) \
  || die "cannot read the copa version from $tools/go.mod (is the Go module proxy reachable?)"
bk_version=$(go list -m -f '{{.Version}}' github.com/moby/buildkit)
# One go invocation for all three, so the shared packages compile once.
go build -trimpath -o "$out/" \
  -ldflags "-s -w -X main.version=$copa_version -X github.com/moby/buildkit/version.Version=$bk_version" \
  github.com/project-copacetic/copacetic github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl \
  || die "go build failed (see above). The tools module pins copa $copa_version and buildkit $bk_version."
mv -f "$out/copacetic" "$bin/copa"
mv -f "$out/buildkitd" "$out/buildctl" "$bin/"
echo "$stamp_want" > "$stamp_file"
echo "toolchain: built copa $copa_version, buildkitd/buildctl $bk_version into $bin in $(( $(date +%s) - started )) s"
