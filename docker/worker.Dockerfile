# syntax=docker/dockerfile:1
# Switchyard worker image: a worker node: runs task handlers, health and metrics on its own HTTP port.
# Build from the repository root:  docker build -f docker/worker.Dockerfile -t switchyard-worker .

# --- production dependencies only (npm workspaces: links @switchyard/* to libs/*) ---
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/core/package.json libs/core/package.json
COPY libs/dispatcher/package.json libs/dispatcher/package.json
COPY libs/worker/package.json libs/worker/package.json
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- compile the libs and the apps (tsc project references) and copy the Lua scripts ---
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/core/package.json libs/core/package.json
COPY libs/dispatcher/package.json libs/dispatcher/package.json
COPY libs/worker/package.json libs/worker/package.json
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json nest-cli.json ./
COPY scripts/build.js scripts/build.js
COPY libs libs
COPY apps apps
RUN node scripts/build.js

# --- runtime: slim, non-root, tini as PID 1 so SIGTERM reaches Node and starts the drain ---
FROM node:20-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3001
WORKDIR /app
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/libs/core/package.json ./libs/core/package.json
COPY --from=build /app/libs/core/dist ./libs/core/dist
COPY --from=build /app/libs/worker/package.json ./libs/worker/package.json
COPY --from=build /app/libs/worker/dist ./libs/worker/dist
COPY --from=build /app/dist/apps/worker ./dist/apps/worker
# app files stay root-owned (read-only to the process); run as the image's unprivileged user (uid 1000)
USER node
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/worker/main.js"]
