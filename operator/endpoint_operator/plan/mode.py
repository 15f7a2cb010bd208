"""Which SageMaker inference mode serves a spec, and why (recorded in status)."""

from __future__ import annotations

from ..api.spec import Mode, ModelEndpointSpec
from .errors import PlanError

# Modes with a blueprint builder; the others are refused until they have one.
SUPPORTED = frozenset({Mode.REAL_TIME, Mode.MULTI_MODEL})

# Real-time invocations take payloads up to 6 MB and answer within 60 s; beyond
# either, only Async serves.
REALTIME_MAX_PAYLOAD_MB = 6
REALTIME_MAX_SECONDS = 60


def image_of(spec: ModelEndpointSpec, index: int) -> str | None:
    return spec.models[index].image or spec.image


def _needs_async(spec: ModelEndpointSpec) -> str | None:
    traffic = spec.traffic
    if traffic is None:
        return None
    if traffic.max_payload_mb is not None and traffic.max_payload_mb > REALTIME_MAX_PAYLOAD_MB:
        return f"payloads up to {traffic.max_payload_mb:g} MB exceed the {REALTIME_MAX_PAYLOAD_MB} MB real-time limit"
    if traffic.max_processing_seconds is not None and traffic.max_processing_seconds > REALTIME_MAX_SECONDS:
        return f"requests of up to {traffic.max_processing_seconds} s exceed the {REALTIME_MAX_SECONDS} s real-time limit"
    return None


def _not_supported(mode: Mode, why: str) -> PlanError:
    return PlanError("ModeNotSupported", "spec.mode", f"spec.mode: {why}; mode {mode.value} is not supported yet")


def _auto(spec: ModelEndpointSpec) -> tuple[Mode, str]:
    why_async = _needs_async(spec)
    if why_async:
        raise _not_supported(Mode.ASYNC, f"Auto chose Async because {why_async}")
    count = len(spec.models)
    if count == 1:
        return Mode.REAL_TIME, "one model"
    images = {image_of(spec, i) for i in range(count)}
    if len(images) == 1:
        return Mode.MULTI_MODEL, f"{count} models share one image"
    raise PlanError(
        "InvalidSpec",
        "spec.models",
        f"spec.models: Auto found {count} models on {len(images)} different images; one endpoint "
        "serves models of one image: set spec.image for all, or split them into several ModelEndpoints",
    )


def resolve_mode(spec: ModelEndpointSpec) -> tuple[Mode, str]:
    """(mode, one-line reason). Raises PlanError for modes without a builder yet."""
    if spec.mode is Mode.AUTO:
        return _auto(spec)
    if spec.mode not in SUPPORTED:
        raise _not_supported(spec.mode, f"set to {spec.mode.value}")
    why_async = _needs_async(spec)  # RealTime and MultiModel share the real-time limits
    if why_async:
        field = "spec.traffic.maxPayloadMB" if "MB" in why_async else "spec.traffic.maxProcessingSeconds"
        raise PlanError("InvalidSpec", field, f"{field}: {why_async} of mode {spec.mode.value}; use mode Async")
    return spec.mode, "set in spec.mode"
