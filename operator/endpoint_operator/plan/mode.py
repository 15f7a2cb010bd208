"""Which SageMaker inference mode serves a spec, and why (recorded in status).

`mode: Auto` reads the declared traffic and models; the table, row by row, with its
reasoning, is in docs/modes.md. The first row that matches decides:

1. a payload over 6 MB or a request over 60 s        -> Async (real-time cannot serve it)
2. several models that declare their compute per copy -> InferenceComponents (the
   (spec.models[].component)                             hot ones pinned, the cold
                                                         ones loaded on demand)
3. several models on one image                        -> MultiModel (on a GPU only
                                                         with the Triton server)
4. a Scheduled pattern (bulk scoring)                 -> Async, scaled to zero between runs
5. Sporadic traffic (or <= 800 calls a day), payload
   <= 4 MB, no GPU, no sub-second p99 target          -> Serverless
6. otherwise                                          -> RealTime
"""

from __future__ import annotations

from ..api.hosting import MultiModelServer, accelerated
from ..api.spec import Mode, ModelEndpointSpec, TrafficPattern
from .builders import PROFILES, profile_of
from .builders.components import pinned
from .errors import PlanError

# Real-time invocations take payloads up to 6 MB and answer within 60 s; beyond
# either, only Async serves.
REALTIME_MAX_PAYLOAD_MB = 6
REALTIME_MAX_SECONDS = 60
# Serverless takes payloads up to 4 MB (its timeout is the real-time one).
SERVERLESS_MAX_PAYLOAD_MB = 4
# At most this many calls a day (one every ~2 minutes) is sporadic: an always-on
# instance would idle > 99 % of the time.
SPORADIC_MAX_CALLS_PER_DAY = 800
# A p99 target below this leaves no room for a serverless cold start (seconds).
SERVERLESS_MIN_P99_MS = 1000
# From this many models on one image, a multi-model endpoint is the design's
# recommendation ("5+ models of one framework"); below, it is merely the only mode
# that serves several models on one endpoint.
MULTI_MODEL_CONSOLIDATES_FROM = 5

SET_IN_SPEC = "set in spec.mode"


def image_of(spec: ModelEndpointSpec, index: int) -> str | None:
    return spec.models[index].image or spec.image


def needs_gpu(spec: ModelEndpointSpec) -> bool:
    """traffic.gpu when declared, else whether instances.type has an accelerator."""
    if spec.traffic is not None and spec.traffic.gpu is not None:
        return spec.traffic.gpu
    return spec.instances is not None and accelerated(spec.instances.type)


def calls_per_day(spec: ModelEndpointSpec) -> int | None:
    """Sum of the models' invocationsPerDay hints; None when no model declares one."""
    hints = [m.invocations_per_day for m in spec.models if m.invocations_per_day is not None]
    return sum(hints) if hints else None


def scales_to_zero(spec: ModelEndpointSpec, mode: Mode) -> bool:
    """Whether the endpoint `spec` makes in (resolved) `mode` may scale to zero."""
    return profile_of(mode).scales_to_zero(spec)


def _pattern(spec: ModelEndpointSpec) -> TrafficPattern:
    return spec.traffic.pattern if spec.traffic is not None else TrafficPattern.STEADY


def _needs_async(spec: ModelEndpointSpec) -> str | None:
    traffic = spec.traffic
    if traffic is None:
        return None
    if traffic.max_payload_mb is not None and traffic.max_payload_mb > REALTIME_MAX_PAYLOAD_MB:
        return f"payloads up to {traffic.max_payload_mb:g} MB exceed the {REALTIME_MAX_PAYLOAD_MB} MB real-time limit"
    if traffic.max_processing_seconds is not None and traffic.max_processing_seconds > REALTIME_MAX_SECONDS:
        return f"requests of up to {traffic.max_processing_seconds} s exceed the {REALTIME_MAX_SECONDS} s real-time limit"
    return None


def _one_model_for(mode: Mode, why: str, count: int) -> PlanError:
    return PlanError(
        "InvalidSpec", "spec.models",
        f"spec.models: Auto chose {mode.value} because {why}, and an {mode.value} endpoint serves one model, "
        f"not {count}; split them into several ModelEndpoints",
    )


def _sporadic(spec: ModelEndpointSpec) -> str | None:
    """Why the traffic counts as sporadic, or None."""
    if _pattern(spec) is TrafficPattern.SPORADIC:
        return "sporadic traffic"
    calls = calls_per_day(spec)
    if calls is not None and calls <= SPORADIC_MAX_CALLS_PER_DAY:
        return f"{calls} calls a day (at most {SPORADIC_MAX_CALLS_PER_DAY} is sporadic)"
    return None


def _not_serverless(spec: ModelEndpointSpec) -> str | None:
    """What keeps sporadic traffic off serverless, or None."""
    traffic = spec.traffic
    if traffic is not None and traffic.max_payload_mb is not None and traffic.max_payload_mb > SERVERLESS_MAX_PAYLOAD_MB:
        return f"payloads up to {traffic.max_payload_mb:g} MB exceed the serverless {SERVERLESS_MAX_PAYLOAD_MB} MB limit"
    if needs_gpu(spec):
        return "the model needs a GPU, which serverless lacks"
    target = traffic.p99_latency_target_ms if traffic is not None else None
    provisioned = spec.serverless is not None and spec.serverless.provisioned_concurrency is not None
    if target is not None and target < SERVERLESS_MIN_P99_MS and not provisioned:
        return f"a p99 target of {target} ms leaves no room for serverless cold starts (set spec.serverless.provisionedConcurrency to keep it warm)"
    return None


