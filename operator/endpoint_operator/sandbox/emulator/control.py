"""The control API under `/_emulator/`, on the same port as the AWS APIs.

GET    /_emulator/health
GET    /_emulator/clock                 the virtual clock: {"scale", "anchorReal", "anchorVirtual", "now"}
PUT    /_emulator/clock                 {"scale": 600}: virtual seconds per real second from now on
GET    /_emulator/scaling               Application Auto Scaling's pace: {"instanceStartSeconds"}
PUT    /_emulator/scaling               {"instanceStartSeconds": 120}: virtual seconds a scaling update takes
GET    /_emulator/delay                 the endpoint transition pace
PUT    /_emulator/delay                 {"seconds": 0.2} | {"describes": 2} | {"default": true}
GET    /_emulator/faults                active fault rules
POST   /_emulator/faults                {"kind": "throttle", "service": ..., "operation": ..., "count": 3, ...}
DELETE /_emulator/faults[/<id>]         clear all, or one
GET    /_emulator/endpoint-failures
POST   /_emulator/endpoint-failures     {"endpoint": "x", "reason": "r", "operation": "create|update|any", "rollback": false}
DELETE /_emulator/endpoint-failures
GET    /_emulator/traffic[/<endpoint>]    load profiles and each variant's last second
PUT    /_emulator/traffic/<endpoint>      {"profile": {"kind": "step", "before": 5, "after": 40, "at": 60},
                                         "default": {"serviceRate": 10}, "variants": {"canary": {"errorRate": 0.2}},
                                         "multiModel": {...}, "serverless": {...}} (docs/load-model.md)
DELETE /_emulator/traffic[/<endpoint>]    stop the load (published metrics stay)
GET    /_emulator/log?service=&operation=&after=
DELETE /_emulator/log
POST   /_emulator/reset                 forget all resources, faults, failures, log, scaling activities; restore the pace
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from . import clock, lifecycle
from .responses import HttpResponse
from .sagemaker import InjectedFailure

if TYPE_CHECKING:
    from .app import EmulatorState

CONTROL_PREFIX = "/_emulator/"


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class ControlApi:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def handle(self, environ: dict[str, Any]) -> HttpResponse:
        method = environ.get("REQUEST_METHOD", "GET")
        parts = environ.get("PATH_INFO", "")[len(CONTROL_PREFIX):].strip("/").split("/")
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        try:
            body = _body(environ)
            status, payload = self._route(method, parts, query, body)
        except ControlError as error:
            status, payload = error.status, {"error": str(error)}
        except (ValueError, TypeError, KeyError) as error:
            status, payload = 400, {"error": f"{type(error).__name__}: {error}"}
        data = json.dumps(payload).encode()
        return HttpResponse(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))], data)

    def _route(self, method: str, parts: list[str], query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        resource, rest = parts[0], parts[1:]
        state = self.state
        if resource == "health" and method == "GET":
            return 200, {"status": "ok"}
        if resource == "clock":
            if method == "PUT":
                clock.set_scale(float(body["scale"]))
            elif method != "GET":
                raise ControlError(405, f"{method} not allowed on clock")
            return 200, {**clock.describe(), "now": clock.timestamp()}
        if resource == "scaling":
            if method == "PUT":
                state.scaling.set_instance_start_seconds(float(body["instanceStartSeconds"]))
            elif method != "GET":
                raise ControlError(405, f"{method} not allowed on scaling")
            return 200, {"instanceStartSeconds": state.scaling.instance_start_seconds}
        if resource == "delay":
            if method == "PUT":
                _set_pace(body)
            elif method != "GET":
                raise ControlError(405, f"{method} not allowed on delay")
            return 200, {"transition": lifecycle.current_transition()}
        if resource == "faults":
            if method == "GET":
                return 200, {"faults": state.faults.rules()}
            if method == "POST":
                return 201, state.faults.add(**body).public()
            if method == "DELETE" and rest:
                if not state.faults.remove(int(rest[0])):
                    raise ControlError(404, f"no fault {rest[0]}")
                return 200, {}
            if method == "DELETE":
                state.faults.clear()
                return 200, {}
        if resource == "endpoint-failures":
            if method == "GET":
                pending = state.sagemaker.pending_failures()
                return 200, {"failures": {n: [dataclasses.asdict(f) for f in q] for n, q in pending.items()}}
            if method == "POST":
                endpoint = body.pop("endpoint")
                failure = InjectedFailure(**body)
                if failure.operation not in ("create", "update", "any"):
                    raise ControlError(400, "operation must be create, update or any")
                state.sagemaker.fail_next(endpoint, failure)
                return 201, {"endpoint": endpoint, **dataclasses.asdict(failure)}
            if method == "DELETE":
                state.sagemaker.clear_failures()
                return 200, {}
        if resource == "traffic":
            return self._traffic(method, rest, body)
        if resource == "log":
            if method == "GET":
                calls = state.log.entries(service=query.get("service"), operation=query.get("operation"),
                                          after=int(query.get("after", 0)))
                return 200, {"calls": calls}
            if method == "DELETE":
                state.log.clear()
                return 200, {}
        if resource == "reset" and method == "POST":
            state.reset()
            return 200, {}
        raise ControlError(404, f"no control route {method} /{'/'.join(parts)}")


    def _traffic(self, method: str, rest: list[str], body: dict[str, Any]) -> tuple[int, Any]:
        engine = self.state.traffic
        endpoint = rest[0] if rest else None
        if method == "GET":
            return 200, {"traffic": engine.describe(endpoint)}
        if method == "PUT" and endpoint:
            return 200, {"traffic": engine.set(endpoint, body, clock.timestamp())}
        if method == "DELETE":
            engine.clear(endpoint)
            return 200, {}
        raise ControlError(405, f"{method} not allowed on traffic" + ("" if endpoint else " without an endpoint"))


def _set_pace(body: dict[str, Any]) -> None:
    if body.get("default"):
        lifecycle.restore_default_delay()
    elif "describes" in body:
        times = int(body["describes"])
        if times < 1:
            raise ControlError(400, "describes must be at least 1")
        lifecycle.set_describes_per_transition(times)
    elif "seconds" in body:
        lifecycle.set_delay(float(body["seconds"]))
    else:
        raise ControlError(400, 'give "seconds", "describes" or "default"')


def _body(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if not length:
        return {}
    data = json.loads(environ["wsgi.input"].read(length))
    if not isinstance(data, dict):
        raise ControlError(400, "the body must be a JSON object")
    return data
