"""Prometheus metrics and a health endpoint, served on their own port.

Reconcile counts and durations are recorded as syncs finish. Everything else is read
when Prometheus scrapes, from the state that already exists: AWS call counts from the
gateways' CallStats (so nothing counts a call twice), queue depth and objects from
the controller, rollout step and weights from the status the controller last wrote.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ..aws.stats import LIMITED, CallStats
from .controller import Controller

log = logging.getLogger(__name__)

PREFIX = "endpoint_operator"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Syncs take milliseconds against a quiet API and seconds against a throttled one.
DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class OperatorMetrics:
    """The operator's registry: its own, not the process-global default."""

    def __init__(self, controller: Controller, stats: CallStats,
                 leading: Callable[[], bool] = lambda: True) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.reconciles = Counter(f"{PREFIX}_reconciles", "Syncs by outcome (ok, retry, error).",
                                  ["outcome"], registry=self.registry)
        self.durations = Histogram(f"{PREFIX}_reconcile_duration_seconds", "Duration of one sync.",
                                   ["outcome"], buckets=DURATION_BUCKETS, registry=self.registry)
        self.registry.register(StateCollector(controller, stats, leading))
        controller.on_synced = self.record_sync

    def record_sync(self, outcome: str, seconds: float) -> None:
        self.reconciles.labels(outcome).inc()
        self.durations.labels(outcome).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class StateCollector(Collector):
    def __init__(self, controller: Controller, stats: CallStats, leading: Callable[[], bool]) -> None:
        self._controller = controller
        self._stats = stats
        self._leading = leading

    def collect(self) -> Iterator[Metric]:
        yield from self._aws_calls()
        yield from self._controller_state()
        yield from self._objects()

    def _aws_calls(self) -> Iterator[Metric]:
        calls = CounterMetricFamily(f"{PREFIX}_aws_calls", "AWS calls by service, operation and outcome "
                                    "(ok, an error class such as Throttled, or limited: refused client-side).",
                                    labels=["service", "operation", "outcome"])
        throttles = CounterMetricFamily(f"{PREFIX}_aws_throttles", "Calls AWS throttled (source=aws) or the "
                                        "client-side limiter refused (source=client).",
                                        labels=["service", "operation", "source"])
        for (service, operation, outcome), count in sorted(self._stats.snapshot().items()):
            calls.add_metric([service, operation, outcome], count)
            if outcome == "Throttled":
                throttles.add_metric([service, operation, "aws"], count)
            elif outcome == LIMITED:
                throttles.add_metric([service, operation, "client"], count)
        yield calls
        yield throttles
        by_account = CounterMetricFamily(f"{PREFIX}_aws_account_calls", "AWS calls by the account they were made "
                                         "in (the operator's own, or one whose role it assumes), service and outcome.",
                                         labels=["account", "service", "outcome"])
        totals: dict[tuple[str, str, str], int] = {}
        for (account, service, _, outcome), count in self._stats.by_account().items():
            totals[(account, service, outcome)] = totals.get((account, service, outcome), 0) + count
        for labels, count in sorted(totals.items()):
            by_account.add_metric(list(labels), count)
        yield by_account
        pace = GaugeMetricFamily(f"{PREFIX}_aws_pace_per_second", "The client-side limiter's current pace of "
                                 "AWS calls: it starts at the configured rate, climbs while AWS does not "
                                 "throttle and steps down to just under the quota a throttle shows.", labels=["account", "region", "kind"])
        aws = self._controller.aws
        for account, region, kind, rate in (aws.limiters.paces() if aws is not None else ()):
            pace.add_metric([account, region, kind], rate)
        yield pace

    def _controller_state(self) -> Iterator[Metric]:
        queue = self._controller.queue
        yield GaugeMetricFamily(f"{PREFIX}_queue_depth", "Objects waiting for a worker.",
                                value=len(queue) if queue is not None else 0)
        yield GaugeMetricFamily(f"{PREFIX}_objects", "ModelEndpoints the operator tracks.",
                                value=len(self._controller.objects))
        yield GaugeMetricFamily(f"{PREFIX}_leader", "1 while this replica holds the lease and acts.",
                                value=1 if self._leading() and self._controller.acting else 0)

    def _objects(self) -> Iterator[Metric]:
        labels = ["namespace", "name"]
        ready = GaugeMetricFamily(f"{PREFIX}_ready", "1 when Ready=True at the current generation.", labels=labels)
        step = GaugeMetricFamily(f"{PREFIX}_rollout_step", "Index of the current rollout step.", labels=labels)
        canary = GaugeMetricFamily(f"{PREFIX}_canary_weight_percent",
                                   "Percent of traffic on the new revision during a rollout.", labels=labels)
        phase = GaugeMetricFamily(f"{PREFIX}_rollout_phase", "1 for the rollout's current phase.",
                                  labels=[*labels, "phase"])
        variant = GaugeMetricFamily(f"{PREFIX}_variant_weight", "Traffic weight of a production variant.",
                                    labels=[*labels, "variant"])
        # list() copies in one step: the event loop may add objects while this runs.
        for (namespace, name), tracked in list(self._controller.objects.items()):
            body: dict[str, Any] = tracked.body
            status = body.get("status") or {}
            ids = [namespace or "", name or ""]
            ready.add_metric(ids, 1 if _ready(body) else 0)
            rollout = status.get("rollout") or {}
            if rollout.get("step") is not None:
                step.add_metric(ids, rollout["step"])
            if rollout.get("weight") is not None:
                canary.add_metric(ids, rollout["weight"])
            if rollout.get("phase"):
                phase.add_metric([*ids, rollout["phase"]], 1)
            for v in status.get("variants") or []:
                if v.get("weight") is not None:
                    variant.add_metric([*ids, v.get("name", "")], v["weight"])
        yield from (ready, step, canary, phase, variant)


def _ready(body: dict[str, Any]) -> bool:
    generation = (body.get("metadata") or {}).get("generation")
    for c in (body.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True" and c.get("observedGeneration") == generation
    return False


class MetricsServer:
    """/metrics and /healthz on a port of their own, in a daemon thread."""

    def __init__(self, metrics: OperatorMetrics, health: Callable[[], Any], port: int, host: str = "0.0.0.0"):
        handler = _handler(metrics, health)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True)

    def start(self) -> "MetricsServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(metrics: OperatorMetrics, health: Callable[[], Any]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, metrics.exposition(), CONTENT_TYPE)
            elif path == "/healthz":
                try:
                    health()
                except Exception as error:  # the probe's answer, not a crash
                    self._send(503, f"unhealthy: {error}\n".encode(), "text/plain")
                    return
                self._send(200, b"ok\n", "text/plain")
            else:
                self._send(404, b"not found\n", "text/plain")

        def _send(self, code: int, body: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:  # one line per scrape is noise
            pass

    return Handler
