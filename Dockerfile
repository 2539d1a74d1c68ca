# deep-agent: `deep-agent start` (Slack intake, worker pool, HTTP server on PORT).
# Build: docker build -t deep-agent .    Run: docker run -p 3000:3000 --env-file .env deep-agent
# Without DATABASE_URL it keeps its embedded database in /data (mount a volume there).

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; the pinned `node` devDependency is not needed in an image
# that already runs Node 24.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000
# bubblewrap, socat and ripgrep let the local sandbox isolate commands (SANDBOX_ISOLATION=auto);
# with E2B (E2B_API_KEY set) they are unused. tini reaps the commands' children and forwards SIGTERM.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap socat ripgrep tini ca-certificates git \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Running tasks get SHUTDOWN_GRACE_SECONDS (default 20) after SIGTERM: stop with `docker stop -t 30`.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/deep-agent.js"]
CMD ["start"]
