# The Tributary server as a container image (docs/container.md).
#
#   docker build -t tributary-server .
#   docker run --rm -p 127.0.0.1:4567:4567 -v tributary-data:/data tributary-server
#
# Two stages: the first compiles and bundles (npm ci runs the build), the second holds only the
# command, the build and the production dependencies, and runs as the unprivileged `node` user.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# npm ci installs the dev dependencies and its `prepare` script compiles src/ and bundles it (dist/).
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE}
# tini as PID 1: passes SIGTERM/SIGINT on to the server (which stops gracefully and exits 0) and
# reaps orphans. Node as PID 1 itself would ignore SIGTERM until its handlers are installed, since
# the kernel applies no default action to PID 1.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/tributary
COPY package.json package-lock.json ./
# The server's bundle needs no node_modules; `tributary kcl` loads the AWS SDK clients from here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /build/dist ./dist
RUN ln -s /opt/tributary/bin/tributary /usr/local/bin/tributary \
 && mkdir -p /data && chown node:node /data

# Listen on the container's interfaces: what reaches the port is decided by `-p`/`ports:` (publish
# it on 127.0.0.1, or use --auth sigv4; docs/container.md). The data directory is the volume.
# Lambda functions (arbitrary code) stay off unless the user opts in: -e TRIBUTARY_FUNCTIONS=on.
ENV TRIBUTARY_HOST=0.0.0.0 \
    TRIBUTARY_ALLOW_UNAUTHENTICATED=true \
    TRIBUTARY_FUNCTIONS=off \
    TRIBUTARY_PORT=4567 \
    TRIBUTARY_DATA_DIR=/data
USER node
VOLUME ["/data"]
EXPOSE 4567
# No curl in the slim image: Node's fetch, on the port the server was told to use.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TRIBUTARY_PORT||4567)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "tributary"]
CMD ["server"]
