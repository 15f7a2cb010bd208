"""The request log: every AWS call with its parameters, outcome and duration,
so a test or benchmark can count what a client really sent.

A sandbox control with no AWS counterpart."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

MAX_ENTRIES = 100_000


@dataclass
class LoggedCall:
    seq: int
    timestamp: float  # epoch seconds at arrival
    time: str  # the same, ISO 8601
    service: str
    region: str
    operation: str
    params: dict[str, Any]
    status: int
    error_code: str | None
    duration_ms: float
    faults: list[int]
    access_key: str = ""


class CallLog:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedCall] = deque(maxlen=max_entries)
        self._seq = 0

    def record(self, *, started: float, service: str, region: str, operation: str, params: dict[str, Any],
               status: int, error_code: str | None, duration_ms: float, faults: list[int],
               access_key: str = "") -> None:
        moment = datetime.fromtimestamp(started, timezone.utc)
        with self._lock:
            self._seq += 1
            self._entries.append(LoggedCall(
                seq=self._seq, timestamp=started, time=moment.isoformat(), service=service, region=region,
                operation=operation, params=params, status=status, error_code=error_code,
                duration_ms=round(duration_ms, 3), faults=faults, access_key=access_key,
            ))

    def entries(self, *, service: str | None = None, operation: str | None = None,
                after: int = 0) -> list[dict[str, Any]]:
        """Entries in arrival order, optionally filtered; `after` skips sequence numbers up to it."""
        with self._lock:
            snapshot = list(self._entries)
        return [
            asdict(e) for e in snapshot
            if e.seq > after
            and (service is None or e.service == service)
            and (operation is None or e.operation == operation)
        ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
