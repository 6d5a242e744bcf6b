# Cyberbrain Orchestrator — production image.
#
#   docker build -t cyberbrain/orchestrator .                       # base: node:22-slim (needs a registry)
#   docker build --build-arg BASE_IMAGE=node:24-slim -t ...        # the other supported LTS
#   docker build --build-arg BASE_IMAGE=cyberbrain/node-base:20 \
#                -t cyberbrain/orchestrator .                       # base built locally, no registry:
#                                                                   #   scripts/build-local-base.sh
#
# Every stage starts FROM ${BASE_IMAGE}: any Debian-like Node image (22 or 24 LTS; the local base is
# this machine's Node 20, past its end of life, for smoke tests only) with npm and /bin/sh whose
# uid 1000 is a non-root user (node:22-slim and cyberbrain/node-base:20 both have `node`).
# The build stage runs `npm ci`, so it needs the npm registry (directly or through the engine's
# proxy/egress path); dependencies are pinned by package-lock.json.
#
# Run: docker run -p 127.0.0.1:9595:8000 -v cyberbrain-data:/data -e ADMIN_TOKEN=<24+ chars> \
#        --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges cyberbrain/orchestrator
# (HOST=0.0.0.0 inside the container; the app refuses a non-loopback bind without an ADMIN_TOKEN
#  or API tokens unless ALLOW_INSECURE_BIND=true.)
# Worker agent (README "Fleet"): docker run … <image> worker   (= node dist/worker.js)
# Tokens: docker exec <container> cyberbrain-token --help   (= node dist/cli/token.js; with the
# embedded database it refuses while the server runs: use createApiToken with ADMIN_TOKEN then.)

ARG BASE_IMAGE=node:22-slim

# ---------------------------------------------------------------------------------------------
# build: install all dependencies, generate the Prisma client, compile TypeScript, then prune
# ---------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_LOGLEVEL=warn

# Extra flags for `npm ci` and `npm prune`, e.g. --build-arg NPM_FLAGS=--legacy-peer-deps
# (empty by default; a project .npmrc is the better home for a lasting setting).
ARG NPM_FLAGS=""

# Dependency layer: only changes when the lockfile, the Prisma schema or its config change.
# A project .npmrc is used when there is one (the [c] glob makes it optional). It only reaches
# this stage, never the runtime image.
# `npm ci` runs the `postinstall` script (`prisma generate`): it writes the client into
# node_modules/.prisma/client + node_modules/@prisma/client and src/generated/pothos-types.ts.
COPY package.json package-lock.json prisma.config.ts .npmr[c] ./
COPY prisma ./prisma
RUN npm ci ${NPM_FLAGS} && npm cache clean --force

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Compile, then drop devDependencies. `npm prune` keeps the generated client: node_modules/.prisma
# is not a package npm tracks (never pruned) and @prisma/client is a runtime dependency.
# --omit=optional as well: prisma (the CLI), typescript and their trees are "devOptional" (dev
# dependencies that are also optional peers of @prisma/client), which --omit=dev alone keeps
# (~115 MB). The other optional packages are not needed here (ssh2's native cpu-features, other
# platforms' binaries, pg-cloudflare, type-only packages).
RUN npm run build \
 && npm prune --omit=dev --omit=optional ${NPM_FLAGS} \
 && npm cache clean --force \
 && test -f dist/main.js \
 && test -f dist/cli/token.js \
 && test -f node_modules/.prisma/client/default.js \
 && test -d prisma/migrations \
 && test ! -e node_modules/prisma && test ! -e node_modules/typescript \
 && node -e "require.resolve('@prisma/client')"

# ---------------------------------------------------------------------------------------------
# runtime: compiled JS, migrations, production node_modules; non-root
# ---------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app

# Application files belong to root and are read-only for the app user; only /data (PGlite) is
# writable, so the container also runs with a read-only root file system (plus a /tmp tmpfs).
# dist/ and prisma/ sit side by side: src/migrate.ts reads ../prisma/migrations relative to
# dist/migrate.js.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown 1000:1000 /data \
 && printf '#!/bin/sh\n# The token CLI (src/cli/token.ts), compiled.\nexec node /app/dist/cli/token.js "$@"\n' > /usr/local/bin/cyberbrain-token \
 && chmod 0755 /usr/local/bin/cyberbrain-token \
 && printf '#!/bin/sh\n# The worker agent (src/worker.ts), compiled: docker run <image> worker\nexec node /app/dist/worker.js "$@"\n' > /usr/local/bin/worker \
 && printf '#!/bin/sh\n# The MCP server on stdio (src/mcp/stdio.ts), compiled.\nexec node /app/dist/mcp/stdio.js "$@"\n' > /usr/local/bin/cyberbrain-mcp \
 && chmod 0755 /usr/local/bin/worker /usr/local/bin/cyberbrain-mcp

# uid 1000 = `node` in node:22-slim and in cyberbrain/node-base:20 (numeric, so runAsNonRoot checks pass).
USER 1000:1000
EXPOSE 8000
VOLUME /data

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

CMD ["node", "dist/main.js"]
