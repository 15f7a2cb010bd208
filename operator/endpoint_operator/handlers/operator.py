"""kopf registration: thin. kopf watches ModelEndpoints and hands every event to the
controller, which owns the reconcile loop (see controller.py for why it is not a
set of per-object kopf handlers and timers)."""

from __future__ import annotations

import logging
from typing import Any

import kopf

from ..api import constants
from .config import OperatorConfig
from .controller import Controller
from .leadership import Leadership
from .metrics import MetricsServer, OperatorMetrics

log = logging.getLogger(__name__)


@kopf.on.startup()
async def configure(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    # kopf strips its finalizer from objects it has no delete handler for; the
    # controller owns ours, so kopf's must be a different name.
    settings.persistence.finalizer = f"{constants.PREFIX}/kopf"
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=constants.PREFIX)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=constants.PREFIX, key="last-handled-configuration")
    settings.posting.reporting_component = constants.MANAGED_BY
    settings.posting.level = logging.WARNING  # our own events say what happened; kopf's would repeat it
    settings.watching.server_timeout = 300
    settings.watching.client_timeout = 330
    # kopf keeps a worker per object, holding its last event, until no event came for this
    # long: at 1,000 objects in a burst its default of 5 s keeps most bodies twice.
    settings.queueing.idle_timeout = 0.5
    settings.scanning.disabled = True  # the CRD is installed by the user or the chart, never by us
    config: OperatorConfig = memo.config
    controller: Controller = memo.build_controller(config)
    memo.controller = controller
    if config.lease is None:
        memo.leadership = None
        await controller.start()
    else:
        memo.leadership = Leadership(memo.build_elector(config.lease), controller.start, controller.suspend)
        await memo.leadership.start()
    memo.metrics_server = _serve_metrics(config, controller, memo.leadership)


def _serve_metrics(config: OperatorConfig, controller: Controller,
                   leadership: Leadership | None) -> MetricsServer | None:
    if not config.metrics_port:
        return None
    metrics = OperatorMetrics(controller, controller.aws.clients.stats,
                              leading=lambda: leadership is None or leadership.leading)
    return MetricsServer(metrics, controller.healthy, config.metrics_port).start()


@kopf.on.cleanup()
async def shutdown(memo: kopf.Memo, **_: Any) -> None:
    server: MetricsServer | None = getattr(memo, "metrics_server", None)
    if server is not None:
        server.stop()
    leadership: Leadership | None = getattr(memo, "leadership", None)
    if leadership is not None:
        await leadership.stop()  # suspends the controller, then releases the lease
    controller: Controller | None = getattr(memo, "controller", None)
    if controller is not None:
        await controller.stop()


@kopf.on.event(constants.GROUP, constants.VERSION, constants.PLURAL)
def on_event(event: dict[str, Any], memo: kopf.Memo, **_: Any) -> None:
    controller: Controller | None = getattr(memo, "controller", None)
    if controller is not None:
        controller.observe(event.get("type"), event["object"])


@kopf.on.probe(id="controller")
def controller_health(memo: kopf.Memo, **_: Any) -> dict[str, Any]:
    return memo.controller.healthy()
