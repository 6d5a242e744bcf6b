#!/usr/bin/env bash
# Builds the local Docker images the tests use, without any image registry.
#
#   cyberbrain/busybox:test     busybox-static rootfs (sh, echo, sleep, ...; /tmp; nobody = 65534),
#                               made with `docker import`. Has NO nvidia-smi: the "no GPU tooling" case.
#   cyberbrain/gpu-worker:test  FROM cyberbrain/busybox:test plus /usr/bin/nvidia-smi, a busybox sh
#                               stand-in for the two machine formats the orchestrator uses.
#
# Usage: tests/images/build.sh [--force]
#   An image whose tag exists and whose content label matches what this script would build is
#   skipped (so a second run takes well under a second). --force rebuilds both.
#   A changed stand-in script or a rebuilt base image changes the label and triggers a rebuild.
#
# nvidia-smi stand-in knobs (environment of the container):
#   FAKE_GPU_MODE=normal  default: 2 GPUs (one hot, one quiet), 3 compute apps + 1 malformed row
#   FAKE_GPU_MODE=none    "couldn't communicate with the NVIDIA driver" on stderr, exit 9
#   FAKE_GPU_MODE=idle    both GPUs idle, no compute apps (empty output)
#   FAKE_GPU_MODE=na      utilization.gpu, power.draw and the apps' used_memory print [N/A]
#   FAKE_GPU_PIDS=1,2     compute-app PIDs to report (round-robin over the GPUs); empty = none
#   FAKE_GPU_BAD_ROWS=0   omit the malformed compute-app row (default 1: include it)
#   FAKE_GPU_SLEEP=N      sleep N seconds before answering (timeout tests)
#
# Needs: docker (engine reachable), a static busybox (BUSYBOX=path, default /bin/busybox;
# Debian: apt-get install busybox-static). Never pulls.
set -euo pipefail

BUSYBOX_IMAGE="cyberbrain/busybox:test"
GPU_IMAGE="cyberbrain/gpu-worker:test"
LABEL_KEY="org.cyberbrain.test.content"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
FORCE=0

for arg in "$@"; do
  case "$arg" in
    --force|-f) FORCE=1 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

