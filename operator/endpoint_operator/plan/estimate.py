"""What the operator builds for a spec costs: its resolved mode's cost model."""

from __future__ import annotations

from ..api.pricing import PriceTable
from ..api.spec import Mode, ModelEndpointSpec
from .builders import profile_of
from .cost import CostEstimate


def estimate(spec: ModelEndpointSpec, mode: Mode, prices: PriceTable) -> CostEstimate:
    """Expected cost of what the operator builds for `spec` in `mode` (resolved, not
    Auto). Raises PlanError when the table has no price for the region or type."""
    return profile_of(mode).cost(spec, prices)
