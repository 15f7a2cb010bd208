"""One blueprint builder per inference mode; modes without a builder are refused by
mode.resolve_mode before a builder is looked up."""

from __future__ import annotations

from collections.abc import Callable

from ...api.spec import Mode
from . import multimodel, realtime
from .common import BuildContext, Parts

BUILDERS: dict[Mode, Callable[[BuildContext], Parts]] = {
    Mode.REAL_TIME: realtime.build,
    Mode.MULTI_MODEL: multimodel.build,
}

__all__ = ["BUILDERS", "BuildContext", "Parts"]
