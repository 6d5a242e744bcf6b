#!/usr/bin/env bash
# Builds a local Node 20 base image, cyberbrain/node-base:20, WITHOUT any image registry:
# a rootfs made from this host's own node binary, the shared libraries it links (ldd), npm,
# a static busybox (/bin/sh and friends), the host's CA bundle, /etc/passwd + /etc/group with a
# `node` user (uid/gid 1000) and /tmp, turned into an image with `docker import`.
#
# It stands in for node:20-slim where `docker pull` cannot work:
#   docker build --build-arg BASE_IMAGE=cyberbrain/node-base:20 -t cyberbrain/orchestrator .
#
# Usage: scripts/build-local-base.sh [--force] [--no-strip]
#   The build is skipped when the tag exists and its content label matches what this script would
#   build now (same node, npm, busybox, CA bundle and layout); --force rebuilds anyway.
#   --no-strip keeps node's debug info (the default strips it when `strip` exists: about -9 MB).
#
# Environment: NODE_BIN (default: `command -v node`), NPM_DIR (default: the npm package directory
#   of the host's npm), BUSYBOX (default /bin/busybox, must be static: apt-get install busybox-static),
#   CA_BUNDLE (default /etc/ssl/certs/ca-certificates.crt), BASE_TAG (default cyberbrain/node-base:20).
#
# Note: the host's CA bundle is copied as-is, so the image trusts what this host trusts (including
# any egress/MITM CA a sandbox adds); that is what lets `npm ci` inside `docker build` reach the
# registry through the same egress path as the host.
set -euo pipefail

BASE_TAG="${BASE_TAG:-cyberbrain/node-base:20}"
LABEL_KEY="org.cyberbrain.base.content"
LAYOUT_VERSION=1 # bump when the rootfs layout below changes
FORCE=0
STRIP=1

for arg in "$@"; do
  case "$arg" in
    --force|-f) FORCE=1 ;;
    --no-strip) STRIP=0 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "build-local-base.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

die() { echo "build-local-base.sh: $*" >&2; exit 1; }
log() { echo "build-local-base.sh: $*" >&2; }

command -v docker >/dev/null 2>&1 || die "docker CLI not found"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "cannot reach the Docker engine (is dockerd running? try: nohup dockerd >/tmp/dockerd.log 2>&1 &)"

NODE_BIN="${NODE_BIN:-$(command -v node || true)}"
[ -n "$NODE_BIN" ] || die "no node on PATH (set NODE_BIN=)"
NODE_BIN="$(readlink -f "$NODE_BIN")"
node_version="$("$NODE_BIN" -p process.version)"
case "$node_version" in
  v20.*) ;;
  *) die "host node is $node_version; this base must be Node 20 (set NODE_BIN= to a Node 20 binary)" ;;
esac

if [ -z "${NPM_DIR:-}" ]; then
  npm_bin="$(command -v npm || true)"
  [ -n "$npm_bin" ] || die "no npm on PATH (set NPM_DIR= to an npm package directory)"
  NPM_DIR="$(dirname "$(readlink -f "$npm_bin")")/.."
fi
NPM_DIR="$(readlink -f "$NPM_DIR")"
if [ ! -f "$NPM_DIR/package.json" ] || [ ! -f "$NPM_DIR/bin/npm-cli.js" ]; then
  die "$NPM_DIR is not an npm package directory"
fi
npm_version="$("$NODE_BIN" -p "require('$NPM_DIR/package.json').version")"

BUSYBOX="${BUSYBOX:-/bin/busybox}"
if [ ! -x "$BUSYBOX" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "installing busybox-static (apt-get)"
    apt-get install -y busybox-static >/dev/null 2>&1 \
      || { apt-get update >/dev/null 2>&1 && apt-get install -y busybox-static >/dev/null 2>&1; } \
      || die "could not install busybox-static"
  fi
  [ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX (apt-get install busybox-static, or set BUSYBOX=)"
fi
if command -v file >/dev/null 2>&1 && ! file -L "$BUSYBOX" | grep -q 'statically linked'; then
  die "$BUSYBOX is not statically linked; install busybox-static"
fi

CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
[ -f "$CA_BUNDLE" ] || die "no CA bundle at $CA_BUNDLE (apt-get install ca-certificates, or set CA_BUNDLE=)"

# Shared libraries node needs, as ldd resolves them (absolute paths only; skips linux-vdso).
mapfile -t LIBS < <(ldd "$NODE_BIN" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u)
[ "${#LIBS[@]}" -gt 0 ] || die "ldd found no libraries for $NODE_BIN (is it static? then none are needed, but check)"

sha() { sha256sum | cut -c1-32; }
content_hash="$( {
  echo "layout-v$LAYOUT_VERSION strip=$STRIP node=$node_version npm=$npm_version"
  sha256sum < "$NODE_BIN"
  sha256sum < "$BUSYBOX"
  sha256sum < "$CA_BUNDLE"
  for l in "${LIBS[@]}"; do echo "$l"; sha256sum < "$l"; done
  (cd "$NPM_DIR" && find . -type f | LC_ALL=C sort | xargs -d '\n' cat | sha256sum)
} | sha)"

