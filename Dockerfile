# workplace-sandbox: the Robin and Kadence API sandbox as a small, non-root image.
#
#   docker build -t workplace-sandbox .
#   docker run --rm -p 127.0.0.1:8000:8000 -v sandbox-data:/data workplace-sandbox
#
# The port is published on this machine's loopback alone: the control plane (/_sandbox) takes no
# credential, so anyone who can reach the port can reset the workplace, restore snapshots, move
# its clocks and inject faults. Publish it on other interfaces (-p 8000:8000) only on a network
# you trust.
#
# PYTHON_IMAGE lets a build use a mirror of the base image (e.g. behind a registry proxy). Behind
# a private package index, or a proxy that signs TLS with a CA of its own, give pip what it needs
# (only the build stage sees these: the image that runs carries none of them):
#
#   docker build -t workplace-sandbox \
#     --build-arg PIP_INDEX_URL=https://pypi.example.internal/simple \
#     --build-arg EXTRA_CA_CERT="$(cat corporate-ca.pem)" .
#
#   PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_TRUSTED_HOST   pip's own settings, as pip reads them
#   EXTRA_CA_CERT   PEM text of one or more CA certificates pip trusts besides the public ones
ARG PYTHON_IMAGE=python:3.11-slim

# Build stage: a virtual environment, whose own pip builds the project into a wheel and installs
# it with its dependencies from binary wheels only, so no compiler is needed or left behind, and
# the base image need not have pip. An extra CA is added to a copy of the bundle that pip carries
# (certifi's), which pip is pointed at for this step alone.
FROM ${PYTHON_IMAGE} AS build
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_TRUSTED_HOST
ARG EXTRA_CA_CERT
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY sandbox ./sandbox
RUN python -m venv /opt/sandbox \
    && if [ -n "$EXTRA_CA_CERT" ]; then \
        cat "$(/opt/sandbox/bin/python -m pip._vendor.certifi)" > /tmp/ca-bundle.pem \
        && printf '%s\n' "$EXTRA_CA_CERT" >> /tmp/ca-bundle.pem \
        && export PIP_CERT=/tmp/ca-bundle.pem; \
    fi \
    && /opt/sandbox/bin/pip wheel --no-deps --wheel-dir /tmp/wheels . \
    && /opt/sandbox/bin/pip install --only-binary :all: -c constraints.txt /tmp/wheels/*.whl \
    && /opt/sandbox/bin/pip uninstall --yes pip setuptools \
    && rm -rf /tmp/wheels /tmp/ca-bundle.pem

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
