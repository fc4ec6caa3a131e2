# syntax=docker/dockerfile:1
#
# Orthrus container image. Two stages:
#   build    - installs every dependency (better-sqlite3 compiles a native addon when no prebuilt
#              binary fits, hence python3/make/g++), compiles TypeScript, bundles the admin console,
#              then drops dev deps.
#   runtime  - distroless Node.js 24 (LTS) on Debian 12: no shell, no package manager, runs as an
#              unprivileged numeric user. Same Debian release and Node major as the build stage,
#              so the native addon built there loads here.
#
# Build:  docker build -t orthrus:local .
# Run:    docker run --rm -p 4444:4444 -p 4445:4445 \
#           -e DSN=postgres://... -e SECRETS_SYSTEM=... -e URLS_SELF_ISSUER=https://auth.example.com \
#           orthrus:local                       # = serve all
#         docker run --rm -e DSN=postgres://... orthrus:local migrate sql up -e --yes
#         SQLite (one instance): -v orthrus-data:/var/lib/orthrus \
#           -e DSN=sqlite:///var/lib/orthrus/orthrus.sqlite  (the volume is owned by uid 10000)
#
# No HEALTHCHECK: the distroless runtime has no shell and no curl/wget to run one. Probe
# GET /health/alive and /health/ready from the orchestrator instead (Kubernetes liveness/readiness
# probes, a load balancer's health check); see docs/operations.md.

ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first: this layer is reused while only the sources change. --ignore-scripts holds
# back the project's own prepare script (a build, which needs the sources copied below); the one
# install script the server needs, better-sqlite3's native addon, then runs on its own.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY src ./src
# The admin console's sources; the build bundles them into dist/console.
COPY console ./console
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force
# A data directory the unprivileged user owns, for a SQLite file on a mounted volume.
RUN mkdir -p /data && chown 10000:10000 /data

FROM ${RUNTIME_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# package.json is read at run time (the version command and banner).
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build --chown=10000:10000 /data /var/lib/orthrus
USER 10000:10000
EXPOSE 4444 4445
VOLUME ["/var/lib/orthrus"]
# The distroless image has node at /nodejs/bin/node and not on PATH.
ENTRYPOINT ["/nodejs/bin/node", "dist/main.js"]
CMD ["serve", "all"]
