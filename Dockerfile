# feedloom from this clone, for compose.yaml: `docker compose up --build`.
# Build stage: every dependency (tsc, esbuild) and the build; the image keeps only what runs.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts wait until the sources are in: `prepare` would build an empty tree.
RUN npm ci --ignore-scripts
COPY . .
RUN npm rebuild esbuild && npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The bundle leaves some packages to Node (loaded on first use), so production dependencies stay.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
# The config is mounted at /config; out/ lives in a volume at /srv/out (FEEDLOOM_OUTPUT_DIR).
RUN mkdir -p /srv/out && chown node:node /srv/out
USER node
WORKDIR /config
ENTRYPOINT ["node", "/app/bin/feedloom.js"]
CMD ["worker", "--config", "/config/feeds.config.json"]
