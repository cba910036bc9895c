# syntax=docker/dockerfile:1
# One image for the web app and the worker:
#   web:    inspect-app serve --host 0.0.0.0   (the default command; applies migrations first)
#   worker: inspect-app worker
# See docs/operations.md.

# --------------------------------------------------------------------------- builder
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY inspect_app ./inspect_app
COPY models ./models
COPY jobs ./jobs
COPY templates ./templates
COPY deploy/install-wheel.sh ./deploy/install-wheel.sh

# The Python layer: build the wheel (it carries the templates, static files, catalogues and
# data) and install it with its dependencies into the venv that ships. `make wheel-check`
# runs the same script on the same files and proves the result serves pages in Vietnamese.
RUN bash deploy/install-wheel.sh /opt/venv /src python

# --------------------------------------------------------------------------- runtime
FROM python:3.11-slim

# WeasyPrint's runtime libraries and the fonts of the PDF reports: Liberation Serif
# (metric-compatible with Times New Roman, as Decree 30/2020/NĐ-CP asks) and DejaVu as the
# fallback, both with Vietnamese glyphs; fontconfig's fc-match finds them for the layout.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 \
        fonts-dejavu-core fontconfig \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 inspect \
    && useradd --system --uid 10001 --gid inspect --home-dir /var/lib/inspect \
        --shell /usr/sbin/nologin inspect \
    && mkdir -p /var/lib/inspect \
    && chown inspect:inspect /var/lib/inspect

COPY --from=builder /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PICCOLO_CONF=inspect_app.piccolo_conf \
    APP_ENV=production \
    VAR_DIR=/var/lib/inspect

WORKDIR /var/lib/inspect
USER inspect
VOLUME ["/var/lib/inspect"]
EXPOSE 8000

CMD ["inspect-app", "serve", "--host", "0.0.0.0"]
