#!/usr/bin/env bash
# Image smoke test: builds the production image from the repository's Dockerfile, runs it the way
# docker-compose.yml does (read-only root file system, /tmp tmpfs, all capabilities dropped,
# no-new-privileges), and proves it serves: /readyz answers 200, /healthz carries the version, one
# authenticated GraphQL query ({ __typename }) works, the process is not root, the compiled token
# CLI answers (and refuses to write while the server holds the embedded database), and the image's
# own HEALTHCHECK reports "healthy". Prints timings and the image size. The container (and its
# anonymous /data volume) is removed even on failure.
#
# Usage: scripts/image-smoke.sh [--no-cache] [--rm-image] [--base IMAGE]
#   --base IMAGE   base for every stage (BASE_IMAGE build arg). Default: cyberbrain/node-base:20,
#                  made from this host's node by scripts/build-local-base.sh (run first; it is a
#                  no-op when the image is up to date), because no registry may be reachable.
#                  Where a registry is reachable, --base node:22-slim (the Dockerfile's default)
#                  or node:24-slim work too.
#   --no-cache     build without Docker's layer cache (a cold build; the base image is kept).
#   --rm-image     remove the built image at the end (default: keep it, so the next run is warm).
#
# Environment:
#   SMOKE_IMAGE         tag to build (default cyberbrain/orchestrator:smoke)
#   SMOKE_BUILD_ARGS    extra `docker build` arguments, split on spaces
#                       (e.g. "--build-arg NPM_FLAGS=--legacy-peer-deps")
#   SMOKE_READY_TIMEOUT seconds to wait for /readyz 200 (default 60)
#   SMOKE_HEALTH_TIMEOUT seconds to wait for the HEALTHCHECK to report healthy (default 60)
#
# Needs: docker with a reachable engine, curl (or node) on the host. The build stage runs
# `npm ci`, so the engine's build containers must reach the npm registry.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${SMOKE_IMAGE:-cyberbrain/orchestrator:smoke}"
LOCAL_BASE="cyberbrain/node-base:20"
BASE="${BASE_IMAGE:-$LOCAL_BASE}"
READY_TIMEOUT="${SMOKE_READY_TIMEOUT:-60}"
HEALTH_TIMEOUT="${SMOKE_HEALTH_TIMEOUT:-60}"
NO_CACHE=()
RM_IMAGE=0

while [ $# -gt 0 ]; do
  case "$1" in
    --no-cache) NO_CACHE=(--no-cache) ;;
    --rm-image) RM_IMAGE=1 ;;
    --base) shift; [ $# -gt 0 ] || { echo "image-smoke.sh: --base needs an image" >&2; exit 2; }; BASE="$1" ;;
    --base=*) BASE="${1#*=}" ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "image-smoke.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

