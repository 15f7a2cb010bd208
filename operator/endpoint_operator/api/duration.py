"""Durations as the spec writes them ('90s', '24h', '1h30m', '500ms', '2d'), and their
bounds, judged by the API server (CEL) and in Python alike.

A pause longer than MAX_PAUSE would overflow date arithmetic long before it ended; an
analysis interval shorter than MIN_INTERVAL judges gates more often than CloudWatch has
anything new to say (its high-resolution alarms' shortest period is 10 seconds) and
costs a sync each time.
"""

from __future__ import annotations

import re

DURATION = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h|d))+$"
MAX_PAUSE_SECONDS = 30 * 86400  # 30d
MIN_INTERVAL_SECONDS = 10  # 10s
MAX_INTERVAL_SECONDS = 3600  # 1h

_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)")
UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def duration_seconds(text: str) -> float:
    """Raises ValueError for what the DURATION pattern refuses."""
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r} (for example 30s, 24h, 1h30m)")
    return sum(float(n) * UNIT_SECONDS[u] for n, u in parts)


def cel_duration_seconds(expression: str) -> str:
    """CEL: the seconds of `expression`, a string that matches DURATION, as a double."""
    def number(unit: str) -> str:
        return f"double(p.substring(0, size(p) - {len(unit)}))"

    per_part = (f"p.endsWith('ms') ? {number('ms')} / 1000.0"
                f" : p.endsWith('s') ? {number('s')}"
                f" : p.endsWith('m') ? {number('m')} * 60.0"
                f" : p.endsWith('h') ? {number('h')} * 3600.0"
                f" : {number('d')} * 86400.0")
    return f"{expression}.findAll('[0-9]+(\\\\.[0-9]+)?(ms|s|m|h|d)').map(p, {per_part}).sum()"
