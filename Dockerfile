# crm-host: the demo on SQLite by default, the production processes by command.
#
#   docker build -t crm-host .
#   docker run -p 8000:8000 crm-host                  # the demo: http://127.0.0.1:8000/
#   docker run … crm-host serve --production          # gunicorn (CRM_GUNICORN_* settings)
#   docker run … crm-host worker                      # job worker (Celery with CRM_BROKER_URL)
#   docker run … crm-host scheduler
#
# compose.yaml runs all three on PostgreSQL and Redis; docs/deploy.md says more.
FROM python:3.11-slim

# Pango lays out the power pack's PDF reports (WeasyPrint); Noto CJK renders their Chinese.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/crm/venv/bin:$PATH

# The package and the celery extra (Redis or RabbitMQ); the source is not kept.
COPY pyproject.toml README.md /tmp/src/
COPY crm_host /tmp/src/crm_host
COPY plugins /tmp/src/plugins
RUN python -m venv /opt/crm/venv \
    && pip install "/tmp/src[celery]" \
    && rm -rf /tmp/src

# A user of its own, and the instance folder it owns: the SQLite database of the
# demo, uploads, attachments, archives and gunicorn's control socket. A volume, so
# it outlives the container (and is shared by web and worker in compose.yaml).
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/crm --create-home crm \
    && mkdir -p /var/lib/crm/instance \
    && chown -R crm:crm /var/lib/crm
ENV CRM_INSTANCE_PATH=/var/lib/crm/instance \
    CRM_GUNICORN_BIND=0.0.0.0:8000 \
    GUNICORN_CMD_ARGS="--worker-tmp-dir /dev/shm"
VOLUME ["/var/lib/crm/instance"]
USER crm
WORKDIR /var/lib/crm
EXPOSE 8000

ENTRYPOINT ["crm"]
CMD ["demo", "--host", "0.0.0.0", "--port", "8000"]
