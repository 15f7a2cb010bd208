"""One blueprint builder per inference mode (Auto resolves to one of them first)."""

from __future__ import annotations

from collections.abc import Callable

from ...api.spec import Mode
from . import asynchronous, multimodel, realtime, serverless
from .common import BuildContext, Parts

BUILDERS: dict[Mode, Callable[[BuildContext], Parts]] = {
    Mode.REAL_TIME: realtime.build,
    Mode.MULTI_MODEL: multimodel.build,
    Mode.SERVERLESS: serverless.build,
    Mode.ASYNC: asynchronous.build,
}

__all__ = ["BUILDERS", "BuildContext", "Parts"]
