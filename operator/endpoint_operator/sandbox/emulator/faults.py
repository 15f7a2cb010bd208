"""Faults a test switches on and off at runtime: throttling, server errors, slow
calls, stalled answers and rate limits, scoped by service, operation, operation
class or request parameters, for every matching call or only the next N.

A stall is the window a client crash falls into: AWS has done the call and the
answer has not arrived yet. A test kills its client inside it.

moto has no fault injection at all; AWS throttles and fails, and a client that
never saw it in a test will not survive it in production.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from .calls import Call
from .responses import ApiError

KINDS = ("throttle", "error", "latency", "stall", "rate")

# What AWS sends when it throttles, by wire protocol (S3 says SlowDown with a 503).
# Common Errors (API references): "ThrottlingException: The request was denied due to request throttling.
# HTTP Status Code: 400"; botocore's retries/standard.py counts Throttling, ThrottlingException and SlowDown as
# throttles; S3 "error best practices": "SlowDown errors can occur when a high request rate triggers one of these
# mechanisms." The fault itself is a sandbox control.
_THROTTLE = {"json": ("ThrottlingException", 400), "query": ("Throttling", 400), "rest-xml": ("SlowDown", 503)}
_THROTTLE_MESSAGE = "Rate exceeded"
# Common Errors: "InternalFailure ... HTTP Status Code: 500"; "ServiceUnavailable: The request has failed due to a
# temporary failure of the server. HTTP Status Code: 503". S3 answers InternalError ("Retry InternalErrors").
_ERRORS = {500: "InternalFailure", 503: "ServiceUnavailable"}
_S3_ERRORS = {500: "InternalError", 503: "ServiceUnavailable"}


@dataclass
class FaultRule:
    """One fault. Scope fields left empty match any call."""

    kind: str
    service: str | None = None
    operation: str | None = None
    operation_class: str | None = None  # read | write
    count: int | None = None  # fire this many times, then retire
    status: int | None = None  # error: 500 (default) or 503; throttle: override
    code: str | None = None
    message: str | None = None
    seconds: float = 0.0  # latency: added before each matching call; stall: after it took effect
    params: dict[str, Any] | None = None  # only calls whose request has these top-level values
    per_second: int | None = None  # rate: calls allowed per second, per service and operation class
    id: int = 0
    fired: int = 0
    _windows: dict[tuple[str, str], deque[float]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind == "rate" and not self.per_second:
            raise ValueError("a rate fault needs per_second")
        if self.kind in ("latency", "stall") and self.seconds <= 0:
            raise ValueError(f"a {self.kind} fault needs seconds > 0")
        if self.params is not None and not isinstance(self.params, dict):
            raise ValueError("params must be an object of request parameters")
        if self.operation_class not in (None, "read", "write"):
            raise ValueError("operation_class must be read or write")

    def matches(self, call: Call) -> bool:
        return (
            (self.service is None or self.service == call.service)
            and (self.operation is None or self.operation == call.operation)
            and (self.operation_class is None or self.operation_class == call.operation_class)
            and all(call.params.get(key) == value for key, value in (self.params or {}).items())
        )

    def error_for(self, call: Call) -> ApiError:
        if self.kind in ("throttle", "rate"):
            code, status = _THROTTLE.get(call.protocol, _THROTTLE["json"])
            return ApiError(self.code or code, self.message or _THROTTLE_MESSAGE, self.status or status)
        status = self.status or 500
        codes = _S3_ERRORS if call.protocol == "rest-xml" else _ERRORS
        code = self.code or codes.get(status, "InternalFailure")
        return ApiError(code, self.message or "We encountered an internal error. Please try again.", status)

    def over_rate(self, call: Call, now: float) -> bool:
        """Sliding one-second window per service and operation class; refused calls do not count."""
        window = self._windows.setdefault((call.service, call.operation_class), deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= (self.per_second or 0):
            return True
        window.append(now)
        return False

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_windows")
        return {k: v for k, v in data.items() if v is not None}


@dataclass
class Verdict:
    delay: float = 0.0
    stall: float = 0.0  # hold the answer this long after the call took effect
    error: ApiError | None = None
    rule_ids: list[int] = field(default_factory=list)


class FaultBook:
    """The active fault rules, consulted once per AWS call (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, **spec: Any) -> FaultRule:
        rule = FaultRule(**{k: v for k, v in spec.items() if k not in ("id", "fired")})
        with self._lock:
            rule.id = next(self._ids)
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) < before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.public() for r in self._rules]

    def judge(self, call: Call) -> Verdict:
        """Latency adds up over matching rules; the first error or throttle wins."""
        verdict = Verdict()
        now = time.monotonic()
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(call):
                    continue
                if rule.kind == "latency":
                    verdict.delay += rule.seconds
                elif rule.kind == "stall":
                    verdict.stall += rule.seconds
                elif verdict.error is not None:
                    continue
                elif rule.kind == "rate" and not rule.over_rate(call, now):
                    continue
                else:
                    verdict.error = rule.error_for(call)
                self._fire(rule)
                verdict.rule_ids.append(rule.id)
        return verdict

    def _fire(self, rule: FaultRule) -> None:
        rule.fired += 1
        if rule.count is not None and rule.fired >= rule.count:
            self._rules.remove(rule)
