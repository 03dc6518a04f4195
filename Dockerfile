# En dörr in: the compiled service (dist/) on Node 24 LTS, as a non-root user, with its SQLite file on a volume.
# Two stages: `build` has the compiler toolchain (better-sqlite3 compiles from source when no prebuilt binary
# matches) and TypeScript; `runtime` gets only the production dependencies, dist/ and migrations/.
# Both stages use the same base image, so the native addon built in one runs in the other.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
# Compile (dist/server.js and the data files beside it), then drop the dev dependencies (TypeScript, tsx, vitest …).
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATABASE_PATH=/data/en-dorr-in.db
# Secrets are never baked in: production needs PUBLIC_BASE_URL, RESEARCH_PSEUDONYM_SECRET and ORG_KEY_SECRET (or
# ORG_KEY_FILE, a mounted secret file) at run time, as docker-compose.yml passes them; without them it refuses to start.
WORKDIR /app
# The code is owned by root and read-only for the service's user; only /data is writable.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
EXPOSE 3000
USER node
# Ready (database reachable, migrations applied), asked on the loopback inside the container.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The compiled JavaScript: no TypeScript compiler at start-up. SIGTERM (docker stop) finishes in-flight requests first.
CMD ["node", "--enable-source-maps", "dist/server.js"]