fail() { echo "image-smoke.sh: FAIL: $*" >&2; exit 1; }
log() { echo "image-smoke.sh: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

command -v docker >/dev/null 2>&1 || fail "docker CLI not found"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || fail "cannot reach the Docker engine (is dockerd running? try: nohup dockerd >/tmp/dockerd.log 2>&1 &)"
# DOCKER_BUILDKIT=1 without the buildx plugin makes `docker build` refuse to run (Debian's
# docker.io 20.10 ships no buildx): fall back to the classic builder, which this Dockerfile targets.
if [ "${DOCKER_BUILDKIT:-}" = 1 ] && ! docker buildx version >/dev/null 2>&1; then
  log "DOCKER_BUILDKIT=1 but no buildx plugin: using the classic builder"
  export DOCKER_BUILDKIT=0
fi

# http METHOD URL [BODY [HEADER...]] -> prints "STATUS BODY"; never fails (status 000 = no answer).
http() {
  local method="$1" url="$2" body="${3:-}"; shift 3 2>/dev/null || shift $#
  if command -v curl >/dev/null 2>&1; then
    local args=(-sS -m 5 -o - -w '\n%{http_code}' -X "$method")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
    local h; for h in "$@"; do args+=(-H "$h"); done
    local out; out="$(curl "${args[@]}" "$url" 2>/dev/null || true)"
    [ -n "$out" ] || out=$'\n000'
    printf '%s %s\n' "${out##*$'\n'}" "${out%$'\n'*}"
  else
    node -e '
      const [method, url, body, ...hs] = process.argv.slice(1);
      const headers = Object.fromEntries(hs.map((h) => [h.slice(0, h.indexOf(":")).trim(), h.slice(h.indexOf(":") + 1).trim()]));
      if (body) headers["Content-Type"] = "application/json";
      fetch(url, { method, headers, body: body || undefined, signal: AbortSignal.timeout(5000) })
        .then(async (r) => console.log(r.status, await r.text()))
        .catch(() => console.log("000 "));' "$method" "$url" "$body" "$@"
  fi
}

T0="$(now)"
CID=""
BUILD_LOG="$(mktemp "${TMPDIR:-/tmp}/image-smoke-build.XXXXXX")"
cleanup() {
  local rc=$?
  if [ -n "$CID" ]; then
    if [ "$rc" != 0 ]; then
      echo "----- container logs (last 60 lines) -----" >&2
      docker logs --tail 60 "$CID" >&2 2>&1 || true
      echo "----- health log -----" >&2
      docker inspect --format '{{if .State.Health}}{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{"\n"}}{{end}}{{end}}' "$CID" >&2 2>/dev/null || true
    fi
    docker rm -f -v "$CID" >/dev/null 2>&1 || true
  fi
  if [ "$RM_IMAGE" = 1 ]; then docker image rm "$IMAGE" >/dev/null 2>&1 || true; fi
  rm -f "$BUILD_LOG"
  if [ "$rc" = 0 ]; then log "PASS in $(since "$T0") s"; else log "FAILED after $(since "$T0") s"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Base image -----------------------------------------------------------------------------
t="$(now)"
if [ "$BASE" = "$LOCAL_BASE" ]; then
  "$ROOT/scripts/build-local-base.sh" || fail "could not build the local base image $LOCAL_BASE"
elif ! docker image inspect "$BASE" >/dev/null 2>&1; then
  log "base $BASE is not present locally: docker build will try to pull it (needs a registry)"
fi
log "base image $BASE ready ($(since "$t") s)"

# 2. Build ----------------------------------------------------------------------------------
t="$(now)"
old_id="$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
read -r -a EXTRA <<< "${SMOKE_BUILD_ARGS:-}"
log "building $IMAGE from $ROOT (BASE_IMAGE=$BASE${NO_CACHE:+, --no-cache})"
if ! docker build --force-rm "${NO_CACHE[@]}" --build-arg "BASE_IMAGE=$BASE" "${EXTRA[@]}" -t "$IMAGE" "$ROOT" >"$BUILD_LOG" 2>&1; then
  echo "----- docker build output (last 60 lines) -----" >&2
  tail -n 60 "$BUILD_LOG" >&2
  fail "docker build failed (BASE_IMAGE=$BASE)"
fi
BUILD_S="$(since "$t")"
new_id="$(docker image inspect --format '{{.Id}}' "$IMAGE")"
# The image this tag named before is now dangling: drop it so repeated runs do not pile up images.
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ] \
   && [ "$(docker image inspect --format '{{len .RepoTags}}' "$old_id" 2>/dev/null || echo 1)" = 0 ]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi
steps="$(grep -c '^Step ' "$BUILD_LOG" || true)"
cached="$(grep -c 'Using cache' "$BUILD_LOG" || true)"
log "built $IMAGE in $BUILD_S s ($cached of $steps classic-builder steps from cache)"

# Static checks on the image config.
user="$(docker image inspect --format '{{.Config.User}}' "$IMAGE")"
case "$user" in ""|0|0:*|root|root:*) fail "image runs as root (USER='$user')" ;; esac
docker image inspect --format '{{if .Config.Healthcheck}}yes{{end}}' "$IMAGE" | grep -q yes || fail "image has no HEALTHCHECK"

# 3. Run ------------------------------------------------------------------------------------
TOKEN="$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-32)"
[ "${#TOKEN}" = 32 ] || fail "could not make a random token"
t="$(now)"
CID="$(docker run -d --name "cyberbrain-smoke-$$" -p 127.0.0.1::8000 -e "ADMIN_TOKEN=$TOKEN" \
  --read-only --tmpfs /tmp:size=64m,mode=1777 --cap-drop ALL --security-opt no-new-privileges "$IMAGE")" \
  || fail "docker run failed"
hostport="$(docker port "$CID" 8000/tcp | head -n1)"
[ -n "$hostport" ] || fail "container publishes no port for 8000/tcp"
BASE_URL="http://${hostport}"
log "container ${CID:0:12} up, published at $BASE_URL"

