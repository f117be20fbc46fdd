# syntax=docker/dockerfile:1
# QuantCoder worker/CLI image: multi-stage, runs as a non-root user, health-checked by `quantcoder health`.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx prisma generate && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# python3 gives the quality gate CPython's own parser for syntax checks
RUN apt-get update && apt-get install -y --no-install-recommends python3 tini && rm -rf /var/lib/apt/lists/* \
  && groupadd --system quantcoder && useradd --system --gid quantcoder --create-home --home-dir /home/quantcoder quantcoder
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/prisma ./prisma
COPY --from=build --chown=root:root /app/package.json /app/prisma.config.ts ./
ENV NODE_ENV=production \
    QUANTCODER_HOME=/home/quantcoder/.quantcoder \
    TEMPORAL_ADDRESS=temporal:7233 \
    LOG_FORMAT=json \
    PATH=/app/bin:$PATH
USER quantcoder
RUN mkdir -p /home/quantcoder/.quantcoder
VOLUME ["/home/quantcoder/.quantcoder"]
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 CMD ["node", "/app/bin/run.js", "health"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/run.js"]
CMD ["worker", "--metrics", "0.0.0.0:9464"]
