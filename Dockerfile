# The actionq server image: give it a PostgreSQL with ACTIONQ_URL (see
# compose.yaml). No embedded PostgreSQL in here: the image is built without
# the `embedded` extra, and the server says so if ACTIONQ_URL is missing.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY server ./server
COPY cli ./cli
COPY clients/python ./clients/python
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /home/actionq --shell /usr/sbin/nologin actionq
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/actionq-*.whl && rm -rf /wheels
USER 10001
WORKDIR /home/actionq
ENV ACTIONQ_LISTEN=0.0.0.0:50051 \
    PYTHONUNBUFFERED=1
EXPOSE 50051
# Probes the address ACTIONQ_LISTEN names (a wildcard on loopback).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["python", "-m", "actionq_server.healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["actionq-server"]
