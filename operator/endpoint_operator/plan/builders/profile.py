"""What the planner needs to know of an inference mode, in one place per mode.

Each mode's module (realtime.py, multimodel.py, ...) ends with its PROFILE: the
builder that turns a spec into SageMaker resources, the kind of endpoint it makes,
its cost model, whether it takes canary rollouts and scales to zero, and what
Application Auto Scaling scales for it. The planner asks the profile instead of
branching on the mode; a new mode is a new module registered in builders/__init__.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from ...api.pricing import PriceTable
from ...api.scaling import VARIANT_DIMENSION
from ...api.spec import Mode, ModelEndpointSpec, ScalingMetric
from ...api.units import INVOCATIONS_METRIC
from ..cost import CostEstimate
from .common import BuildContext, Parts


class EndpointKind(str, Enum):
    """SageMaker updates an endpoint in place (UpdateEndpoint) only within one kind;
    a change of kind is a second endpoint and a cut-over (plan/migration.py)."""

    INSTANCES = "instance-based"
    SERVERLESS = "serverless"
    ASYNCHRONOUS = "asynchronous"
    # A config whose variant hosts inference components names no model; one that does
    # cannot become the other in place.
    COMPONENTS = "inference-component"


# What target tracking may follow on an instance-backed real-time endpoint: every
# metric but the asynchronous queue's backlog, which only asynchronous endpoints publish.
REAL_TIME_METRICS = tuple(m for m in ScalingMetric if m is not ScalingMetric.APPROXIMATE_BACKLOG_SIZE_PER_INSTANCE)


@dataclass(frozen=True)
class ModeProfile:
    mode: Mode
    build: Callable[[BuildContext], Parts]
    kind: EndpointKind
    # Expected cost of a spec served in this mode (plan/estimate.py); raises PlanError
    # when the price table has no price for it.
    cost: Callable[[ModelEndpointSpec, PriceTable], CostEstimate]
    # Whether a model change may be a canary of two variants (plan/rollout.py).
    rollouts: bool = False
    # Whether autoscaling may take a spec's capacity to zero; None: the mode never does.
    scale_to_zero: Callable[[ModelEndpointSpec], bool] | None = None
    # What Application Auto Scaling scales (None: nothing to scale).
    scaling_dimension: str | None = VARIANT_DIMENSION
    # The metric target tracking follows when spec.autoscaling.metric is not set.
    default_metric: ScalingMetric = ScalingMetric.CONCURRENT_REQUESTS_HIGH_RESOLUTION
    # The metrics its endpoint publishes, which spec.autoscaling.metric may name.
    metrics: tuple[ScalingMetric, ...] = REAL_TIME_METRICS
    # Whether the real-time invocation limits (payload, duration) bind the spec.
    real_time_limits: bool = False
    # The per-variant metric that counts requests, which a gate's Sum is divided by.
    requests_metric: str = INVOCATIONS_METRIC

    def scales_to_zero(self, spec: ModelEndpointSpec) -> bool:
        return self.scale_to_zero is not None and self.scale_to_zero(spec)
