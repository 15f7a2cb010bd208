"""The controller: one work queue, a few workers, one shared poller.

kopf delivers watch events; the controller decides when an object needs a sync:
when its generation or deletion changed, when a sync asked to look again soon
(something is in flight), or when the poller's bulk ListEndpoints sweep shows its
endpoint changed out of band. At rest an object costs no AWS call but its share of
the sweep and a slow periodic resync (see OperatorConfig).

While an endpoint is only transitioning (Creating, Updating, ...) and its sync had
nothing to do, the object is not polled on its own: the sweep runs every half fast
poll instead (slower when its pages would take more than a tenth of the read budget)
and syncs the objects whose endpoint moved. A thousand endpoints in flight then cost
ten ListEndpoints pages per interval, not a thousand describes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..aws.errors import GatewayError
from ..plan.accounts import OWN_ACCOUNT, AccountTarget
from .config import OperatorConfig
from .idle import read_invocations, verdict_changes, watched
from .outcome import Lane, Next, lane, lane_after, retry, wake
from .sync import Syncer, SyncResult, rollout_command as _rollout_command
from .time_scale import EmulatorClock, WallClock
from .wiring import AwsGateways

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (namespace, name)
SWEEP_READ_SHARE = 0.1  # sweeps for transitions take at most this share of the read budget
LIST_PAGE = 100  # endpoints per ListEndpoints page
# The sweep of another account lists every endpoint of it, for all its objects at once.
SWEEP_SESSION = "endpoint-operator-sweep"


@dataclass
class Tracked:
    body: dict[str, Any]
    synced_generation: int | None = None  # the generation the last sync started from
    region: str | None = None
    role_arn: str | None = None  # the role assumed for the object's account; None: the operator's own
    endpoint_name: str | None = None
    endpoint_seen: tuple[str, datetime | None] | None = None
    next_resync: float = 0.0
    in_flight: bool = False
    awaiting_transition: bool = False  # watched by the fast sweep, not polled on its own
    acted: bool = False  # some sync of this process has acted on it
    # The sweep saw its endpoint change: it keeps the urgent lane until a sync gets
    # through, so a refusal by the limiter does not send the status change to the back.
    urgent: bool = False
    scaling_seen: int | None = None  # the scaling sweep's digest of its endpoint's targets and policies
    made: frozenset[str] | None = None  # SyncResult.made of the last sync, at made_generation
    made_generation: int | None = None
    # The rollout annotation and the deletion the last sync started from: neither moves the
    # generation, and a change of either is news.
    synced_command: str | None = None
    synced_deletion: str | None = None


class Controller:
    def __init__(self, syncer: Syncer, aws: AwsGateways, config: OperatorConfig,
                 clock: WallClock | EmulatorClock | None = None):
        self.syncer = syncer
        self.aws = aws
        self.config = config
        # Poll, sweep, resync and the delays a sync asks for are durations on the operator's
        # clock (virtual in the sandbox with a time scale); backoff after a failure is real.
        self.clock = clock or WallClock()
        self.objects: dict[Key, Tracked] = {}
        self.queue = None  # created on the running loop
        self._executor = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="sync")
        self._tasks: list[asyncio.Task] = []
        self._stopping = False
        self.syncs = 0
        self._last_sweep = 0.0
        self._last_idle_sweep = 0.0
        self._last_scaling_sweep = 0.0
        self._sweep_pages = 1
        self.acting = False  # False while standing by for the leader lease
        self.on_synced: Callable[[str, float], None] | None = None  # (outcome, seconds), for metrics

    # ---- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        from .workqueue import WorkQueue
        self.acting = True
        self.queue = WorkQueue()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._worker(i), name=f"worker-{i}") for i in range(self.config.workers)]
        self._tasks.append(loop.create_task(self._poller(), name="poller"))
        for key in self.objects:
            self._enqueue(key)

    async def stop(self) -> None:
        self._stopping = True
        await self.suspend()
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def suspend(self) -> None:
        """Stop acting (the leader lease is lost): workers and poller end now, objects
        stay tracked from watch events, and start() resumes with every one of them."""
        self.acting = False
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self.queue = None

    def healthy(self) -> dict[str, Any]:
        if not self.acting and not self._stopping:
            return {"objects": len(self.objects), "standby": True, "syncs": self.syncs}
        alive = [t for t in self._tasks if not t.done()]
        if len(alive) != len(self._tasks) or not self._tasks:
            raise RuntimeError("controller tasks are not running")
        return {"objects": len(self.objects), "queued": len(self.queue), "syncs": self.syncs}

    # ---- events from kopf --------------------------------------------------------------

    def observe(self, event_type: str | None, body: dict[str, Any]) -> None:
        body = without_managed_fields(body)
        meta = body.get("metadata", {})
        key = (meta.get("namespace"), meta.get("name"))
        if event_type == "DELETED":
            self.objects.pop(key, None)
            if self.queue is not None:
                self.queue.forget(key)
            return
        tracked = self.objects.get(key)
        if tracked is None:
            tracked = self.objects[key] = Tracked(body=body)
            self._enqueue(key, first=True)
            return
        tracked.body = body
        if _needs_sync(tracked, body):
            if self.queue is not None:
                self.queue.succeeded(key)  # a changed manifest starts its retries afresh
            self._enqueue(key)

    def _enqueue(self, key: Key, delay: float = 0.0, first: bool | None = None) -> None:
        """Queue in the lane the object's state says (outcome.lane); `first=True` puts it
        ahead of routine work whatever its state."""
        if self.queue is None:
            return  # start() enqueues everything known
        tracked = self.objects.get(key)
        queued = (lane(tracked.acted, tracked.urgent, tracked.in_flight or tracked.awaiting_transition)
                  if tracked is not None else Lane.ROUTINE)
        if first:
            queued = min(queued, Lane.NEW)
        if delay > 0:
            self.queue.add_after(key, delay, queued)
        else:
            self.queue.add(key, queued)

    # ---- workers -----------------------------------------------------------------------

    async def _worker(self, index: int) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            key = await self.queue.get()
            try:
                tracked = self.objects.get(key)
                if tracked is None:
                    continue
                body = tracked.body
                # Recorded at the start, whatever the outcome: a failed sync is retried by
                # its own backoff, not by the events its status writes cause.
                tracked.synced_generation = body.get("metadata", {}).get("generation")
                tracked.synced_command = _rollout_command(body)
                tracked.synced_deletion = body.get("metadata", {}).get("deletionTimestamp")
                started = loop.time()
                outcome = "ok"
                made = tracked.made if tracked.made_generation == tracked.synced_generation else None
                failures = self.queue.failures(key)
                try:
                    result = await loop.run_in_executor(
                        self._executor, partial(self.syncer.sync, body, failures, urgent=tracked.urgent, made=made))
                except Exception as error:  # a bug must not kill the worker; the object is retried
                    if failures == 0:
                        log.exception("sync of %s/%s failed", *key)
                    else:  # the traceback was logged on the first failure
                        log.warning("sync of %s/%s failed again (attempt %d): %r", *key, failures + 1, error)
                    outcome = "error"
                    result = SyncResult(retry())
                self.syncs += 1
                if self.on_synced is not None:
                    if outcome == "ok" and result.outcome.next is Next.RETRY and not result.outcome.limited:
                        outcome = "retry"
                    self.on_synced(outcome, loop.time() - started)
                self._record(key, tracked, result, loop.time())
            finally:
                self.queue.done(key)

    def _record(self, key: Key, tracked: Tracked, result: SyncResult, now: float) -> None:
        """Note what the sync saw and queue its next run as wake() says."""
        outcome = result.outcome
        plan = wake(outcome, self.config)
        queued = lane_after(plan, tracked.acted or result.acted, tracked.urgent)
        tracked.urgent = tracked.urgent and plan.keeps_front
        # Each object's resync falls somewhere in [0.75, 1.25) of the period, by its name,
        # so objects synced together at start-up do not resync as one burst.
        spread = 0.75 + (zlib.crc32(f"{key[0]}/{key[1]}".encode()) % 1000) / 2000
        tracked.next_resync = now + self.clock.real_seconds(self.config.resync_seconds * spread)
        tracked.acted = tracked.acted or result.acted
        tracked.made, tracked.made_generation = result.made, result.generation
        if result.region:
            tracked.region, tracked.endpoint_name = result.region, result.endpoint_name
        if result.account is not None:
            tracked.role_arn = result.account.role_arn
        if result.endpoint_seen is not None:
            tracked.endpoint_seen = result.endpoint_seen
        tracked.in_flight, tracked.awaiting_transition = plan.in_flight, plan.awaiting
        if plan.backoff:
            self.queue.retry(key, plan.at or 0.0, queued)
            return
        self.queue.succeeded(key)
        # Timers of the outcome are on the operator's clock (virtual in the sandbox with a
        # time scale); a limited retry's hint is AWS's or the limiter's, in real seconds.
        at = plan.at if plan.paced or plan.at is None else self.clock.real_seconds(plan.at)
        if plan.paced:
            self.queue.retry_paced(key, at or 0.0, queued)
        elif plan.now:
            self.queue.add(key, queued)  # behind every other object waiting in its lane
        elif at is not None:
            self.queue.add_after(key, at, queued)

    # ---- the shared poller ---------------------------------------------------------------

    async def _poller(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            fast_poll, sweep = (self.clock.real_seconds(self.config.fast_poll_seconds),
                                self.clock.real_seconds(self.config.sweep_seconds))
            await asyncio.sleep(min(1.0, fast_poll / 2, sweep))
            if loop.time() - self._last_scaling_sweep >= self.clock.real_seconds(self.config.scaling_sweep_seconds):
                self._last_scaling_sweep = loop.time()
                try:
                    await self._scaling_sweep(loop)
                except GatewayError as error:
                    log.info("scaling sweep skipped: %s", error)
                except Exception:
                    log.exception("scaling sweep failed")
            since = loop.time() - self._last_sweep
            transitions = any(t.awaiting_transition for t in self.objects.values())
            if since < sweep and not (transitions and since >= self.transition_sweep_seconds()):
                continue
            self._last_sweep = loop.time()
            try:
                await self._sweep(loop)
            except GatewayError as error:
                log.info("endpoint sweep skipped: %s", error)
            except Exception:
                log.exception("endpoint sweep failed")
            if loop.time() - self._last_idle_sweep >= self.clock.real_seconds(self.config.idle_check_seconds):
                self._last_idle_sweep = loop.time()
                try:
                    await self._idle_sweep(loop)
                except GatewayError as error:
                    log.info("idle sweep skipped: %s", error)
                except Exception:
                    log.exception("idle sweep failed")

    def transition_sweep_seconds(self) -> float:
        """The sweep's interval while endpoints transition: half the fast poll, so an end is
        reported within about one fast poll even with its sync's own time; longer when
        the last sweep's pages would take more than SWEEP_READ_SHARE of the read budget."""
        return max(self.clock.real_seconds(self.config.fast_poll_seconds / 2),
                   self._sweep_pages / (SWEEP_READ_SHARE * self.config.reads_per_second))

    async def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        """One ListEndpoints sweep per account and region; an object whose endpoint changed
        since its last sync (or vanished) is synced. Objects due a resync are synced too."""
        now = loop.time()
        places = {(t.role_arn or "", t.region) for t in self.objects.values() if t.region}
        pages = 0
        for role_arn, region in sorted(places):
            target = AccountTarget(role_arn, SWEEP_SESSION) if role_arn else OWN_ACCOUNT
            gateway = self.aws.for_account(target).sagemaker(region)
            summaries = await loop.run_in_executor(self._executor, partial(gateway.list_endpoints, None, priority=True))
            pages += max(1, math.ceil(len(summaries) / LIST_PAGE))
            by_name = {s.name: (s.status, s.last_modified) for s in summaries}
            for key, tracked in list(self.objects.items()):
                if (tracked.region != region or (tracked.role_arn or "") != role_arn
                        or tracked.endpoint_name is None or tracked.in_flight):
                    continue
                # A transition's backstop timer does not stop the sweep from syncing it now.
                if self.queue.pending(key) if tracked.awaiting_transition else self.queue.scheduled(key):
                    continue
                current = by_name.get(tracked.endpoint_name, ("Missing", None))
                if tracked.awaiting_transition:
                    # Only the transition's end matters; a started one has no time recorded.
                    current, seen = current[0], (tracked.endpoint_seen or ("Missing", None))[0]
                else:
                    seen = tracked.endpoint_seen
                if seen is not None and current != seen:
                    log.info("endpoint %s changed (%s -> %s); syncing", tracked.endpoint_name, seen, current)
                    tracked.urgent = True
                    self._enqueue(key, first=True)
        self._sweep_pages = max(1, pages)
        for key, tracked in list(self.objects.items()):
            if now >= tracked.next_resync and not self.queue.scheduled(key):
                self._enqueue(key)


    async def _idle_sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        """Invocations of every endpoint watched for idleness, one GetMetricData per account,
        region and idleAfter; an object whose Idle condition would change is synced."""
        groups: dict[tuple[str, str], list] = {}
        for key, tracked in list(self.objects.items()):
            item = watched(key, tracked.body) if tracked.region else None
            if item is not None:
                groups.setdefault((tracked.role_arn or "", tracked.region), []).append(item)
        for (role_arn, region), items in sorted(groups.items()):
            target = AccountTarget(role_arn, SWEEP_SESSION) if role_arn else OWN_ACCOUNT
            cloudwatch = self.aws.for_account(target).cloudwatch(region)
            now = self.syncer.clock()
            readings = await loop.run_in_executor(self._executor, partial(read_invocations, cloudwatch, items, now))
            for item in items:
                reading = readings.get(item.key)
                tracked = self.objects.get(item.key)
                if reading is None or tracked is None:
                    continue
                self.syncer.idle.put(item.key, reading)
                if verdict_changes(tracked.body, item, reading, now) and not self.queue.pending(item.key):
                    self._enqueue(item.key)


    async def _scaling_sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        """Every variant target and scaling policy per region, in a few pages: an object
        whose endpoint's targets or policies differ from the last sweep's is synced. The
        ListEndpoints sweep does not show scaling, and reading it per object would cost
        a call per endpoint every interval."""
        regions = {t.region for t in self.objects.values() if t.region}
        for region in sorted(regions):
            gateway = self.aws.autoscaling(region)
            targets = await loop.run_in_executor(self._executor, gateway.all_targets)
            policies = await loop.run_in_executor(self._executor, gateway.all_policies)
            found: dict[str, list[str]] = {}
            for target in targets:
                found.setdefault(_endpoint_of(target.resource_id), []).append(repr(target))
            for policy in policies:
                found.setdefault(_endpoint_of(policy.resource_id), []).append(repr(policy))
            for key, tracked in list(self.objects.items()):
                if tracked.region != region or tracked.endpoint_name is None:
                    continue
                digest = zlib.crc32(repr(sorted(found.get(tracked.endpoint_name, []))).encode())
                changed = tracked.scaling_seen is not None and digest != tracked.scaling_seen
                tracked.scaling_seen = digest
                if changed and not tracked.in_flight and not self.queue.scheduled(key):
                    log.info("scaling of endpoint %s changed; syncing", tracked.endpoint_name)
                    self._enqueue(key)


def _endpoint_of(resource_id: str) -> str:
    """The endpoint of a variant's resource id, endpoint/<name>/variant/<variant>."""
    parts = resource_id.split("/")
    return parts[1] if len(parts) > 1 else ""


def without_managed_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The watched body as the controller keeps it: metadata.managedFields (every writer's
    field set, more than half of a body's memory) is read by nothing here, and a thousand
    tracked objects would hold a copy each. The rest is shared with the event, not copied."""
    meta = body.get("metadata")
    if not meta or "managedFields" not in meta:
        return body
    return {**body, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}


def _needs_sync(tracked: Tracked, body: dict) -> bool:
    meta = body.get("metadata", {})
    if meta.get("deletionTimestamp") != tracked.synced_deletion:
        return True  # the deletion began; the writes of its own syncs are not news
    generation = meta.get("generation")
    if tracked.synced_generation is None or generation != tracked.synced_generation:
        return True
    # Annotations do not move the generation; the rollout's manual control is one.
    return _rollout_command(body) != tracked.synced_command
