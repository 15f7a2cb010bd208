# The operator image: `endpoint-operator run` as a non-root user, runtime dependencies only.
#   docker build -t sagemaker-endpoint-operator:0.1.0 .

# Build: install the package into a virtual environment, the same `pip install .` as
# the README; the sandbox and test extras stay out.
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/operator
WORKDIR /src
COPY pyproject.toml README.md ./
COPY operator/ operator/
RUN /opt/operator/bin/pip install .

# Run: the virtual environment alone on a fresh slim base.
FROM python:3.12-slim
COPY --from=build /opt/operator /opt/operator
RUN groupadd --gid 10001 operator \
 && useradd --uid 10001 --gid operator --no-create-home --home-dir /tmp --shell /usr/sbin/nologin operator
ENV PATH=/opt/operator/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp
USER 10001:10001
# 8080: kopf's liveness probe; 8081: /metrics and /healthz.
EXPOSE 8080 8081
ENTRYPOINT ["endpoint-operator", "run"]
