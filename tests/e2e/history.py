"""Every condition every ModelEndpoint of a namespace ever showed, from a watch: what a
user running `kubectl get mep -w` would have seen, for tests that check nothing ever
said "failed" while AWS throttled, failed or could not be reached."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from kubernetes import client as k8s
from kubernetes import watch

from endpoint_operator.api.constants import GROUP, PLURAL, VERSION
from endpoint_operator.kube.client import load_api_client


@dataclass(frozen=True)
class Seen:
    name: str
    type: str
    status: str
    reason: str
    message: str


class ConditionHistory:
    """Records conditions from a watch in a thread, re-watching when the API server
    closes it (or restarts). `seen` is every distinct (object, condition) observed."""

    def __init__(self, kubeconfig, namespace: str):
        self._api = k8s.CustomObjectsApi(load_api_client(str(kubeconfig)))
        self._namespace = namespace
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._seen: list[Seen] = []
        self._known: set[Seen] = set()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"history-{namespace}")

    def __enter__(self) -> "ConditionHistory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def failures(self) -> list[Seen]:
        """Conditions that called an object failed: Degraded=True, or Ready=False for a
        reason other than work in progress."""
        return [s for s in self.seen if (s.type == "Degraded" and s.status == "True")
                or (s.type == "Ready" and s.status == "False" and s.reason in FAILURE_REASONS)]

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                stream = watch.Watch().stream(self._api.list_namespaced_custom_object, GROUP, VERSION,
                                              self._namespace, PLURAL, timeout_seconds=5)
                for event in stream:
                    self._record(event["object"])
                    if self._stop.is_set():
                        return
            except Exception:  # the API server restarting: watch again
                self._stop.wait(0.5)

    def _record(self, obj: dict) -> None:
        name = obj["metadata"]["name"]
        for c in (obj.get("status") or {}).get("conditions") or []:
            seen = Seen(name, c["type"], c["status"], c.get("reason", ""), c.get("message", ""))
            with self._lock:
                if seen not in self._known:
                    self._known.add(seen)
                    self._seen.append(seen)


# Ready=False reasons that mean "this failed", as opposed to "not there yet".
FAILURE_REASONS = frozenset({"AwsRejected", "EndpointFailed", "UpdateFailed", "InvalidSpec", "EndpointNotOwned"})
