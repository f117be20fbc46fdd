# syntax=docker/dockerfile:1
# QuantCoder worker/CLI image: multi-stage, Node 24 LTS on Debian (glibc: better-sqlite3 and the
# Temporal core bridge ship glibc builds), non-root, health-checked by the worker's own liveness probe.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# python3, make and g++ build better-sqlite3 from source when no prebuilt binary matches
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# .dockerignore keeps the host's node_modules, dist/, .env and .git out of this copy
COPY . .
# the build writes dist/, the workflow bundle (checked against its sources; it spares every worker start a bundling pass) and the oclif manifest
# two Prisma clients: SQLite (the embedded default) and PostgreSQL (QUANTCODER_DATABASE_URL, for clusters)
RUN npm run prisma:generate \
  && npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
# python3 gives the quality gate CPython's own parser for syntax checks; tini forwards SIGTERM and reaps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 tini \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 quantcoder \
  && useradd --system --uid 10001 --gid quantcoder --create-home --home-dir /home/quantcoder quantcoder
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/prisma ./prisma
COPY --from=build --chown=root:root /app/package.json /app/prisma.config.ts /app/oclif.manifest.json ./
# Logs go to stdout for the logging driver (no shared log file); the worker reads the prebuilt bundle.
# Two malloc arenas: the worker's many threads (the Temporal core's, libuv's, V8's) otherwise each grow
# arenas of their own, about 45 MB of the worker's resident memory at 200 pipelines at once.
ENV NODE_ENV=production \
    QUANTCODER_HOME=/home/quantcoder/.quantcoder \
    QUANTCODER_LOG_FILE=none \
    QUANTCODER_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    QUANTCODER_LIVENESS_FILE=/tmp/quantcoder-liveness.json \
    LOG_FORMAT=json \
    MALLOC_ARENA_MAX=2 \
    PATH=/app/bin:$PATH
USER 10001:10001
RUN mkdir -p /home/quantcoder/.quantcoder
VOLUME ["/home/quantcoder/.quantcoder"]
EXPOSE 9464
# Judges this worker process only (polling, event loop), never the whole cluster or missing API keys.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["node", "/app/bin/run.js", "worker", "--liveness"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/run.js"]
CMD ["worker", "--metrics", "0.0.0.0:9464"]