die() { echo "build.sh: $*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || die "docker CLI not found"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "cannot reach the Docker engine (is dockerd running? try: nohup dockerd >/tmp/dockerd.log 2>&1 &)"
[ -x "$BUSYBOX" ] || die "no busybox at $BUSYBOX (apt-get install busybox-static, or set BUSYBOX=)"
if command -v file >/dev/null 2>&1 && ! file -L "$BUSYBOX" | grep -q 'statically linked'; then
  die "$BUSYBOX is not statically linked; install busybox-static"
fi

sha() { sha256sum | cut -c1-32; }

# Prints the content label of an existing image, or nothing when the tag does not exist.
image_label() {
  docker image inspect --format "{{ index .Config.Labels \"$LABEL_KEY\" }}" "$1" 2>/dev/null || true
}
image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

# After a tag moved to a new image, remove the image it used to name if nothing else names it.
drop_if_dangling() {
  local old="$1"
  [ -n "$old" ] || return 0
  local tags
  tags="$(docker image inspect --format '{{len .RepoTags}}' "$old" 2>/dev/null || echo 1)"
  if [ "$tags" = "0" ]; then docker image rm "$old" >/dev/null 2>&1 || true; fi
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cyberbrain-images.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

BUILT=()
KEPT=()

# ---------------------------------------------------------------------------------------------
# cyberbrain/busybox:test
# ---------------------------------------------------------------------------------------------
ROOTFS_SPEC_VERSION=1 # bump when the rootfs layout below changes
busybox_hash="$( { echo "rootfs-v$ROOTFS_SPEC_VERSION"; sha256sum < "$BUSYBOX"; } | sha)"

if [ "$FORCE" = 0 ] && [ "$(image_label "$BUSYBOX_IMAGE")" = "$busybox_hash" ]; then
  KEPT+=("$BUSYBOX_IMAGE")
else
  old_id="$(image_id "$BUSYBOX_IMAGE")"
  root="$WORK/rootfs"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/tmp,home,proc,sys,dev}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 0700 "$root/root"
  install -m 0755 "$BUSYBOX" "$root/bin/busybox"
  # One symlink per applet, at the applet's canonical path (bin/sh, usr/bin/seq, ...).
  while IFS= read -r applet; do
    [ -n "$applet" ] || continue
    [ "$applet" = "bin/busybox" ] && continue
    mkdir -p "$root/$(dirname "$applet")"
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
  done < <("$BUSYBOX" --list-full)
  for need in bin/sh bin/echo bin/sleep bin/cat usr/bin/printf usr/bin/yes usr/bin/head \
              usr/bin/seq bin/date bin/true bin/false usr/bin/env usr/bin/id bin/ps; do
    [ -L "$root/$need" ] || [ -e "$root/$need" ] || die "busybox lacks applet $need"
  done
  cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat > "$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
  echo "cyberbrain-test" > "$root/etc/hostname"
  tar --numeric-owner --owner=0 --group=0 -C "$root" -c . \
    | docker import \
        --change "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin" \
        --change "LABEL $LABEL_KEY=$busybox_hash" \
        --message "cyberbrain test busybox rootfs" \
        - "$BUSYBOX_IMAGE" >/dev/null
  drop_if_dangling "$old_id"
  BUILT+=("$BUSYBOX_IMAGE")
fi

# ---------------------------------------------------------------------------------------------
# cyberbrain/gpu-worker:test
# ---------------------------------------------------------------------------------------------
ctx="$WORK/gpu-worker"
mkdir -p "$ctx"

cat > "$ctx/nvidia-smi" <<'NVSMI'
#!/bin/sh
# Test stand-in for nvidia-smi (NOT NVIDIA's tool). Implements only:
#   nvidia-smi --query-gpu=FIELD[,FIELD...] --format=csv[,noheader][,nounits]
#   nvidia-smi --query-compute-apps=FIELD[,FIELD...] --format=csv[,noheader][,nounits]
# Unknown fields print [Not Supported] in their column. Knobs: FAKE_GPU_MODE (normal|none|idle|na),
# FAKE_GPU_PIDS (comma list; empty = no processes), FAKE_GPU_BAD_ROWS (0|1), FAKE_GPU_SLEEP (seconds).
set -u

if [ -n "${FAKE_GPU_SLEEP:-}" ]; then sleep "$FAKE_GPU_SLEEP"; fi

mode="${FAKE_GPU_MODE:-normal}"
case "$mode" in
  normal|idle|na) ;;
  none)
    echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running." >&2
    exit 9 ;;
  *) echo "nvidia-smi stand-in: unknown FAKE_GPU_MODE=$mode" >&2; exit 2 ;;
esac

usage_error() {
  echo "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help." >&2
  exit 2
}

kind=""; query=""; format=""
while [ $# -gt 0 ]; do
  case "$1" in
    --query-gpu=*) kind=gpu; query="${1#*=}" ;;
    --query-gpu) kind=gpu; shift; query="${1:-}" ;;
    --query-compute-apps=*) kind=apps; query="${1#*=}" ;;
    --query-compute-apps) kind=apps; shift; query="${1:-}" ;;
    --format=*) format="${1#*=}" ;;
    --format) shift; format="${1:-}" ;;
    -h|--help)
      echo "nvidia-smi test stand-in: supports --query-gpu=... and --query-compute-apps=... with --format=csv[,noheader][,nounits]"
      exit 0 ;;
    *) usage_error ;;
  esac
  shift
done

if [ -z "$kind" ]; then
  # Plain `nvidia-smi`: a short human summary, enough for "is it there" checks.
  echo "NVIDIA-SMI 535.183.01 (test stand-in)   Driver Version: 535.183.01   CUDA Version: 12.2"
  echo "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d)"
  echo "GPU 1: NVIDIA A100-SXM4-40GB (UUID: GPU-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a)"
  exit 0
