"""Runs the controller only while this replica holds the Lease.

The loop retries every `retry_period`. A leader that has not renewed within
`renew_deadline` stops its workers and poller at once, before the lease can expire
and another replica take over; it then competes again as a follower. Watch events
keep arriving meanwhile, so a follower that takes over knows every object already.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ..kube.lease import LeaseElector

log = logging.getLogger(__name__)


class Leadership:
    def __init__(self, elector: LeaseElector, on_started: Callable[[], Awaitable[None]],
                 on_stopped: Callable[[], Awaitable[None]]):
        self.elector = elector
        self._on_started = on_started
        self._on_stopped = on_stopped
        self.leading = False
        self.transitions = 0
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="leader-election")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.leading:
            await self._lose("stopping")
        await asyncio.get_running_loop().run_in_executor(None, self.elector.release)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        settings = self.elector.settings
        last_renewal = loop.time()
        while True:
            try:
                held = await asyncio.wait_for(
                    loop.run_in_executor(None, self.elector.try_acquire_or_renew), settings.retry_period)
            except (asyncio.TimeoutError, OSError) as error:
                log.warning("lease %s: attempt failed: %r", settings.name, error)
                held = False
            except Exception:
                log.exception("lease %s: attempt failed", settings.name)
                held = False
            now = loop.time()
            if held:
                last_renewal = now
                if not self.leading:
                    self.leading = True
                    self.transitions += 1
                    log.info("lease %s/%s acquired by %s: acting", settings.namespace, settings.name,
                             self.elector.identity)
                    await self._on_started()
            elif self.leading and self.elector.observed_holder not in (None, self.elector.identity):
                await self._lose(f"held by {self.elector.observed_holder}")
            elif self.leading and now - last_renewal >= settings.renew_deadline - settings.retry_period:
                # The next attempt could land past the deadline: stop acting now.
                await self._lose("renewal failed")
            await asyncio.sleep(settings.retry_period)

    async def _lose(self, why: str) -> None:
        self.leading = False
        level = logging.INFO if why == "stopping" else logging.WARNING
        log.log(level, "lease %s given up by %s (%s): no longer acting", self.elector.settings.name,
                self.elector.identity, why)
        await self._on_stopped()
