# bulletin's image: `serve` by default; `worker`, `publish` and every other command by naming it
# (`docker compose run --rm app publish issues/global-eye/005.md`). Three stages: the build (all
# dependencies, tsc), the production dependencies alone, and the runtime, which has neither the
# compiler nor the TypeScript sources and runs as an unprivileged user.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: `prepare` would build before the sources are here; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.js scripts/
COPY src src
COPY templates templates
# build/ links the templates and migrations it reads at run time; -L copies them in their place.
RUN node scripts/build.js && cp -RL build /bulletin-build

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    BULLETIN_DATA_DIR=/data
RUN groupadd --system --gid 10001 bulletin \
 && useradd --system --uid 10001 --gid bulletin --home-dir /app --shell /usr/sbin/nologin bulletin \
 && mkdir -p /data \
 && chown bulletin:bulletin /data
WORKDIR /app
# Owned by root and read-only to the process: only the data dir is writable.
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /bulletin-build build
COPY package.json ./
COPY bin bin
COPY scripts/healthcheck.js scripts/
COPY issues issues
USER bulletin
VOLUME ["/data"]
# HTTP (pages, /healthz, /readyz) and the list server's SMTP.
EXPOSE 3000 2525
# /healthz of `serve` (port 3000), or of a worker started with HEALTH_LISTEN.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.js"]
# Node as PID 1 handles SIGTERM itself (drains, then exits); compose adds an init for reaping.
ENTRYPOINT ["node", "bin/bulletin.js"]
CMD ["serve", "--http", "0.0.0.0:3000", "--smtp", "0.0.0.0:2525"]
