"""Blocking Kubernetes calls the controller makes outside kopf's handlers.

kopf delivers the watch stream; status, finalizer and event writes happen in the
controller's workers (threads), so they go through the official client here.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Any

from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.rest import ApiException

from ..api import constants

log = logging.getLogger(__name__)


class Conflict(Exception):
    """The object changed since it was read (or is gone); re-read and retry."""


def load_api_client(kubeconfig: str | None = None) -> k8s.ApiClient:
    """In-cluster config when running in a pod, else the kubeconfig (or $KUBECONFIG)."""
    configuration = k8s.Configuration()
    try:
        if kubeconfig:
            raise k8s_config.ConfigException("explicit kubeconfig")
        k8s_config.load_incluster_config(client_configuration=configuration)
    except k8s_config.ConfigException:
        k8s_config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
    # Workers call from several threads; the pool must allow that many connections.
    configuration.connection_pool_maxsize = 32
    api_client = k8s.ApiClient(configuration)
    # The API server names a write's field manager after the user agent when the write
    # does not name one; every write here names it, and this covers any that might not.
    api_client.user_agent = constants.FIELD_MANAGER
    return api_client


class KubeGateway:
    def __init__(self, api_client: k8s.ApiClient, component: str = constants.MANAGED_BY):
        self._custom = k8s.CustomObjectsApi(api_client)
        self._core = k8s.CoreV1Api(api_client)
        self._component = component
        self._lock = threading.Lock()
        self.requests = 0  # writes and reads made here, for the scale benchmark

    def _count(self) -> None:
        with self._lock:
            self.requests += 1

    def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        self._count()
        try:
            return self._custom.get_namespaced_custom_object(
                constants.GROUP, constants.VERSION, namespace, constants.PLURAL, name)
        except ApiException as e:
            if e.status == 404:
                return None
            raise

    def list_owners(self) -> dict[tuple[str, str], str]:
        """(namespace, name) -> uid of every ModelEndpoint in the cluster."""
        self._count()
        listed = self._custom.list_cluster_custom_object(constants.GROUP, constants.VERSION, constants.PLURAL)
        return {(o["metadata"]["namespace"], o["metadata"]["name"]): o["metadata"]["uid"] for o in listed["items"]}

    def patch_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        """Merge-patch the status subresource. The controller is the only writer of
        status and always sends whole lists, so a merge patch replacing lists is right."""
        self._count()
        try:
            self._custom.patch_namespaced_custom_object_status(
                constants.GROUP, constants.VERSION, namespace, constants.PLURAL, name,
                {"status": status}, field_manager=constants.FIELD_MANAGER)
        except ApiException as e:
            if e.status in (404, 409):
                raise Conflict(str(e.reason)) from e
            raise

    def set_finalizers(self, namespace: str, name: str, finalizers: list[str], resource_version: str) -> None:
        """Replace the finalizer list, guarded by resourceVersion (optimistic locking):
        another writer's finalizers are never dropped by a stale read."""
        self._count()
        body = {"metadata": {"finalizers": finalizers, "resourceVersion": resource_version}}
        try:
            self._custom.patch_namespaced_custom_object(
                constants.GROUP, constants.VERSION, namespace, constants.PLURAL, name, body,
                field_manager=constants.FIELD_MANAGER)
        except ApiException as e:
            if e.status in (404, 409):
                raise Conflict(str(e.reason)) from e
            raise

    def post_event(self, obj: dict[str, Any], type_: str, reason: str, message: str) -> None:
        """A core/v1 Event on the object; failures are logged, never fatal."""
        meta = obj.get("metadata", {})
        now = datetime.now(timezone.utc)
        event = k8s.CoreV1Event(
            metadata=k8s.V1ObjectMeta(generate_name=f"{meta.get('name', 'mep')}.", namespace=meta.get("namespace")),
            involved_object=k8s.V1ObjectReference(
                api_version=constants.API_VERSION, kind=constants.KIND, name=meta.get("name"),
                namespace=meta.get("namespace"), uid=meta.get("uid"),
                resource_version=meta.get("resourceVersion")),
            type=type_, reason=reason, message=message[:1024],
            first_timestamp=now, last_timestamp=now, count=1,
            source=k8s.V1EventSource(component=self._component),
            reporting_component=self._component, reporting_instance=self._component,
        )
        self._count()
        try:
            self._core.create_namespaced_event(meta.get("namespace"), event, field_manager=constants.FIELD_MANAGER)
        except ApiException as e:
            log.warning("could not post event %s on %s/%s: %s", reason, meta.get("namespace"), meta.get("name"), e.reason)
