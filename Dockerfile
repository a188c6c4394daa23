# rdp-medic: bot, worker and lab from one image (docker-compose.yml runs them). Multi-stage: compile
# with dev dependencies, run with production dependencies only, as a non-root user (uid 10001).
#   docker build -t rdp-medic .
#   docker run --rm rdp-medic check --config /etc/rdp-medic/rdp-medic.yaml work-pc
# Node 22 (LTS): Node 20 reached its end of life in April 2026. package.json `engines` lists the
# versions supported (20.10+ and 22); the image runs the newest of them.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the one native install step is tree-sitter-powershell, a test-only dev dependency
# that would need a C toolchain; tsc needs no install scripts.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# tsc to dist/, then the files read at run time copied next to it (scripts/copy-assets.js): the
# PowerShell runtime, the lab primitive template, the built-in lab scenarios.
RUN npm run build

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    RDP_MEDIC_OPS_PORT=9464
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# bin/rdp-medic.js runs dist/cli.js when there is no src/ (as here).
COPY bin ./bin
# A fixed uid, so a bind-mounted config can be made readable to it (chown 10001 or chmod 0644);
# /var/lib/rdp-medic is writable state (the lab's generated config in docker-compose.yml).
RUN groupadd --system --gid 10001 rdpmedic \
 && useradd --system --uid 10001 --gid rdpmedic --home-dir /app --shell /usr/sbin/nologin rdpmedic \
 && mkdir -p /var/lib/rdp-medic \
 && chown rdpmedic:rdpmedic /var/lib/rdp-medic
USER rdpmedic
# The ops endpoint of bot and worker (/healthz, /metrics). No HEALTHCHECK here: the same image runs
# one-shot commands and the lab, which serve no /healthz; docker-compose.yml checks bot and worker.
EXPOSE 9464
ENTRYPOINT ["node", "bin/rdp-medic.js"]
CMD ["--help"]
