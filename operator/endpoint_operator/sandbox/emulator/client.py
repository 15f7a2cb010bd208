"""EmulatorClient: the control API from Python, for tests and benchmarks."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode


class EmulatorControlError(RuntimeError):
    pass


class EmulatorClient:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    # ---- state -------------------------------------------------------------------

    def health(self) -> bool:
        return self._call("GET", "health").get("status") == "ok"

    def reset(self) -> None:
        """Forget all resources, faults, injected failures and logged calls; restore the start-up pace."""
        self._call("POST", "reset")

    # ---- endpoint transitions ------------------------------------------------------

    def set_delay(self, seconds: float) -> None:
        """Seconds each endpoint transition takes (Creating -> InService, ...); 0 is at once."""
        self._call("PUT", "delay", {"seconds": seconds})

    def set_describes_per_transition(self, times: int) -> None:
        """Transitions advance only after `times` DescribeEndpoint calls of that endpoint."""
        self._call("PUT", "delay", {"describes": times})

    def restore_delay(self) -> None:
        self._call("PUT", "delay", {"default": True})

    def set_time_scale(self, scale: float) -> dict[str, float]:
        """Virtual seconds per real second from now on; the clock's line (clock.py)."""
        return self._call("PUT", "clock", {"scale": scale})

    def set_instance_start_time(self, seconds: float) -> None:
        """Virtual seconds an Application Auto Scaling capacity change keeps the endpoint
        Updating before CurrentInstanceCount reaches the new count."""
        self._call("PUT", "scaling", {"instanceStartSeconds": seconds})

    def clock(self) -> dict[str, float]:
        return self._call("GET", "clock")

    def transition(self) -> dict[str, Any]:
        return self._call("GET", "delay")["transition"]

    def fail_next(self, endpoint: str, reason: str, operation: str = "any", rollback: bool = False) -> None:
        """The next create/update (`operation`) of `endpoint` ends Failed with `reason`;
        with `rollback`, a failed update returns to InService on the old config."""
        self._call("POST", "endpoint-failures",
                   {"endpoint": endpoint, "reason": reason, "operation": operation, "rollback": rollback})

    def clear_endpoint_failures(self) -> None:
        self._call("DELETE", "endpoint-failures")

    # ---- traffic (traffic.py, docs/load-model.md) ------------------------------------

    def set_traffic(self, endpoint: str, profile: dict[str, Any], region: str | None = None,
                    **settings: Any) -> dict[str, Any]:
        """Load `endpoint` from now on: `profile` is {"kind": "constant", "rate": 20}, {"kind": "step",
        "before": 5, "after": 40, "at": 60} or {"kind": "trace", "rows": [[0, 5], [600, 40]]}; settings:
        startAt (virtual epoch second of the profile's time 0; default now), default / variants
        ({"serviceRate", "errorRate", "clientErrorRate", "overheadMs", "modelRates"}),
        multiModel, serverless, retentionSeconds."""
        body = {"profile": profile, **_present({"region": region}), **settings}
        return self._call("PUT", f"traffic/{endpoint}", body)["traffic"][endpoint]

    def constant_load(self, endpoint: str, rate: float, **settings: Any) -> dict[str, Any]:
        return self.set_traffic(endpoint, {"kind": "constant", "rate": rate}, **settings)

    def step_load(self, endpoint: str, before: float, after: float, at: float, **settings: Any) -> dict[str, Any]:
        """`before` requests/s, then `after` from `at` virtual seconds after now."""
        return self.set_traffic(endpoint, {"kind": "step", "before": before, "after": after, "at": at}, **settings)

    def traffic(self, endpoint: str | None = None) -> dict[str, Any]:
        """Each loaded endpoint: its profile, and per variant the last second served (arrivals,
        instances, queue or backlog, p99Seconds ...)."""
        return self._call("GET", f"traffic/{endpoint}" if endpoint else "traffic")["traffic"]

    def clear_traffic(self, endpoint: str | None = None) -> None:
        self._call("DELETE", f"traffic/{endpoint}" if endpoint else "traffic")

    # ---- faults ------------------------------------------------------------------

    def add_fault(self, kind: str, **scope: Any) -> int:
        """Add a fault rule and return its id. Scope: service, operation, operation_class
        (read|write), params (request values to match), count; kind options: status, code,
        message, seconds, per_second."""
        return self._call("POST", "faults", {"kind": kind, **_present(scope)})["id"]

    def throttle(self, service: str | None = None, operation: str | None = None,
                 count: int | None = None, **more: Any) -> int:
        return self.add_fault("throttle", service=service, operation=operation, count=count, **more)

    def server_error(self, service: str | None = None, operation: str | None = None,
                     count: int | None = None, status: int = 500, **more: Any) -> int:
        return self.add_fault("error", service=service, operation=operation, count=count, status=status, **more)

    def slow(self, seconds: float, service: str | None = None, operation: str | None = None,
             count: int | None = None, **more: Any) -> int:
        return self.add_fault("latency", seconds=seconds, service=service, operation=operation, count=count, **more)

    def stall(self, seconds: float, service: str | None = None, operation: str | None = None,
              count: int | None = None, **more: Any) -> int:
        """The call takes effect at once; its answer waits `seconds`."""
        return self.add_fault("stall", seconds=seconds, service=service, operation=operation, count=count, **more)

    def rate_limit(self, per_second: int, service: str | None = None, operation: str | None = None,
                   operation_class: str | None = None, **more: Any) -> int:
        return self.add_fault("rate", per_second=per_second, service=service, operation=operation,
                              operation_class=operation_class, **more)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")["faults"]

    def remove_fault(self, fault_id: int) -> None:
        self._call("DELETE", f"faults/{fault_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    # ---- request log ---------------------------------------------------------------

    def calls(self, service: str | None = None, operation: str | None = None, after: int = 0) -> list[dict[str, Any]]:
        """Logged AWS calls in arrival order: seq, timestamp, time, service, region, operation,
        params, status, error_code, duration_ms, faults."""
        query = urlencode(_present({"service": service, "operation": operation, "after": after or None}))
        return self._call("GET", f"log?{query}" if query else "log")["calls"]

    def clear_log(self) -> None:
        self._call("DELETE", "log")

    # ---- transport ---------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/_emulator/{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise EmulatorControlError(f"{method} {path}: HTTP {error.code}: {detail}") from None


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