fi
[ -n "$query" ] || usage_error

header=1; units=1; csv=0
old_ifs="$IFS"; IFS=','
for opt in $format; do
  case "$opt" in
    csv) csv=1 ;;
    noheader) header=0 ;;
    nounits) units=0 ;;
    *) IFS="$old_ifs"; usage_error ;;
  esac
done
IFS="$old_ifs"
[ "$csv" = 1 ] || usage_error

UUID0="GPU-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
UUID1="GPU-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
NAME="NVIDIA A100-SXM4-40GB"

# unit_of FIELD -> unit suffix printed when nounits is absent
unit_of() {
  case "$1" in
    utilization.gpu|utilization.memory) echo "%" ;;
    memory.used|memory.total|memory.free|used_memory|used_gpu_memory) echo "MiB" ;;
    power.draw|power.limit) echo "W" ;;
    *) echo "" ;;
  esac
}

# gpu_value INDEX FIELD
gpu_value() {
  i="$1"; f="$2"
  case "$mode:$f" in
    na:utilization.gpu|na:power.draw) echo "[N/A]"; return ;;
    idle:utilization.gpu|idle:utilization.memory) echo "0"; return ;;
    idle:memory.used) echo "4"; return ;;
    idle:temperature.gpu) echo "31"; return ;;
    idle:power.draw) echo "52.17"; return ;;
  esac
  case "$i:$f" in
    *:index) echo "$i" ;;
    0:uuid) echo "$UUID0" ;;
    1:uuid) echo "$UUID1" ;;
    *:name) echo "$NAME" ;;
    0:utilization.gpu) echo "93" ;;
    1:utilization.gpu) echo "12" ;;
    0:utilization.memory) echo "67" ;;
    1:utilization.memory) echo "3" ;;
    0:memory.used) echo "38012" ;;
    1:memory.used) echo "1024" ;;
    *:memory.total) echo "40960" ;;
    0:memory.free) echo "2948" ;;
    1:memory.free) echo "39936" ;;
    0:temperature.gpu) echo "71" ;;
    1:temperature.gpu) echo "38" ;;
    0:power.draw) echo "312.45" ;;
    1:power.draw) echo "61.20" ;;
    *:power.limit) echo "400.00" ;;
    0:pci.bus_id) echo "00000000:07:00.0" ;;
    1:pci.bus_id) echo "00000000:0F:00.0" ;;
    *:driver_version) echo "535.183.01" ;;
    *) echo "[Not Supported]" ;;
  esac
}

# app_value PID GPU_INDEX MEMORY FIELD
app_value() {
  case "$4" in
    pid) echo "$1" ;;
    used_memory|used_gpu_memory)
      if [ "$mode" = na ]; then echo "[N/A]"; else echo "$3"; fi ;;
    gpu_uuid) if [ "$2" = 0 ]; then echo "$UUID0"; else echo "$UUID1"; fi ;;
    gpu_name) echo "$NAME" ;;
    gpu_bus_id) if [ "$2" = 0 ]; then echo "00000000:07:00.0"; else echo "00000000:0F:00.0"; fi ;;
    process_name|name) echo "python3" ;;
    *) echo "[Not Supported]" ;;
  esac
}

print_header() {
  line=""; sep=""
  old_ifs="$IFS"; IFS=','
  for f in $query; do
    u="$(unit_of "$f")"
    if [ -n "$u" ]; then line="$line$sep$f [$u]"; else line="$line$sep$f"; fi
    sep=", "
  done
  IFS="$old_ifs"
  echo "$line"
}

# with_unit FIELD VALUE
with_unit() {
  u="$(unit_of "$1")"
  case "$2" in
    \[*) echo "$2" ;;
    *) if [ "$units" = 1 ] && [ -n "$u" ]; then echo "$2 $u"; else echo "$2"; fi ;;
  esac
}

