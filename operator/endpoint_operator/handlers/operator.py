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
    settings.scanning.disabled = True  # the CRD is installed by the user or the chart, never by us
    config: OperatorConfig = memo.config
    controller: Controller = memo.build_controller(config)
    memo.controller = controller
    await controller.start()


@kopf.on.cleanup()
async def shutdown(memo: kopf.Memo, **_: Any) -> None:
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
