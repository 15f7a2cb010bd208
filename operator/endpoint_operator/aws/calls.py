"""The one path of every AWS call: limiter, boto3, error translation, counting."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Any, ClassVar, Iterator

from botocore import xform_name

from .errors import Throttled, Transient, translate
from .limiter import Kind, LimiterRegistry, RateLimiter
from .session import ClientFactory
from .stats import LIMITED, OK, CallStats

LIMITED_CODE = "ClientRateLimited"

_thread = threading.local()


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
            raise Transient(
                operation, LIMITED_CODE,
                f"client-side {kind} budget of {self.region} is spent", retry_after=wait,
            )
        method = getattr(self._clients.client(self.service, self.region), xform_name(operation))
        try:
            response = method(**params)
        except Exception as error:
            failure = translate(error, operation)
            if isinstance(failure, Throttled):
                limiter.penalize(kind)
            self.stats.record(self.service, operation, type(failure).__name__, account)
            raise failure from error
        self.stats.record(self.service, operation, OK, account)
        return response

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
