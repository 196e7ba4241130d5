# workplace-sandbox: the Robin and Kadence API sandbox as a small, non-root image.
#
#   docker build -t workplace-sandbox .
#   docker run --rm -p 8000:8000 -v sandbox-data:/data workplace-sandbox
#
# PYTHON_IMAGE lets a build use a mirror of the base image (e.g. behind a registry proxy).
ARG PYTHON_IMAGE=python:3.11-slim

# Build stage: the project built into a wheel, then installed with its dependencies into a
# virtual environment from binary wheels only, so no compiler is needed or left behind.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY sandbox ./sandbox
RUN python -m pip wheel --no-deps --wheel-dir /tmp/wheels . \
    && python -m venv /opt/sandbox \
    && /opt/sandbox/bin/pip install --only-binary :all: -c constraints.txt /tmp/wheels/*.whl \
    && /opt/sandbox/bin/pip uninstall --yes pip setuptools

# Runtime stage: the base image, the environment, an unprivileged user and a data volume. It
# listens on every interface of the container, and answers the names a client reaches it by: the
# loopback names through a published port, `sandbox` as a CI service (README, In CI).
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/sandbox/bin:$PATH \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8000 \
    SANDBOX_DATA_DIR=/data \
    SANDBOX_ALLOWED_HOSTS=localhost,127.0.0.1,[::1],sandbox
RUN groupadd --gid 10001 sandbox \
    && useradd --uid 10001 --gid sandbox --home-dir /data --no-create-home --shell /usr/sbin/nologin sandbox \
    && mkdir /data \
    && chown sandbox:sandbox /data
COPY --from=build /opt/sandbox /opt/sandbox

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_sandbox/health' % os.environ.get('SANDBOX_PORT', '8000'), timeout=2)"]
CMD ["workplace-sandbox", "serve"]
