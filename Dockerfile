# tlapbot in a container: the single binary on a small glibc base, running as a non-root user.
#   docker build -t tlapbot .
#   docker run -d --name tlapbot -p 8000:8000 -v tlapbot-data:/data/instance \
#     -e TLAPBOT_OWNCAST_URL=https://live.example.com -e TLAPBOT_OWNCAST_ACCESS_TOKEN=... \
#     -e TLAPBOT_PUBLIC_URL=https://bot.example.com tlapbot
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && mkdir -p /out/instance

FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /src/dist/tlapbot /usr/local/bin/tlapbot
# The instance folder (config.toml, redeems.toml, database) lives on a volume owned by the non-root user.
COPY --from=build --chown=65532:65532 /out/instance /data/instance
WORKDIR /data
VOLUME /data/instance
# Listen on all interfaces inside the container; publish the port on the host as you need.
ENV TLAPBOT_HOST=0.0.0.0
EXPOSE 8000
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/tlapbot"]
CMD ["serve"]
