# speechbot in a container: the bundled texts, a non-root user, data on a volume, and a health check.
# Build: docker build -t speechbot .    Run: see compose.yaml and README.md ("Containers").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The wheel bundles the seed texts (see [tool.hatch...force-include] in pyproject.toml).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY seeds ./seeds
RUN pip install . \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin speechbot \
    && mkdir -p /data \
    && chown speechbot:speechbot /data

USER speechbot
# Everything speechbot writes (SQLite, console history, index cache) goes to the volume; /healthz and /metrics
# are served on 8080 whatever the process runs; PORT is the Slack HTTP server's, when HTTP mode is configured.
ENV SPEECHBOT_DATA_DIR=/data \
    SPEECHBOT_HEALTH_PORT=8080 \
    PORT=3000
VOLUME ["/data"]
EXPOSE 3000 8080

# 503 once the daily posts have stalled for 5 minutes, so the orchestrator restarts the container.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["python", "-m", "bot.health"]

ENTRYPOINT ["speechbot"]
CMD ["run"]
