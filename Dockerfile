# One image for every role: the command picks it (run, bot, worker, migrate, check).
#   docker build -t reviewbot .
#   docker run --env-file .env reviewbot bot
# BASE_IMAGE must be a Debian-like image with python3 (3.11+) and its venv module; both stages
# use it, so the virtual environment built in the first finds the same interpreter in the second.
# `make docker-test` builds on a local Debian base made with debootstrap (see docker/).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
ARG UV_VERSION=0.13.9
ENV UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_SYSTEM_CERTS=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# uv itself lives in a throwaway environment of the build stage only.
RUN python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /app
# Dependencies first (from the lock file only), so a code change does not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-project --python python3 --no-cache
COPY alembic.ini babel.cfg ./
COPY migrations ./migrations
COPY locales ./locales
COPY reviewbot ./reviewbot
COPY core ./core
COPY infra ./infra
COPY bot ./bot
COPY checks ./checks
COPY webapp ./webapp
RUN /opt/uv/bin/uv sync --frozen --no-dev --python python3 --no-cache \
    && .venv/bin/python -m compileall -q reviewbot core infra bot checks migrations

FROM ${BASE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="reviewbot" \
      org.opencontainers.image.description="A Telegram bot that reviews Python files with ruff"
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_FORMAT=json \
    METRICS_PORT=9100
RUN groupadd --system --gid 10001 reviewbot \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home reviewbot
WORKDIR /app
# Only the application and its virtual environment: no uv, no compilers, no caches.
COPY --from=build --chown=root:root /app /app
# var/ holds what the process writes (a SQLite file, mail files when SMTP_HOST is empty).
RUN mkdir /app/var && chown reviewbot:reviewbot /app/var
USER 10001:10001
# The supervisor stops on SIGTERM: polling ends, jobs finish their batch, connections close.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["reviewbot", "healthcheck"]
ENTRYPOINT ["reviewbot"]
CMD ["run"]
