"""Kubernetes writes fenced like AWS mutations (aws/fence.py): a replica that has lost
the leader lease stops writing status, finalizers and events at once, even from a
sync that was already running. Reads pass."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kubernetes import client as k8s

from .client import Conflict, KubeGateway

log = logging.getLogger(__name__)


class FencedKubeGateway(KubeGateway):
    def __init__(self, api_client: k8s.ApiClient, may_act: Callable[[], bool], **kwargs: Any):
        super().__init__(api_client, **kwargs)
        self._may_act = may_act

    def _check(self, what: str, namespace: str, name: str) -> None:
        if not self._may_act():
            # A Conflict: the caller re-reads and retries, which a follower never gets to.
            raise Conflict(f"not the leader: {what} of {namespace}/{name} left to the leader")

    def patch_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        self._check("status", namespace, name)
        super().patch_status(namespace, name, status)

    def set_finalizers(self, namespace: str, name: str, finalizers: list[str], resource_version: str) -> None:
        self._check("finalizers", namespace, name)
        super().set_finalizers(namespace, name, finalizers, resource_version)

    def post_event(self, obj: dict[str, Any], type_: str, reason: str, message: str) -> None:
        if not self._may_act():
            log.info("not the leader: event %s on %s dropped", reason, obj.get("metadata", {}).get("name"))
            return
        super().post_event(obj, type_, reason, message)
