"""Routing requests to production variants by weight."""

from __future__ import annotations

from collections.abc import Mapping


def split_by_weight(rate: float, weights: Mapping[str, float]) -> dict[str, float]:
    """Each variant's share of `rate`, in proportion to its weight.

    ProductionVariant.InitialVariantWeight (service model): "The traffic to a production variant
    is determined by the ratio of the VariantWeight to the sum of all VariantWeight values across
    all ProductionVariants." All weights 0: nothing is routed."""
    total = sum(max(w, 0.0) for w in weights.values())
    if total <= 0:
        return {name: 0.0 for name in weights}
    return {name: rate * max(w, 0.0) / total for name, w in weights.items()}