existing="$(docker image inspect --format "{{ index .Config.Labels \"$LABEL_KEY\" }}" "$BASE_TAG" 2>/dev/null || true)"
if [ "$FORCE" = 0 ] && [ -n "$existing" ]; then
  if [ "$existing" = "$content_hash" ]; then
    log "$BASE_TAG is up to date (node $node_version, npm $npm_version); --force rebuilds"
    exit 0
  fi
  log "$BASE_TAG exists but its content label differs (host node/npm/libs changed): rebuilding"
fi
old_id="$(docker image inspect --format '{{.Id}}' "$BASE_TAG" 2>/dev/null || true)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cyberbrain-node-base.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
root="$WORK/rootfs"

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/lib/node_modules,etc/ssl/certs,root,home/node,tmp,var/tmp,proc,sys,dev}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"

# node (stripped of debug info when possible) and its libraries, at the paths ldd reported
# (the dynamic loader path is baked into the binary, e.g. /lib64/ld-linux-x86-64.so.2).
install -m 0755 "$NODE_BIN" "$root/usr/local/bin/node"
if [ "$STRIP" = 1 ] && command -v strip >/dev/null 2>&1; then
  strip "$root/usr/local/bin/node" || log "strip failed; keeping the unstripped binary"
fi
for l in "${LIBS[@]}"; do
  mkdir -p "$root$(dirname "$l")"
  cp -L "$l" "$root$l"
done

# npm (and npx) from the host's npm package directory.
cp -a "$NPM_DIR" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# busybox: /bin/sh, /usr/bin/env (npm's shebang), wget, ... one symlink per applet.
install -m 0755 "$BUSYBOX" "$root/bin/busybox"
while IFS= read -r applet; do
  [ -n "$applet" ] || continue
  [ "$applet" = "bin/busybox" ] && continue
  mkdir -p "$root/$(dirname "$applet")"
  [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <("$BUSYBOX" --list-full)
for need in bin/sh usr/bin/env bin/cat bin/ls bin/rm bin/mkdir; do
  [ -L "$root/$need" ] || [ -e "$root/$need" ] || die "busybox lacks applet $need"
done

# CA certificates, users, name resolution.
install -m 0644 "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000:node:/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
node:x:1000:
nogroup:x:65534:
EOF
cat > "$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
: > "$root/etc/hosts"
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/nsswitch.conf"
chown -R 1000:1000 "$root/home/node" 2>/dev/null || true

tar --numeric-owner -C "$root" -c . \
  | docker import \
      --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      --change "ENV NODE_VERSION=${node_version#v}" \
      --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
      --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
      --change "LABEL $LABEL_KEY=$content_hash" \
      --change "LABEL org.opencontainers.image.description=\"Local Node $node_version base (host node + busybox), built by scripts/build-local-base.sh\"" \
      --change 'CMD ["node"]' \
      --message "cyberbrain local node base: node $node_version, npm $npm_version" \
      - "$BASE_TAG" >/dev/null

if [ -n "$old_id" ]; then
  tags="$(docker image inspect --format '{{len .RepoTags}}' "$old_id" 2>/dev/null || echo 1)"
  if [ "$tags" = "0" ]; then docker image rm "$old_id" >/dev/null 2>&1 || true; fi
fi

# Sanity checks: node runs, npm runs, the node user exists, /bin/sh works.
got="$(docker run --rm "$BASE_TAG" node -e 'console.log(process.version)')" || die "node does not run in $BASE_TAG"
[ "$got" = "$node_version" ] || die "node in $BASE_TAG printed '$got', expected $node_version"
got_npm="$(docker run --rm "$BASE_TAG" npm --version 2>/dev/null | tail -n1)" || die "npm does not run in $BASE_TAG"
[ "$got_npm" = "$npm_version" ] || die "npm in $BASE_TAG printed '$got_npm', expected $npm_version"
docker run --rm --user node "$BASE_TAG" sh -c 'test "$(id -u)" = 1000 && test -w /tmp' \
  || die "user node (uid 1000) or a writable /tmp is missing in $BASE_TAG"

size="$(docker image inspect --format '{{.Size}}' "$BASE_TAG")"
log "built $BASE_TAG: node $node_version, npm $npm_version, $((size / 1024 / 1024)) MiB"
