"""The emulator's WSGI application: a layer in front of moto's own dispatcher.

Every AWS call is parsed once, judged against the fault rules, answered by the
SageMaker extensions or by moto, and logged. Paths under `/_emulator/` are the
control API; moto's `/moto-api/` passes through untouched.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from . import clock, cloudwatch, lifecycle
from .autoscaling import AutoScalingExtensions
from .calllog import CallLog
from .calls import Call, parse_call
from .control import CONTROL_PREFIX, ControlApi
from .faults import FaultBook
from .responses import ApiError, HttpResponse, error_response, json_response, validation_error
from .sagemaker import SageMakerExtensions
from .scaling_actor import ScalingActor
from .shapes import shapes_of, validation_message
from .ticker import Ticker
from .traffic import TrafficEngine

StartResponse = Callable[..., Any]
_XML_CODE = re.compile(rb"<Code>([^<]+)</Code>")
# Services whose requests are judged against botocore's service model first (shapes.py).
CHECKED_SERVICES = ("sagemaker", "application-autoscaling")


class EmulatorState:
    """Everything a test can steer, besides the AWS resources moto holds."""

    def __init__(self) -> None:
        self.faults = FaultBook()
        self.log = CallLog()
        self.sagemaker = SageMakerExtensions()
        self.scaling = ScalingActor(self.sagemaker.exclusive)
        self.autoscaling = AutoScalingExtensions(self.scaling)
        self.ticker = Ticker()  # subscribers advance with the virtual clock (clock.py)
        self.traffic = TrafficEngine(self.sagemaker.exclusive)  # load and SageMaker's metrics (traffic.py)
        self.ticker.subscribe(self.traffic.tick)
        # After the traffic of a second is published, Application Auto Scaling judges it.
        self.ticker.subscribe(self.scaling.tick)

    def reset(self) -> None:
        """Forget every resource, fault, injected failure and logged call; restore the start-up pace."""
        with self.ticker.exclusive(), self.sagemaker.exclusive():
            moto_api_backend.reset()
            self.sagemaker.clear_failures()
            self.scaling.reset()
            self.traffic.clear()
            clock.reset()
            self.ticker.restart_from_now()
        self.faults.clear()
        self.log.clear()
        lifecycle.restore_default_delay()


class EmulatorApp:
    def __init__(self, state: EmulatorState | None = None) -> None:
        self.state = state or EmulatorState()
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._control = ControlApi(self.state)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            response = self._control.handle(environ)
        elif path.startswith("/moto-api"):
            return self._moto(environ, start_response)
        else:
            response = self._aws_call(environ)
        start_response(response.status_line, response.headers)
        return [response.body]

    def _aws_call(self, environ: dict[str, Any]) -> HttpResponse:
        started, clock = time.time(), time.perf_counter()
        call = parse_call(environ)
        verdict = self.state.faults.judge(call)
        if verdict.delay:
            # Latency and stall faults are sandbox controls: AWS has nothing to cite for them.
            time.sleep(verdict.delay)  # an injected slow API: the delay is the point
        if verdict.error:
            response = error_response(verdict.error, call.protocol)
            if environ.get("REQUEST_METHOD") == "HEAD":
                # HeadObject (S3 API): "The response is identical to the GET response except that there is no
                # response body."
                response.body = b""  # HEAD answers carry headers only, errors too
        else:
            response = self._answer(call, environ)
        self.state.log.record(
            started=started, service=call.service, region=call.region, operation=call.operation,
            params=call.params, status=response.status, error_code=_error_code(response),
            duration_ms=(time.perf_counter() - clock) * 1000, faults=verdict.rule_ids,
            access_key=call.access_key,
        )
        if verdict.stall and response.status < 400:
            # Done and logged, the answer not yet sent: the window a client dies in.
            time.sleep(verdict.stall)
        return response

    def _answer(self, call: Call, environ: dict[str, Any]) -> HttpResponse:
        if call.service in CHECKED_SERVICES and call.protocol == "json":
            violations = shapes_of(call.service).violations(call.operation, call.params)
            if violations:
                return error_response(validation_error(validation_message(violations)), call.protocol)
        if call.service == "cloudwatch" and call.operation == "GetMetricData" and call.protocol == "json":
            payload = cloudwatch.get_metric_data(call.account, call.region, call.params)
            if payload is not None:
                return json_response(payload)
        if call.service == "sagemaker" and call.operation == "InvokeEndpoint":
            return self._invoke(call, environ)
        extensions = {"sagemaker": self.state.sagemaker, "application-autoscaling": self.state.autoscaling}
        extension = extensions.get(call.service)
        if extension is None or call.protocol != "json":
            return self._from_moto(environ)
        # One lock for both: autoscaling reads SageMaker's endpoints, and the reverse.
        with self.state.sagemaker.exclusive():
            try:
                payload = extension.before_moto(call.account, call.region, call.operation, call.params)
            except ApiError as error:
                return error_response(error, call.protocol)
            if payload is not None:
                return json_response(payload)
            return self._from_moto(environ)

    def _invoke(self, call: Call, environ: dict[str, Any]) -> HttpResponse:
        with self.state.sagemaker.exclusive():
            try:
                answer = self.state.sagemaker.invoke(call.account, call.region, call.params)
            except ApiError as error:
                return error_response(error, "json")
        return answer if answer is not None else self._from_moto(environ)

    def _from_moto(self, environ: dict[str, Any]) -> HttpResponse:
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        chunks = self._moto(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
        return HttpResponse(int(captured["status"].split()[0]), list(captured["headers"]), body)


def _error_code(response: HttpResponse) -> str | None:
    if response.status < 400:
        return None
    for name, value in response.headers:
        if name.lower() == "x-amzn-errortype":
            return value.split(":")[0]
    try:
        error_type = json.loads(response.body).get("__type")
        if error_type:
            return str(error_type).rsplit("#", 1)[-1]
    except (ValueError, AttributeError):
        pass
    match = _XML_CODE.search(response.body)
    return match.group(1).decode() if match else f"HTTP{response.status}"