# 4. /readyz -> 200 -------------------------------------------------------------------------
deadline=$(( $(date +%s) + READY_TIMEOUT ))
while :; do
  running="$(docker inspect --format '{{.State.Running}}' "$CID" 2>/dev/null || echo false)"
  [ "$running" = true ] || fail "container exited before /readyz answered 200 (exit code $(docker inspect --format '{{.State.ExitCode}}' "$CID" 2>/dev/null || echo '?'))"
  r="$(http GET "$BASE_URL/readyz")"
  [ "${r%% *}" = 200 ] && break
  [ "$(date +%s)" -lt "$deadline" ] || fail "/readyz did not answer 200 within ${READY_TIMEOUT}s (last: ${r:0:200})"
  sleep 0.5
done
READY_S="$(since "$t")"
log "/readyz 200 after $READY_S s: ${r#* }"

r="$(http GET "$BASE_URL/healthz")"
[ "${r%% *}" = 200 ] || fail "/healthz answered ${r:0:200}"
version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$ROOT/package.json" | head -n1)"
case "${r#* }" in *"\"version\":\"$version\""*) log "/healthz -> ${r#* }" ;; *) fail "/healthz does not carry version $version: ${r:0:200}" ;; esac

# 5. One authenticated GraphQL query ------------------------------------------------------------
r="$(http POST "$BASE_URL/graphql" '{"query":"{ __typename }"}' "Authorization: Bearer $TOKEN" 'Accept: application/json')"
[ "${r%% *}" = 200 ] || fail "GraphQL { __typename } answered HTTP ${r:0:300}"
case "${r#* }" in
  *'"__typename":"Query"'*) log "GraphQL { __typename } -> ${r#* }" ;;
  *) fail "unexpected GraphQL answer: ${r:0:300}" ;;
esac

# Informational: what an unauthenticated request gets (auth is the app's business, not asserted here).
r="$(http POST "$BASE_URL/graphql" '{"query":"{ __typename }"}' 'Accept: application/json')"
log "unauthenticated { __typename } -> HTTP ${r%% *}"

# The server process is not root.
uid="$(docker exec "$CID" node -p 'process.getuid()' 2>/dev/null | tr -d '\r' || true)"
if [ -z "$uid" ] || [ "$uid" = 0 ]; then fail "the app runs as uid '${uid:-?}' (expected non-root)"; fi

# The compiled token CLI: help works; a write is refused while the server holds the embedded database.
docker exec "$CID" cyberbrain-token --help >/dev/null 2>&1 || fail "cyberbrain-token --help failed in the image"
# The worker agent is a command of the same image; without REDIS_URL it names the setting and exits 78.
set +e
worker_out="$(docker exec "$CID" env -u REDIS_URL worker 2>&1)"; worker_rc=$?
set -e
[ "$worker_rc" = 78 ] && case "$worker_out" in *"REDIS_URL is required"*) true ;; *) false ;; esac \
  || fail "worker in the image: expected exit 78 naming REDIS_URL, got $worker_rc: ${worker_out:0:300}"
set +e
cli_out="$(docker exec "$CID" cyberbrain-token create --name smoke --role read 2>&1)"; cli_rc=$?
set -e
[ "$cli_rc" = 1 ] && case "$cli_out" in *"refused, nothing written"*) true ;; *) false ;; esac \
  || fail "cyberbrain-token create beside the running server: expected a refusal (exit 1), got $cli_rc: ${cli_out:0:300}"
log "token CLI in the image: --help ok; create refused while the server holds the embedded database; worker command present"

# 6. HEALTHCHECK -> healthy -----------------------------------------------------------------
deadline=$(( $(date +%s) + HEALTH_TIMEOUT ))
while :; do
  hs="$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$CID")"
  [ "$hs" = healthy ] && break
  [ "$hs" = unhealthy ] && fail "HEALTHCHECK reports unhealthy"
  [ "$(date +%s)" -lt "$deadline" ] || fail "HEALTHCHECK not healthy within ${HEALTH_TIMEOUT}s (status: ${hs:-none})"
  sleep 1
done
HEALTHY_S="$(since "$t")"
log "HEALTHCHECK healthy $HEALTHY_S s after start"

# 7. Report -------------------------------------------------------------------------------------
size="$(docker image inspect --format '{{.Size}}' "$IMAGE")"
base_size="$(docker image inspect --format '{{.Size}}' "$BASE" 2>/dev/null || echo 0)"
echo "image:        $IMAGE ($(docker image inspect --format '{{.Id}}' "$IMAGE" | cut -c1-19))"
echo "base:         $BASE"
echo "image size:   $((size / 1024 / 1024)) MiB (base $((base_size / 1024 / 1024)) MiB, app layers $(((size - base_size) / 1024 / 1024)) MiB)"
echo "user:         $user (process uid $uid)"
echo "timings:      build ${BUILD_S}s, ready ${READY_S}s after run, healthy ${HEALTHY_S}s after run"