gpu_row() {
  line=""; sep=""
  old_ifs="$IFS"; IFS=','
  for f in $query; do
    line="$line$sep$(with_unit "$f" "$(gpu_value "$1" "$f")")"; sep=", "
  done
  IFS="$old_ifs"
  echo "$line"
}

app_row() {
  line=""; sep=""
  old_ifs="$IFS"; IFS=','
  for f in $query; do
    line="$line$sep$(with_unit "$f" "$(app_value "$1" "$2" "$3" "$f")")"; sep=", "
  done
  IFS="$old_ifs"
  echo "$line"
}

[ "$header" = 1 ] && print_header

if [ "$kind" = gpu ]; then
  gpu_row 0
  gpu_row 1
  exit 0
fi

# Compute apps: "PID GPU MEMORY" triples.
if [ "${FAKE_GPU_PIDS+set}" = set ]; then
  apps=""; n=0
  old_ifs="$IFS"; IFS=','
  for p in $FAKE_GPU_PIDS; do
    p="$(echo "$p" | tr -d ' ')"
    [ -n "$p" ] || continue
    apps="$apps $p:$((n % 2)):$((1024 * (n + 1) + 512))"
    n=$((n + 1))
  done
  IFS="$old_ifs"
elif [ "$mode" = idle ]; then
  apps=""
else
  apps=" 4242:0:30720 4243:0:7168 5151:1:1008"
fi

bad="${FAKE_GPU_BAD_ROWS:-1}"
[ "$mode" = idle ] && [ "${FAKE_GPU_BAD_ROWS+set}" != set ] && bad=0
first=1
for a in $apps; do
  pid="${a%%:*}"; rest="${a#*:}"; gi="${rest%%:*}"; mem="${rest#*:}"
  app_row "$pid" "$gi" "$mem"
  if [ "$first" = 1 ] && [ "$bad" != 0 ]; then
    echo "abc, , GPU-zzz"   # malformed on purpose: parsers must report it, not crash
    bad=0
  fi
  first=0
done
[ "$bad" != 0 ] && echo "abc, , GPU-zzz"
exit 0
NVSMI
chmod 0755 "$ctx/nvidia-smi"

cat > "$ctx/Dockerfile" <<EOF
FROM $BUSYBOX_IMAGE
COPY nvidia-smi /usr/bin/nvidia-smi
EOF

base_id="$(image_id "$BUSYBOX_IMAGE")"
gpu_hash="$( { echo "$base_id"; cat "$ctx/Dockerfile" "$ctx/nvidia-smi"; } | sha)"
echo "LABEL $LABEL_KEY=$gpu_hash" >> "$ctx/Dockerfile"

if [ "$FORCE" = 0 ] && [ "$(image_label "$GPU_IMAGE")" = "$gpu_hash" ]; then
  KEPT+=("$GPU_IMAGE")
else
  old_id="$(image_id "$GPU_IMAGE")"
  # Legacy builder: no BuildKit/buildx needed, and FROM resolves to the local image (never pulls).
  if ! DOCKER_BUILDKIT=0 docker build --quiet --tag "$GPU_IMAGE" "$ctx" >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log" >&2
    die "docker build of $GPU_IMAGE failed"
  fi
  drop_if_dangling "$old_id"
  BUILT+=("$GPU_IMAGE")
fi

# Smoke check after a build: the stand-in answers.
[ "${#BUILT[@]}" = 0 ] || docker run --rm --network none "$GPU_IMAGE" nvidia-smi --query-gpu=index --format=csv,noheader >/dev/null \
  || die "$GPU_IMAGE: nvidia-smi stand-in does not run"

for img in "${BUILT[@]+"${BUILT[@]}"}"; do echo "built: $img"; done
for img in "${KEPT[@]+"${KEPT[@]}"}"; do echo "up to date: $img"; done
echo "images: $BUSYBOX_IMAGE $GPU_IMAGE"
