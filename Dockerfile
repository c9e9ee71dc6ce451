# The actionq server image. Give it a PostgreSQL with ACTIONQ_URL (see compose.yaml).
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY cli ./cli
COPY clients/python ./clients/python
COPY migrations ./migrations
RUN pip install --no-cache-dir . && useradd --system actionq

USER actionq
ENV ACTIONQ_LISTEN=0.0.0.0:50051
EXPOSE 50051
HEALTHCHECK --interval=10s --timeout=3s \
  CMD ["python", "-c", "import grpc,sys; from grpc_health.v1 import health_pb2 as h, health_pb2_grpc as g; sys.exit(g.HealthStub(grpc.insecure_channel('127.0.0.1:50051')).Check(h.HealthCheckRequest(), timeout=2).status != 1)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["actionq-server"]
