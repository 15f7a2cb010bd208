"""What the ListEndpoints sweep saw of the endpoints this process changed.

An endpoint the operator just created, updated or deleted is watched by the sweep, and
the sync the sweep starts when the transition ends would describe it again to learn
what the sweep has just said: InService, or gone. A listing that began after the
change was accepted shows the endpoint as it is since (ListEndpoints: "Lists
endpoints", every one of the account and region, with EndpointStatus and
LastModifiedTime); one that began before may not show it yet, so its silence says
nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from ..api.resources import EndpointSummary

# A change is forgotten this long after it was accepted: an endpoint's creation or
# deletion takes minutes, and a sync that finds nothing here describes the endpoint.
FORGET_SECONDS = 1800.0


class SweptEndpoints:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._changed: dict[str, tuple[float, str]] = {}  # endpoint name -> (when accepted, the operation)
        self._seen: dict[str, EndpointSummary | None] = {}  # None: not listed (gone)

    def changed(self, name: str, operation: str) -> None:
        """`operation` (CreateEndpoint, UpdateEndpoint, DeleteEndpoint, ...) of `name` was
        accepted: what was seen of it before is void."""
        with self._lock:
            self._changed[name] = (self.clock(), operation)
            self._seen.pop(name, None)

    def listed(self, began: float, summaries: Iterable[EndpointSummary]) -> None:
        """A complete listing of every endpoint, which began at `began`."""
        rows = {s.name: s for s in summaries}
        with self._lock:
            for name, (at, operation) in list(self._changed.items()):
                if began - at > FORGET_SECONDS:
                    self._changed.pop(name)
                    self._seen.pop(name, None)
                elif at < began or (operation == "CreateEndpoint" and name in rows):
                    # A listing that was under way when the create was accepted and lists
                    # the name shows this endpoint: another of that name would have made
                    # the create fail.
                    self._seen[name] = rows.get(name)

    def created(self, name: str) -> EndpointSummary | None:
        """The row of `name` in the latest sweep begun after this process created it, with
        no change of it since; None when no such sweep listed it."""
        with self._lock:
            change = self._changed.get(name)
            return self._seen.get(name) if change is not None and change[1] == "CreateEndpoint" else None

    def deleted(self, name: str) -> bool:
        """This process deleted `name`, and the latest sweep begun after that did not list it."""
        with self._lock:
            change = self._changed.get(name)
            return (change is not None and change[1] == "DeleteEndpoint"
                    and name in self._seen and self._seen[name] is None)
