"""Durations as the spec writes them: '90s', '24h', '1h30m', '500ms', '2d'."""

from __future__ import annotations

from datetime import timedelta

from ..api.duration import duration_seconds


def parse_duration(text: str) -> timedelta:
    """Raises ValueError for what the spec's pattern would refuse (the spec's bounds
    keep what it accepts within timedelta's range)."""
    return timedelta(seconds=duration_seconds(text))
