"""Counts of AWS calls by (service, operation, outcome), for metrics and benchmarks,
and by the account they were made in."""

from __future__ import annotations

import threading
from collections import Counter

# Outcomes besides the error class names (NotFound, Throttled, ...).
OK = "ok"
LIMITED = "limited"  # refused by the client-side limiter; AWS never saw it


class CallStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._by_account: Counter[tuple[str, str, str, str]] = Counter()

    def record(self, service: str, operation: str, outcome: str, account: str | None = None) -> None:
        with self._lock:
            self._counts[(service, operation, outcome)] += 1
            if account:
                self._by_account[(account, service, operation, outcome)] += 1

    def snapshot(self) -> dict[tuple[str, str, str], int]:
        with self._lock:
            return dict(self._counts)

    def by_account(self) -> dict[tuple[str, str, str, str], int]:
        """(account, service, operation, outcome) -> count, for the calls whose account was known."""
        with self._lock:
            return dict(self._by_account)

    def total(self, *, service: str | None = None, operation: str | None = None, outcome: str | None = None) -> int:
        """Sum of the counts that match every given field."""
        return sum(
            count
            for (svc, op, out), count in self.snapshot().items()
            if service in (None, svc) and operation in (None, op) and outcome in (None, out)
        )
