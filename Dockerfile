# rmo-bot's container image: the bot on Python's slim image, run as a user without privileges, its data in
# the /data volume, its configuration at /config/config.toml, its secrets from the environment
# (docker run --env-file secrets.env). See docs/deploy-ja.md (「導入手順」).
#   docker build -t rmo-bot .
#   docker run -d --name rmo-bot -v rmo-data:/data --env-file secrets.env -p 127.0.0.1:8080:8080 rmo-bot
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot bot
COPY handlers handlers
COPY storage storage
RUN python -m venv /opt/rmo-bot && /opt/rmo-bot/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin rmo-bot \
    && mkdir -p /data /config && chown rmo-bot:rmo-bot /data
COPY --from=build /opt/rmo-bot /opt/rmo-bot
COPY deploy/container.toml /config/config.toml
COPY config.example.toml /config/config.example.toml
ENV PATH=/opt/rmo-bot/bin:$PATH \
    PYTHONUNBUFFERED=1
USER rmo-bot
WORKDIR /data
VOLUME ["/data"]
# The mail intake (SMTP/LMTP) and the HTTP server (pages, Slack events, /healthz).
EXPOSE 8025 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["rmo-bot"]
CMD ["run", "--config", "/config/config.toml", "--data-dir", "/data"]