def _gpu_multi_model_server(spec: ModelEndpointSpec, count: int) -> str:
    """The reason's words for the server: none on CPU, "on the Triton server" on a GPU.
    SageMaker hosts several GPU models on one endpoint only through Triton, so Auto
    refuses the rest (the spec rules refuse it first when spec.instances.type is a GPU)."""
    gpu = accelerated(spec.instances.type) if spec.instances is not None else needs_gpu(spec)
    if not gpu:
        return ""
    server = spec.multi_model.server if spec.multi_model is not None else MultiModelServer.DEFAULT
    if server is not MultiModelServer.TRITON:
        raise PlanError(
            "InvalidSpec", "spec.multiModel.server",
            f"spec.multiModel.server: Auto found {count} models that need a GPU; SageMaker hosts several GPU "
            "models on one endpoint only through the Triton Inference Server: set spec.multiModel.server: Triton "
            "with a Triton image, use a CPU instance type, or split them into one ModelEndpoint per model",
        )
    return " on the Triton server"


def _auto(spec: ModelEndpointSpec) -> tuple[Mode, str]:
    count = len(spec.models)
    why_async = _needs_async(spec)
    if why_async:
        if count > 1:
            raise _one_model_for(Mode.ASYNC, why_async, count)
        return Mode.ASYNC, why_async
    if count > 1 and any(m.component is not None for m in spec.models):
        return Mode.INFERENCE_COMPONENTS, _components_reason(spec)
    if count > 1:
        images = {image_of(spec, i) for i in range(count)}
        if len(images) > 1:
            raise PlanError(
                "InvalidSpec",
                "spec.models",
                f"spec.models: Auto found {count} models on {len(images)} different images; one endpoint "
                "serves models of one image: set spec.image for all, or split them into several ModelEndpoints",
            )
        on_triton = _gpu_multi_model_server(spec, count)
        if count >= MULTI_MODEL_CONSOLIDATES_FROM:
            return Mode.MULTI_MODEL, f"{count} models share one image{on_triton}: one multi-model endpoint consolidates them"
        return Mode.MULTI_MODEL, (
            f"{count} models share one image{on_triton}: only a multi-model endpoint serves several models "
            f"(from {MULTI_MODEL_CONSOLIDATES_FROM} models it also pays off)"
        )
    if _pattern(spec) is TrafficPattern.SCHEDULED:
        return Mode.ASYNC, (
            "scheduled bulk scoring: Async scaled to zero between runs "
            "(Batch Transform would also fit, with no endpoint at all between runs)"
        )
    sporadic = _sporadic(spec)
    if sporadic:
        blocker = _not_serverless(spec)
        if blocker is None:
            return Mode.SERVERLESS, f"{sporadic}, small CPU requests: serverless bills per request"
        return Mode.REAL_TIME, f"{sporadic}, but {blocker}"
    if spec.traffic is None and calls_per_day(spec) is None:
        return Mode.REAL_TIME, "one model, no traffic hints: real-time"
    return Mode.REAL_TIME, "steady traffic on one model: real-time"


def _components_reason(spec: ModelEndpointSpec) -> str:
    """Why inference components, in the words of the hot/cold split; refuses a spec
    where only some models declare their compute per copy."""
    for index, model in enumerate(spec.models):
        if model.component is None:
            raise PlanError(
                "InvalidSpec", f"spec.models[{index}].component",
                f"spec.models[{index}].component: Auto serves these models as inference components because others "
                "declare their compute per copy; declare it for every model, or for none (a multi-model endpoint)",
            )
    count = len(spec.models)
    hot = len(pinned(spec))
    images = {image_of(spec, i) for i in range(count)}
    shared = " on one image" if len(images) == 1 else ""
    if hot in (0, count):
        held = "all pinned" if hot else "all loaded on demand"
        return f"{count} models{shared} with their compute per copy ({held}): inference components"
    return (f"{hot} hot models stay pinned and {count - hot} cold ones load on demand{shared}: inference components "
            "(a multi-model endpoint's cache would evict the hot ones under memory pressure)")


def resolve_mode(spec: ModelEndpointSpec) -> tuple[Mode, str]:
    """(mode, one-line reason). Raises PlanError for what no mode can serve."""
    if spec.mode is Mode.AUTO:
        mode, reason = _auto(spec)
        _check_resolution(spec, mode, reason)
        return mode, reason
    if profile_of(spec.mode).real_time_limits:
        why_async = _needs_async(spec)
        if why_async:
            field = "spec.traffic.maxPayloadMB" if "MB" in why_async else "spec.traffic.maxProcessingSeconds"
            raise PlanError("InvalidSpec", field, f"{field}: {why_async} of mode {spec.mode.value}; use mode Async")
    return spec.mode, SET_IN_SPEC


def _check_resolution(spec: ModelEndpointSpec, mode: Mode, reason: str) -> None:
    """Auto accepts what its resolved mode accepts: a spec that declares what only
    another mode offers is refused, naming the field and the resolution."""
    if spec.instances is not None and spec.instances.min == 0 and profile_of(mode).scale_to_zero is None:
        zero = " or ".join(p.mode.value for p in PROFILES.values() if p.scale_to_zero is not None)
        raise PlanError(
            "ModeContradictsSpec", "spec.instances.min",
            f"spec.instances.min: 0 (scale to zero) needs an {zero} endpoint, but Auto resolved to {mode.value} "
            f"because {reason}; set spec.mode: Async, or spec.instances.min to 1 or more",
        )
