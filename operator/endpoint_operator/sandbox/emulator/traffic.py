"""The traffic engine: load on the emulator's endpoints, second by virtual second, and
the metrics SageMaker publishes about it.

Subscribed to the ticker (ticker.py), it reads each endpoint with a load profile from
moto's backend at every tick (its variants, their current weights and, for an
InService endpoint, each variant's CurrentInstanceCount, which Application Auto
Scaling changes), runs the load model (plan/load, the same code as simulate-scaling)
and publishes SageMaker's metrics into moto's CloudWatch backend (traffic_metrics.py).
Set, read and clear a profile through `/_emulator/traffic` (control.py) or
EmulatorClient.set_traffic. The model and its limits: docs/load-model.md.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sagemaker.models import sagemaker_backends

from ...api.hosting import accelerated
from ...plan.load import (
    AsyncQueue, ModelCaches, Profile, RealTimeFleet, ServerlessFleet, VariantLoad, profile_from_dict, split_by_weight,
)
from .multimodel import MULTI_MODEL, caches_models
from .traffic_metrics import HIGH_RESOLUTION, INSTANCES, MICRO, SAGEMAKER, STANDARD, Publisher

# The old fleet serves during an update (UpdateEndpoint: "there is no availability loss").
SERVING = frozenset({"InService", "Updating", "SystemUpdating", "RollingBack"})


@dataclass
class MultiModelLoad:
    """Calls per model (shares of the variant's traffic) and what an instance holds."""

    models: dict[str, float] = field(default_factory=dict)  # model -> share of the calls
    cache_size: int = 4  # models one instance holds
    download_seconds: float = 2.0
    load_seconds: float = 1.0
    unload_seconds: float = 0.5


@dataclass
class TrafficSettings:
    """One endpoint's load, as set through the control API."""

    profile: Profile
    started: float  # virtual second the profile's time 0 falls on
    region: str = "us-east-1"
    account: str = DEFAULT_ACCOUNT_ID
    default: VariantLoad = field(default_factory=VariantLoad)
    variants: dict[str, VariantLoad] = field(default_factory=dict)
    multi_model: MultiModelLoad = field(default_factory=MultiModelLoad)
    cold_start_seconds: float = 5.0
    idle_seconds: float = 300.0

    def load_of(self, variant: str) -> VariantLoad:
        return self.variants.get(variant, self.default)

    @classmethod
    def parse(cls, body: dict[str, Any], now: float) -> TrafficSettings:
        """The control API's body; unknown keys are refused so a typo is not silently ignored."""
        known = {"profile", "startAt", "region", "account", "default", "variants", "multiModel", "serverless",
                 "retentionSeconds"}
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown traffic settings {sorted(unknown)}; known: {sorted(known)}")
        mme = body.get("multiModel") or {}
        serverless = body.get("serverless") or {}
        settings = cls(
            profile=profile_from_dict(body.get("profile") or {"kind": "constant", "rate": 0}),
            # The profile's time 0: a whole virtual second (the ticker's grain), now or at `startAt`.
            started=float(math.ceil(float(now if body.get("startAt") is None else body["startAt"]))),
            region=body.get("region", "us-east-1"), account=body.get("account", DEFAULT_ACCOUNT_ID),
            default=_variant_load(body.get("default") or {}),
            variants={name: _variant_load(v) for name, v in (body.get("variants") or {}).items()},
            multi_model=MultiModelLoad(
                models={str(k): float(v) for k, v in (mme.get("models") or {}).items()},
                cache_size=int(mme.get("cacheSize", 4)), download_seconds=float(mme.get("downloadSeconds", 2.0)),
                load_seconds=float(mme.get("loadSeconds", 1.0)), unload_seconds=float(mme.get("unloadSeconds", 0.5)),
            ),
            cold_start_seconds=float(serverless.get("coldStartSeconds", 5.0)),
            idle_seconds=float(serverless.get("idleSeconds", 300.0)),
        )
        if settings.multi_model.cache_size < 1:
            raise ValueError("multiModel.cacheSize must be at least 1")
        return settings


def _variant_load(body: dict[str, Any]) -> VariantLoad:
    known = {"serviceRate", "errorRate", "clientErrorRate", "overheadMs", "modelRates"}
    unknown = set(body) - known
    if unknown:
        raise ValueError(f"unknown variant settings {sorted(unknown)}; known: {sorted(known)}")
    return VariantLoad(
        service_rate=float(body.get("serviceRate", 10.0)), error_rate=float(body.get("errorRate", 0.0)),
        client_error_rate=float(body.get("clientErrorRate", 0.0)),
        overhead_seconds=float(body.get("overheadMs", 2.0)) / 1000,
        model_rates={str(k): float(v) for k, v in (body.get("modelRates") or {}).items()},
    )


@dataclass
class _VariantState:
    config: str
    fleet: RealTimeFleet | None = None
    caches: ModelCaches | None = None
    queue: AsyncQueue | None = None
    serverless: ServerlessFleet | None = None
    credit: dict[str, float] = field(default_factory=dict)  # multi-model: calls owed to each model
    last: dict[str, Any] = field(default_factory=dict)  # the last second, for GET /_emulator/traffic


@dataclass(frozen=True)
class _VariantView:
    """What the engine read of one variant in one tick."""

    name: str
    weight: float
    instances: int
    instance_type: str
    multi_model: bool
    caching: bool
    serverless: dict[str, Any] | None


class TrafficEngine:
    def __init__(self, lock: Callable[[], AbstractContextManager[Any]]) -> None:
        self._sagemaker_lock = lock  # SageMakerExtensions.exclusive: endpoints are read under it
        self._lock = threading.RLock()
        self._settings: dict[str, TrafficSettings] = {}
        self._states: dict[tuple[str, str], _VariantState] = {}
        self._queues: dict[str, AsyncQueue] = {}  # an async endpoint's queue outlives its fleets
        self._publishers: dict[tuple[str, str], Publisher] = {}
        self._through: float | None = None  # the last virtual second served and published
        self.retention_seconds = Publisher.__dataclass_fields__["retention_seconds"].default

    # ---- control -------------------------------------------------------------------

    def set(self, endpoint: str, body: dict[str, Any], now: float) -> dict[str, Any]:
        settings = TrafficSettings.parse(body, now)
        with self._lock:
            if "retentionSeconds" in body:
                self.retention_seconds = int(body["retentionSeconds"])
                for publisher in self._publishers.values():
                    publisher.retention_seconds = self.retention_seconds
            self._settings[endpoint] = settings
        return self.describe(endpoint)

    def clear(self, endpoint: str | None = None) -> None:
        with self._lock:
            for name in [endpoint] if endpoint else list(self._settings):
                self._settings.pop(name, None)
                self._queues.pop(name, None)
                for key in [k for k in self._states if k[0] == name]:
                    del self._states[key]
            if endpoint is None:
                self._publishers.clear()

    def describe(self, endpoint: str | None = None) -> dict[str, Any]:
        with self._lock:
            names = [endpoint] if endpoint else sorted(self._settings)
            return {name: self._describe(name) for name in names if name in self._settings}

    def _describe(self, name: str) -> dict[str, Any]:
        settings = self._settings[name]
        return {
            "profile": settings.profile.describe(), "started": settings.started, "region": settings.region,
            # Periods that ended by `through + 1` are published: wait on this, not on the clock, since
            # the ticker may run behind the clock on a busy machine.
            "through": self._through,
            "variants": {v: dict(state.last) for (e, v), state in self._states.items() if e == name},
        }

    # ---- the tick --------------------------------------------------------------------

    def tick(self, moment: datetime) -> None:
        now = moment.timestamp()
        with self._lock:
            for name, settings in list(self._settings.items()):
                views = self._read(settings, name)
                publisher = self._publisher(settings)
                if views is not None:
                    self._serve(name, settings, views, now, publisher)
            for publisher in self._publishers.values():
                publisher.flush(now + 1)  # this second is done: periods ending with it are complete
            self._through = now

    def _publisher(self, settings: TrafficSettings) -> Publisher:
        key = (settings.account, settings.region)
        if key not in self._publishers:
            self._publishers[key] = Publisher(settings.account, settings.region, self.retention_seconds)
        return self._publishers[key]

    def _read(self, settings: TrafficSettings, name: str) -> tuple[bool, str, list[_VariantView]] | None:
        """(async, config name, variants) of a serving endpoint; None while it serves nothing."""
        with self._sagemaker_lock():
            backend = sagemaker_backends[settings.account][settings.region]
            endpoint = backend.endpoints.get(name)
            if endpoint is None or endpoint.endpoint_status not in SERVING:
                return None
            config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
            entries = {e["VariantName"]: e for e in (config.production_variants if config else [])}
            views = []
            for variant in endpoint.production_variants:
                entry = entries.get(variant["VariantName"], {})
                model = backend._models.get(entry.get("ModelName", ""))
                container = (getattr(model, "primary_container", None) or {}) if model is not None else {}
                views.append(_VariantView(
                    name=variant["VariantName"], weight=float(variant.get("CurrentWeight", 1.0)),
                    instances=int(variant.get("CurrentInstanceCount") or 0),
                    instance_type=entry.get("InstanceType") or "",
                    multi_model=container.get("Mode") == MULTI_MODEL, caching=caches_models(container),
                    serverless=variant.get("CurrentServerlessConfig"),
                ))
            return bool(getattr(endpoint, "async_inference_config", None)), endpoint.endpoint_config_name, views

    def _serve(self, name: str, settings: TrafficSettings, read: tuple[bool, str, list[_VariantView]], now: float,
               publisher: Publisher) -> None:
        is_async, config, views = read
        rate = settings.profile.rate(now - settings.started) if now >= settings.started else 0.0
        shares = split_by_weight(rate, {v.name: v.weight for v in views})
        if is_async:
            for view in views:
                state = self._state(name, view, config, settings, is_async)
                self._serve_async(view, state, shares[view.name], now, (("EndpointName", name), ("VariantName", view.name)),
                                  publisher)
            self._publish_backlog(name, sum(v.instances for v in views), now, publisher)
            return
        for view in views:
            state = self._state(name, view, config, settings, is_async)
            dims = (("EndpointName", name), ("VariantName", view.name))
            arrivals = shares[view.name]
            if view.serverless:
                self._serve_serverless(view, state, arrivals, now, dims, publisher)
            else:
                self._serve_real_time(view, state, settings, arrivals, now, dims, publisher)

    def _state(self, name: str, view: _VariantView, config: str, settings: TrafficSettings,
               is_async: bool) -> _VariantState:
        key = (name, view.name)
        state = self._states.get(key)
        if state is None or state.config != config:
            # A new config is a new fleet (UpdateEndpoint "Deploys the EndpointConfig specified in the request
            # to a new fleet of instances"): no queue, nothing loaded, no warm container.
            load = settings.load_of(view.name)
            state = _VariantState(config=config)
            if is_async:
                state.queue = self._queues.setdefault(name, AsyncQueue(load))
                state.queue.load = load
            elif view.serverless:
                state.serverless = ServerlessFleet(
                    load, max_concurrency=int(view.serverless.get("MaxConcurrency", 20)),
                    provisioned=int(view.serverless.get("ProvisionedConcurrency", 0) or 0),
                    cold_start_seconds=settings.cold_start_seconds, idle_seconds=settings.idle_seconds)
            else:
                state.fleet = RealTimeFleet(load)
                if view.multi_model:
                    mme = settings.multi_model
                    state.caches = ModelCaches(mme.cache_size, mme.download_seconds + mme.load_seconds, view.caching)
            self._states[key] = state
        if state.serverless is not None and view.serverless:
            # UpdateEndpointWeightsAndCapacities may change a serverless variant's concurrency in place
            # (DesiredServerlessConfig); the fleet follows the current one.
            state.serverless.max_concurrency = int(view.serverless.get("MaxConcurrency", 20))
            state.serverless.provisioned = int(view.serverless.get("ProvisionedConcurrency", 0) or 0)
        load = settings.load_of(view.name)
        for model in (state.fleet, state.queue, state.serverless):
            if model is not None:
                model.load = load  # settings set again take effect on the running fleet
        return state

    # ---- real-time, multi-model included --------------------------------------------

    def _serve_real_time(self, view: _VariantView, state: _VariantState, settings: TrafficSettings,
                         arrivals: float, now: float, dims: tuple[tuple[str, str], ...], publisher: Publisher) -> None:
        assert state.fleet is not None
        calls: dict[str | None, float] = {None: arrivals}
        if state.caches is not None:
            calls = dict(_whole_calls(state.credit, split_by_weight(arrivals, settings.multi_model.models
                                                                    or {"model.tar.gz": 1.0})))
        second = state.fleet.advance(calls, view.instances)
        state.last = {"time": now, "arrivals": arrivals, "instances": view.instances,
                      "queue": second.queue, "p99Seconds": second.p99_seconds, "timedOut": second.timed_out}
        if second.instances == 0 or second.arrivals <= 0 and second.queue <= 0:
            self._idle_instances(view, second.instances, now, dims, publisher)
            return
        answered = second.answered
        _requests(publisher, dims, now, second.arrivals, second.instances, second.client_errors, second.server_errors,
                  second.timed_out)
        share = answered / second.arrivals if second.arrivals else 0.0
        for latency, requests in second.latencies:
            publisher.add_latency(SAGEMAKER, "ModelLatency", dims, now, latency, requests * share)
        load = state.fleet.load
        publisher.add(SAGEMAKER, "OverheadLatency", dims, "Microseconds", now, load.overhead_seconds * MICRO, answered)
        # "Define a scaling policy": ConcurrentRequestsPerModel, "The number of concurrent requests being received
        # by a model container", a high-resolution metric: one sample per instance, averaged over 10 seconds.
        publisher.add(SAGEMAKER, "ConcurrentRequestsPerModel", dims, "None", now, second.concurrency_per_instance,
                      second.instances / HIGH_RESOLUTION, HIGH_RESOLUTION)
        self._utilisation(view, second.instances, min(second.utilisation, 1.0), now, dims, publisher)
        if state.caches is not None:
            self._model_loading(view, state.caches, calls, now, dims, publisher, settings.multi_model)

    def _model_loading(self, view: _VariantView, caches: ModelCaches, calls: dict[str | None, float], now: float,
                       dims: tuple[tuple[str, str], ...], publisher: Publisher, mme: MultiModelLoad) -> None:
        caches.resize(view.instances)
        outcome = caches.call(now, {m: n for m, n in calls.items() if m})
        self._states[(dims[0][1], view.name)].last["loaded"] = caches.held()
        # Developer guide, "CloudWatch Metrics for Multi-Model Endpoint Deployments": the AWS/SageMaker
        # namespace "includes the following model loading metrics from calls to InvokeEndpoint"; ModelCacheHit is
        # 1 for a call to a model already loaded, 0 otherwise, so its Average is the hit rate.
        publisher.add(SAGEMAKER, "ModelCacheHit", dims, "None", now, 1.0, outcome.hits)
        publisher.add(SAGEMAKER, "ModelCacheHit", dims, "None", now, 0.0, outcome.misses)
        for waited, requests in outcome.waits:
            publisher.add(SAGEMAKER, "ModelLoadingWaitTime", dims, "Microseconds", now, waited * MICRO, requests)
        for _ in outcome.loads:
            publisher.add(SAGEMAKER, "ModelDownloadingTime", dims, "Microseconds", now, mme.download_seconds * MICRO)
            publisher.add(SAGEMAKER, "ModelLoadingTime", dims, "Microseconds", now, mme.load_seconds * MICRO)
        for _ in outcome.evictions:
            publisher.add(SAGEMAKER, "ModelUnloadingTime", dims, "Microseconds", now, mme.unload_seconds * MICRO)
        # The instance metrics (/aws/sagemaker/Endpoints) include LoadedModelCount: one sample per instance a minute.
        for held in outcome.loaded:
            publisher.add(INSTANCES, "LoadedModelCount", dims, "None", now, float(held), 1 / STANDARD)

    def _utilisation(self, view: _VariantView, instances: int, busy: float, now: float,
                     dims: tuple[tuple[str, str], ...], publisher: Publisher) -> None:
        # "SageMaker AI endpoint metrics": /aws/sagemaker/Endpoints, 1-minute frequency. The async troubleshooting
        # page counts instances with "the sample count statistic for a 1 minute period. The count should be equal
        # to the number of active instances": one sample per instance a minute.
        if instances <= 0:
            return
        publisher.add(INSTANCES, "CPUUtilization", dims, "Percent", now, busy * 100, instances / STANDARD)
        publisher.add(INSTANCES, "MemoryUtilization", dims, "Percent", now, 40.0, instances / STANDARD)
        if accelerated(view.instance_type):
            publisher.add(INSTANCES, "GPUUtilization", dims, "Percent", now, busy * 100, instances / STANDARD)

    def _idle_instances(self, view: _VariantView, instances: int, now: float,
                        dims: tuple[tuple[str, str], ...], publisher: Publisher) -> None:
        """No request this second: the instances still report their utilisation; invocation metrics stay absent."""
        self._utilisation(view, instances, 0.0, now, dims, publisher)

    # ---- asynchronous ----------------------------------------------------------------

    def _serve_async(self, view: _VariantView, state: _VariantState, arrivals: float, now: float,
                     dims: tuple[tuple[str, str], ...], publisher: Publisher) -> None:
        """One variant's second: its share of the arrivals joins the endpoint's queue, its
        instances take from it; what it processed is published per variant."""
        assert state.queue is not None
        second = state.queue.advance(now, arrivals, view.instances)
        state.last = {"time": now, "arrivals": arrivals, "instances": view.instances, "backlog": second.backlog,
                      "oldestAgeSeconds": second.oldest_age}
        # Developer guide, "Alarms and logs for tracking metrics from asynchronous endpoints": "The metrics below are
        # an exhaustive list of metrics for asynchronous endpoints ... Any metric not listed below is not published
        # if the endpoint is enabled for asynchronous inference. Such metrics include (but are not limited to):
        # OverheadLatency, Invocations, InvocationsPerInstance". Its common metrics (Invocation4XXErrors,
        # Invocation5XXErrors, ModelLatency) "are the same as the metrics published for real-time endpoints", and
        # "The following metrics are published with the EndpointName and VariantName dimensions":
        # InvocationsProcesssed (AWS's spelling), TimeInBacklog (Microseconds), among others. So each variant of a
        # canary has its own; the backlog metrics are the endpoint's (_publish_backlog).
        if second.processed > 0:
            publisher.add(SAGEMAKER, "InvocationsProcesssed", dims, "Count", now, 1.0, second.processed)
            for waited, requests in second.time_in_backlog:
                publisher.add(SAGEMAKER, "TimeInBacklog", dims, "Microseconds", now, waited * MICRO, requests)
            publisher.add_latency(SAGEMAKER, "ModelLatency", dims, now, second.latency, second.processed)
            _errors(publisher, dims, now, second.processed, second.client_errors, second.server_errors)
        self._utilisation(view, second.instances, min(second.processed / max(second.instances, 1)
                                                      / state.queue.load.service_rate, 1.0), now, dims, publisher)

    def _publish_backlog(self, name: str, instances: int, now: float, publisher: Publisher) -> None:
        """The endpoint's queue after every variant took its share this second, once per
        endpoint, over the instances of all its variants."""
        queue = self._queues.get(name)
        if queue is None:
            return
        # Same page: "The following metrics are published with the EndpointName dimension": ApproximateBacklogSize
        # ("The number of items in the queue for an endpoint"), ApproximateBacklogSizePerInstance ("Number of items
        # in the queue divided by the number of instances behind an endpoint"), ApproximateAgeOfOldestRequest
        # (Seconds), all "Units: Count" otherwise; HasBacklogWithoutCapacity, the metric step scaling wakes an
        # endpoint at zero instances with, likewise: one value per endpoint, whatever its variants.
        endpoint_only = (("EndpointName", name),)
        sample = 1 / STANDARD
        backlog = queue.backlog
        publisher.add(SAGEMAKER, "ApproximateBacklogSize", endpoint_only, "Count", now, backlog, sample)
        if instances > 0:
            publisher.add(SAGEMAKER, "ApproximateBacklogSizePerInstance", endpoint_only, "Count", now,
                          backlog / instances, sample)
        publisher.add(SAGEMAKER, "ApproximateAgeOfOldestRequest", endpoint_only, "Seconds", now, queue.oldest_age(now),
                      sample)
        publisher.add(SAGEMAKER, "HasBacklogWithoutCapacity", endpoint_only, "Count", now,
                      1.0 if backlog > 0 and instances == 0 else 0.0, sample)

    # ---- serverless ------------------------------------------------------------------

    def _serve_serverless(self, view: _VariantView, state: _VariantState, arrivals: float, now: float,
                          dims: tuple[tuple[str, str], ...], publisher: Publisher) -> None:
        assert state.serverless is not None
        second = state.serverless.advance(now, arrivals)
        state.last = {"time": now, "arrivals": arrivals, "accepted": second.accepted, "throttled": second.throttled,
                      "coldStarts": second.cold_starts, "concurrency": second.concurrency}
        # Developer guide, "Monitor a serverless endpoint": "Serverless endpoints can also use the
        # Invocations4XXErrors, Invocations5XXErrors, Invocations, ModelLatency, ModelSetupTime and MemoryUtilization
        # metrics"; "The OverheadLatency metric tracks all additional latency that SageMaker added which includes
        # the cold start time for launching new compute resources"; ServerlessConcurrentExecutionsUtilization is
        # "The number of concurrent executions divided by the maximum concurrency".
        if second.accepted > 0:
            publisher.add(SAGEMAKER, "Invocations", dims, "None", now, 1.0, second.accepted)
            _errors(publisher, dims, now, second.accepted, second.client_errors, second.server_errors)
            publisher.add_latency(SAGEMAKER, "ModelLatency", dims, now, second.latency, second.accepted)
            overhead = state.serverless.load.overhead_seconds
            publisher.add(SAGEMAKER, "OverheadLatency", dims, "Microseconds", now, overhead * MICRO, second.warm_served)
            for waited, requests in second.cold_waits:
                publisher.add(SAGEMAKER, "OverheadLatency", dims, "Microseconds", now, (overhead + waited) * MICRO,
                              requests)
        for _ in range(second.cold_starts):
            publisher.add(SAGEMAKER, "ModelSetupTime", dims, "Microseconds", now, second.setup_seconds * MICRO)
        if arrivals > 0:
            publisher.add(SAGEMAKER, "ServerlessConcurrentExecutionsUtilization", dims, "None", now,
                          min(second.concurrency / second.max_concurrency, 1.0), 1 / STANDARD)


def _whole_calls(credit: dict[str, float], shares: dict[str, float]) -> dict[str, float]:
    """A model's calls come whole: a model with 0.05 calls/s is called once every 20 seconds, not
    a twentieth of a call each second, so a rarely called model is loaded on demand as on AWS."""
    calls = {}
    for model, rate in shares.items():
        owed = credit.get(model, 0.0) + rate
        whole = float(int(owed + 1e-9))
        credit[model] = owed - whole
        if whole > 0:
            calls[model] = whole
    return calls


def _requests(publisher: Publisher, dims: tuple[tuple[str, str], ...], now: float, sent: float, instances: int,
              client_errors: float, server_errors: float, timed_out: float) -> None:
    # Developer guide, "Amazon SageMaker AI metrics in Amazon CloudWatch", endpoint invocation metrics:
    # Invocations, "The number of InvokeEndpoint requests sent to a model endpoint ... Units: None";
    # InvocationsPerInstance, "1/numberOfInstances is sent as the value on each request"; InvocationModelErrors,
    # requests that "did not result in 2XX HTTP response. This includes 4XX/5XX status codes ... and request
    # timeouts. For each error response, 1 is sent; otherwise, 0 is sent."
    publisher.add(SAGEMAKER, "Invocations", dims, "None", now, 1.0, sent)
    publisher.add(SAGEMAKER, "InvocationsPerInstance", dims, "None", now, 1.0 / instances, sent)
    _errors(publisher, dims, now, sent - timed_out, client_errors, server_errors)
    failed = client_errors + server_errors + timed_out
    publisher.add(SAGEMAKER, "InvocationModelErrors", dims, "None", now, 1.0, failed)
    publisher.add(SAGEMAKER, "InvocationModelErrors", dims, "None", now, 0.0, sent - failed)


def _errors(publisher: Publisher, dims: tuple[tuple[str, str], ...], now: float, requests: float,
            client_errors: float, server_errors: float) -> None:
    # Invocation4XXErrors / Invocation5XXErrors: "For each 4xx response, 1 is sent; otherwise, 0 is sent. Units:
    # None": their Average is the error rate.
    for metric, errors in (("Invocation4XXErrors", client_errors), ("Invocation5XXErrors", server_errors)):
        publisher.add(SAGEMAKER, metric, dims, "None", now, 1.0, errors)
        publisher.add(SAGEMAKER, metric, dims, "None", now, 0.0, requests - errors)


