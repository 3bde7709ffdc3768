# Revenue Leak SRE: the Slack bot + HTTP server (/healthz, /readyz) on port 3000.
#
#   docker build -t revenue-leak-sre .
#   docker run --rm -p 3000:3000 \
#     -e DATABASE_URL=postgres://user:pw@db:5432/leaks -e PII_HASH_KEY=… \
#     -e SLACK_BOT_TOKEN=xoxb-… -e SLACK_SIGNING_SECRET=… revenue-leak-sre
#
# PII_HASH_KEY is mandatory (src/config/config.ts; only the demo runs without it). Without DATABASE_URL
# the app falls back to embedded PGlite in /app/.data/pglite (mount a volume there to keep it).
# The CLI is in the image too: docker run --rm revenue-leak-sre node dist/cli.js demo
#
# `node` here is the base image's Node 24; the `node` npm devDependency (which supplies Node 24 to npm
# scripts on developer machines and in CI) is a dev dependency and is not installed in any stage.

ARG NODE_IMAGE=node:24-slim

# ---------------------------------------------------------------------------------------------- deps
# Every dependency (dev included): the compiler for the build stage.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script is the `node` devDependency's download of a Node binary,
# which the image does not need. Removing the package too leaves no dangling node_modules/.bin/node
# ahead of the image's own Node 24 on the PATH of npm scripts.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && rm -rf node_modules/node node_modules/.bin/node

# --------------------------------------------------------------------------------------------- build
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# tsc emits only .js (imports rewritten from .ts); `npm run build` copies the files read at run time
# beside it: the demo's data and the OTLP .proto definitions (adapters/http/otlp-proto).
RUN npm run build \
 && mkdir -p dist/demo \
 && cp src/demo/*.csv dist/demo/ \
 && test -f dist/main.js && test -f dist/cli.js && test -f dist/demo/northwind-funnel.csv \
 && test -f dist/adapters/http/otlp-proto/opentelemetry/logs_service.proto

# ------------------------------------------------------------------------------------------- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force \
 && mkdir -p /app/.data \
 && chown node:node /app/.data
COPY --from=build /app/dist ./dist
# dist/adapters/db/migrate.js reads ../../../migrations/ relative to itself, i.e. /app/migrations.
COPY migrations ./migrations

USER node
EXPOSE 3000

# /healthz is liveness only (no database check); slim has no curl, so Node's global fetch probes it.
# start-period covers the migrate step before the port opens (Slack is checked in the background: /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# openServices() (src/services.ts) already migrates at every start, under an advisory lock. The explicit
# `migrate` step is kept anyway: a migration failure then fails the container with a plain message
# before the server (and its Slack connection) starts, and the step is the same command an operator
# runs as a one-off job (docker run … node dist/cli.js migrate). `exec` replaces the shell, so node is
# PID 1 and gets `docker stop`'s SIGTERM itself (it drains and closes the database before exiting).
CMD ["sh", "-c", "node dist/cli.js migrate && exec node dist/main.js"]
