# workplace-sandbox: the Robin and Kadence API sandbox as a small, non-root image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8000 \
    SANDBOX_DATA_DIR=/data \
    SANDBOX_FIXTURE=/app/fixtures/demo.json

WORKDIR /app
COPY pyproject.toml README.md ./
COPY sandbox ./sandbox
COPY fixtures ./fixtures
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app sandbox \
    && mkdir -p /data && chown sandbox /data

USER sandbox
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"SANDBOX_PORT\", \"8000\")}/_sandbox/health', timeout=2)"
CMD ["workplace-sandbox", "serve"]
