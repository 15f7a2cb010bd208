"""The one path of every AWS call: limiter, boto3, error translation, counting."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from typing import Any, ClassVar, Iterator

from botocore import xform_name

from .errors import NotFound, Throttled, Transient, translate
from .limiter import Kind, LimiterRegistry, RateLimiter
from .session import ClientFactory
from .stats import LIMITED, OK, CallStats

LIMITED_CODE = "ClientRateLimited"
# A read kept when the budget refused a later call of its sync serves the retry only while
# it is younger than this: about as old as a read the sync would have acted on had it
# waited for the token in its thread.
KEPT_READ_SECONDS = 10.0

_thread = threading.local()


@contextmanager
def keeping_reads() -> Iterator[None]:
    """One sync's calls. When the operator's own budget refuses one of them, nothing was
    sent: the reads made before it in the block are kept, and the retry is served them
    once (while younger than KEPT_READ_SECONDS) instead of asking AWS again."""
    before = getattr(_thread, "reads", None)
    _thread.reads = []
    try:
        yield
    finally:
        _thread.reads = before


@contextmanager
def priority_reads(enabled: bool = True) -> Iterator[None]:
    """Reads made by this thread inside the block may take the limiter's read reserve:
    the sync that reports a transition the sweep just saw end."""
    before = getattr(_thread, "priority", False)
    _thread.priority = enabled
    try:
        yield
    finally:
        _thread.priority = before


class ServiceGateway:
    """Base of the per-service gateways. It never waits for a state. A spent budget
    is paced in the calling worker thread when the wait is short (as client-go's
    limiter does), and raised as Transient with the suggested wait when it is long,
    so the caller requeues instead of holding a worker."""

    service: ClassVar[str]
    max_pace_seconds: ClassVar[float] = 2.0

    def __init__(
        self,
        clients: ClientFactory,
        limiters: LimiterRegistry,
        region: str,
        *,
        stats: CallStats | None = None,
    ) -> None:
        self._clients = clients
        self._limiters = limiters
        self.region = region
        self.stats = stats if stats is not None else clients.stats
        # (operation, params) -> (read at, response or NotFound): see keeping_reads.
        self._kept: dict[str, tuple[float, Any]] = {}

    def _limiter(self) -> RateLimiter:
        return self._limiters.get(self._clients.account_id(self.region), self.region)

    def budget_spent(self, kind: Kind) -> bool:
        """Whether the next `kind` call of this account and region would wait for a token:
        the sync then leaves its remaining mutations to a later pass, behind other objects."""
        return self._limiter().spent(kind)

    def _call(self, operation: str, kind: Kind, *, budgeted: bool = True, priority: bool = False,
              **params: Any) -> dict[str, Any]:
        """Call `operation` (AWS's name, e.g. DescribeEndpoint) if the budget allows.

        `budgeted=False` is for the later steps of one logical operation already paid for;
        `priority` (or a `priority_reads` block) may take the limiter's read reserve."""
        key = f"{operation} {json.dumps(params, sort_keys=True, default=str)}" if kind == "read" else ""
        kept = self._take_kept(key) if key else None
        if kept is not None:
            read_at, outcome = kept
            self._note(key, read_at, outcome)
            if isinstance(outcome, NotFound):
                raise NotFound(outcome.operation, outcome.code, outcome.message)
            return outcome
        account = self._clients.account_id(self.region)
        limiter = self._limiters.get(account, self.region)
        priority = priority or getattr(_thread, "priority", False)
        wait = limiter.try_acquire(kind, priority) if budgeted else 0.0
        paced = 0.0
        while 0 < wait and paced + wait <= self.max_pace_seconds:
            time.sleep(wait)
            paced += wait
            wait = limiter.try_acquire(kind, priority)
        if wait > 0:
            self.stats.record(self.service, operation, LIMITED, account)
            _keep_reads()
            raise Transient(
                operation, LIMITED_CODE,
                f"client-side {kind} budget of {self.region} is spent", retry_after=wait,
            )
        if not key:
            _forget_reads()  # what this call changes, the reads before it no longer say
        method = getattr(self._clients.client(self.service, self.region), xform_name(operation))
        try:
            response = method(**params)
        except Exception as error:
            failure = translate(error, operation)
            if isinstance(failure, Throttled):
                limiter.penalize(kind)
            self.stats.record(self.service, operation, type(failure).__name__, account)
            if key and isinstance(failure, NotFound):
                self._note(key, time.monotonic(), failure)
            raise failure from error
        self.stats.record(self.service, operation, OK, account)
        if key:
            self._note(key, time.monotonic(), response)
        return response

    def _note(self, key: str, read_at: float, outcome: dict[str, Any] | NotFound) -> None:
        """A read of this thread's sync, kept if the budget refuses a later call of it."""
        reads = getattr(_thread, "reads", None)
        if reads is not None:
            reads.append((self, key, read_at, outcome))

    def _take_kept(self, key: str) -> tuple[float, Any] | None:
        kept = self._kept.pop(key, None)
        if kept is None or time.monotonic() - kept[0] > KEPT_READ_SECONDS:
            return None
        return kept

    def _keep(self, key: str, read_at: float, outcome: Any) -> None:
        now = time.monotonic()
        if len(self._kept) > 64:  # kept reads no retry came for
            for stale in [k for k, (at, _) in list(self._kept.items()) if now - at > KEPT_READ_SECONDS]:
                self._kept.pop(stale, None)
        self._kept[key] = (read_at, outcome)

    def _pages(
        self,
        operation: str,
        kind: Kind,
        *,
        token_in: str = "NextToken",
        token_out: str = "NextToken",
        priority: bool = False,
        **params: Any,
    ) -> Iterator[dict[str, Any]]:
        """Every page of a listing; each page is one budgeted call."""
        token: str | None = None
        while True:
            page = self._call(operation, kind, priority=priority, **params, **({token_in: token} if token else {}))
            yield page
            token = page.get(token_out)
            if not token:
                return


def _keep_reads() -> None:
    """The budget refused a call of this thread's sync: keep the reads it made before."""
    reads = getattr(_thread, "reads", None)
    if reads:
        for gateway, key, read_at, outcome in reads:
            gateway._keep(key, read_at, outcome)
        reads.clear()


def _forget_reads() -> None:
    reads = getattr(_thread, "reads", None)
    if reads:
        reads.clear()
