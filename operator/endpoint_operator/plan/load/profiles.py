"""Request-rate profiles: requests per second as a function of the seconds since the
profile started. A constant, a step, or a trace of `seconds,requests_per_second` rows."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Protocol


class Profile(Protocol):
    def rate(self, t: float) -> float: ...

    def end(self) -> float | None:
        """The last second the profile describes (a trace's last row), or None: forever."""
        ...

    def describe(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Constant:
    requests_per_second: float

    def rate(self, t: float) -> float:
        return self.requests_per_second

    def end(self) -> float | None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"kind": "constant", "rate": self.requests_per_second}


@dataclass(frozen=True)
class Step:
    """`before` requests/s until `at` seconds, `after` from then on."""

    before: float
    after: float
    at: float

    def rate(self, t: float) -> float:
        return self.before if t < self.at else self.after

    def end(self) -> float | None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"kind": "step", "before": self.before, "after": self.after, "at": self.at}


@dataclass(frozen=True)
class Trace:
    """Step interpolation of (seconds, requests/s) rows: a row's rate holds until the next row."""

    rows: tuple[tuple[float, float], ...]
    _starts: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(sorted((float(t), float(r)) for t, r in self.rows)))
        object.__setattr__(self, "_starts", tuple(t for t, _ in self.rows))

    def rate(self, t: float) -> float:
        index = bisect.bisect_right(self._starts, t) - 1
        return self.rows[index][1] if index >= 0 else 0.0

    def end(self) -> float | None:
        return self.rows[-1][0] if self.rows else 0.0

    def describe(self) -> dict[str, Any]:
        return {"kind": "trace", "rows": [list(row) for row in self.rows]}


def parse_trace(text: str) -> list[tuple[float, float]]:
    """CSV rows `seconds,requests_per_second`; a header row and blank or # lines are skipped."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        try:
            moment, rate = float(cells[0]), float(cells[1])
        except (ValueError, IndexError):
            if not rows and number == 1:
                continue  # a header
            raise ValueError(f"line {number}: expected 'seconds,requests_per_second', got {line!r}") from None
        if rate < 0 or moment < 0:
            raise ValueError(f"line {number}: time and rate must be >= 0")
        rows.append((moment, rate))
    if not rows:
        raise ValueError("the trace has no rows")
    return sorted(rows)


def profile_from_dict(spec: dict[str, Any]) -> Profile:
    """{"kind": "constant", "rate": 20} | {"kind": "step", "before": 5, "after": 40, "at": 600}
    | {"kind": "trace", "rows": [[0, 5], [600, 40]]} | {"kind": "trace", "csv": "seconds,rps\\n0,5\\n"}."""
    kind = spec.get("kind", "constant")
    if kind == "constant":
        return Constant(_rate(spec.get("rate", 0.0), "rate"))
    if kind == "step":
        return Step(_rate(spec.get("before", 0.0), "before"), _rate(spec["after"], "after"), _rate(spec["at"], "at"))
    if kind == "trace":
        rows = parse_trace(spec["csv"]) if "csv" in spec else [(float(t), float(r)) for t, r in spec["rows"]]
        if not rows or any(t < 0 or r < 0 for t, r in rows):
            raise ValueError("a trace needs rows of seconds >= 0 and requests_per_second >= 0")
        return Trace(tuple(rows))
    raise ValueError(f"unknown profile kind {kind!r}: constant, step or trace")


def _rate(value: Any, name: str) -> float:
    number = float(value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0")
    return number
