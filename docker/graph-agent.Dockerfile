# graph-agent image for machines WITH a registry (not used by drill's tests or by
# `drill run`, which build an offline FROM-scratch image from the host's Node runtime:
# src/target/graph-agent/image.ts).
#
#   npm run build
#   docker build -f docker/graph-agent.Dockerfile -t drill/graph-agent:registry .
#   drill run ... (set the target image to drill/graph-agent:registry)
#
# The agent uses Node built-ins only, so only the compiled dist/agent is copied.
FROM node:20-slim
WORKDIR /app
RUN echo '{"type":"module","private":true}' > /app/package.json && mkdir -p /data
COPY dist/agent/ /app/dist/agent/
LABEL drill.managed="true" drill.kind="graph-agent"
ENV NODE_ENV=production DATA_DIR=/data
EXPOSE 8080 7000
ENTRYPOINT ["node", "/app/dist/agent/main.js"]
