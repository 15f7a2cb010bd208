"""Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does.

One attempt per call, blocking; the caller (handlers/leadership.py) decides when to
try again. Every write carries the resourceVersion it read, so two candidates racing
for the same Lease cannot both win: the loser gets a 409 and stays a follower.

A holder's lease counts as expired only after `lease_duration` has passed on *our*
clock since we last saw its record change (not by comparing its renewTime to our
clock), so clock skew between replicas cannot hand the lease over early.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from kubernetes import client as k8s
from kubernetes.client.rest import ApiException

from ..api import constants

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaseSettings:
    name: str = "sagemaker-endpoint-operator"
    namespace: str = "default"
    # A follower takes over this long after the holder's last renewal it observed.
    lease_duration: float = 15.0
    # The holder stops acting when it has not renewed for this long: before anyone
    # else may take over (renew_deadline < lease_duration).
    renew_deadline: float = 10.0
    # How often the holder renews and followers retry.
    retry_period: float = 2.0

    def __post_init__(self) -> None:
        if not 0 < self.retry_period < self.renew_deadline < self.lease_duration:
            raise ValueError("need 0 < retry_period < renew_deadline < lease_duration")


def default_identity() -> str:
    """The pod name when the chart passes it, else host and pid; a random suffix keeps
    a restarted process from inheriting its predecessor's lease."""
    base = os.environ.get("POD_NAME") or f"{socket.gethostname()}-{os.getpid()}"
    return f"{base}-{secrets.token_hex(3)}"


class LeaseElector:
    def __init__(self, api_client: k8s.ApiClient, settings: LeaseSettings, identity: str | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self._api = k8s.CoordinationV1Api(api_client)
        self.settings = settings
        self.identity = identity or default_identity()
        self._clock = clock
        self._observed: tuple[str | None, object] | None = None  # (holder, renewTime) last seen
        self._observed_at = 0.0
        self._observed_duration = settings.lease_duration

    def try_acquire_or_renew(self) -> bool:
        """One attempt to take or keep the lease. True means we hold it now."""
        timeout = self.settings.retry_period
        try:
            lease = self._api.read_namespaced_lease(self.settings.name, self.settings.namespace,
                                                    _request_timeout=timeout)
        except ApiException as e:
            if e.status != 404:
                log.warning("reading lease %s failed: %s", self.settings.name, e.reason)
                return False
            return self._create(timeout)
        spec = lease.spec or k8s.V1LeaseSpec()
        self._observe(spec)
        holder = spec.holder_identity
        if holder and holder != self.identity and not self._expired():
            return False
        now = _now()
        if holder != self.identity:
            spec.acquire_time = now
            spec.lease_transitions = (spec.lease_transitions or 0) + (1 if holder else 0)
        spec.holder_identity = self.identity
        spec.renew_time = now
        spec.lease_duration_seconds = max(1, round(self.settings.lease_duration))
        lease.spec = spec  # metadata.resourceVersion is the one read: optimistic locking
        try:
            self._api.replace_namespaced_lease(self.settings.name, self.settings.namespace, lease,
                                               field_manager=constants.FIELD_MANAGER, _request_timeout=timeout)
        except ApiException as e:
            if e.status != 409:
                log.warning("renewing lease %s failed: %s", self.settings.name, e.reason)
            return False
        self._observe(spec)
        return True

    def release(self) -> None:
        """Give the lease up at once (on a clean stop), so a follower need not wait out
        the lease duration. Does nothing unless we hold it."""
        try:
            lease = self._api.read_namespaced_lease(self.settings.name, self.settings.namespace,
                                                    _request_timeout=self.settings.retry_period)
        except ApiException:
            return
        if lease.spec is None or lease.spec.holder_identity != self.identity:
            return
        lease.spec.holder_identity = None
        lease.spec.lease_duration_seconds = 1
        lease.spec.renew_time = _now()
        try:
            self._api.replace_namespaced_lease(self.settings.name, self.settings.namespace, lease,
                                               field_manager=constants.FIELD_MANAGER, _request_timeout=self.settings.retry_period)
        except ApiException as e:
            log.warning("releasing lease %s failed: %s", self.settings.name, e.reason)

    @property
    def observed_holder(self) -> str | None:
        """The holder as of our last read or write."""
        return self._observed[0] if self._observed else None

    def holder(self) -> str | None:
        """Who holds the lease now, as the API server says."""
        try:
            lease = self._api.read_namespaced_lease(self.settings.name, self.settings.namespace)
        except ApiException as e:
            if e.status == 404:
                return None
            raise
        return lease.spec.holder_identity if lease.spec else None

    def _create(self, timeout: float) -> bool:
        now = _now()
        body = k8s.V1Lease(
            metadata=k8s.V1ObjectMeta(name=self.settings.name, namespace=self.settings.namespace),
            spec=k8s.V1LeaseSpec(holder_identity=self.identity, acquire_time=now, renew_time=now,
                                 lease_duration_seconds=max(1, round(self.settings.lease_duration)),
                                 lease_transitions=0))
        try:
            self._api.create_namespaced_lease(self.settings.namespace, body, field_manager=constants.FIELD_MANAGER,
                                             _request_timeout=timeout)
        except ApiException as e:
            if e.status != 409:
                log.warning("creating lease %s failed: %s", self.settings.name, e.reason)
            return False
        self._observe(body.spec)
        return True

    def _observe(self, spec: k8s.V1LeaseSpec) -> None:
        record = (spec.holder_identity, spec.renew_time)
        if record != self._observed:
            self._observed = record
            self._observed_at = self._clock()
        # The holder's own duration counts, should replicas be configured differently.
        self._observed_duration = float(spec.lease_duration_seconds or self.settings.lease_duration)

    def _expired(self) -> bool:
        return self._clock() - self._observed_at > self._observed_duration


def _now() -> datetime:
    return datetime.now(timezone.utc)
