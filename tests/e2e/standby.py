"""For tests that run operators of their own: the session operator stands down (a
clean stop) so that it does not act on their objects, and comes back afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from endpoint_operator.sandbox.operator_process import OperatorProcess

# Leader election as the chart runs it, with short durations so a takeover takes seconds.
FAST_LEASE = ["--leader-election", "--lease-duration", "3", "--renew-deadline", "2", "--retry-period", "0.5"]


@contextlib.contextmanager
def session_operator_stood_down(operator: OperatorProcess) -> Iterator[None]:
    operator.stop()
    try:
        yield
    finally:
        operator.start()  # returns once it answers its health check


def leading(process: OperatorProcess) -> bool:
    return "endpoint_operator_leader 1.0" in process.metrics()
