"""The emulator's clock: real time, or real time sped up by a sandbox time scale.

Everything in the emulator that depends on time (traffic, metric timestamps,
alarm evaluation, cooldowns, scheduled actions, instance start) reads `now()`, so
one scale replays a day of traffic or a rollout of several days in minutes. The
clock is a line through one anchor: virtual = anchor_virtual + (real - anchor_real) x scale.
Changing the scale re-anchors at the current virtual time, so time never runs back.
A time scale is a sandbox control; AWS runs on wall-clock time.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

_lock = threading.Lock()
_scale = 1.0
_anchor_real = time.time()
_anchor_virtual = _anchor_real


def now() -> datetime:
    """The virtual UTC time."""
    return datetime.fromtimestamp(timestamp(), tz=timezone.utc)


def timestamp() -> float:
    """The virtual time in seconds since the epoch."""
    with _lock:
        return _anchor_virtual + (time.time() - _anchor_real) * _scale


def scale() -> float:
    with _lock:
        return _scale


def set_scale(factor: float) -> None:
    """Virtual seconds per real second from now on (1 is real time)."""
    global _scale, _anchor_real, _anchor_virtual
    if not factor > 0:
        raise ValueError("a time scale must be > 0")
    with _lock:
        real = time.time()
        _anchor_virtual = _anchor_virtual + (real - _anchor_real) * _scale
        _anchor_real, _scale = real, float(factor)


def reset() -> None:
    """Real time again, from the real present."""
    global _scale, _anchor_real, _anchor_virtual
    with _lock:
        _scale = 1.0
        _anchor_real = _anchor_virtual = time.time()


def describe() -> dict[str, float]:
    """The line, so another process (the operator) can follow the same clock."""
    with _lock:
        return {"scale": _scale, "anchorReal": _anchor_real, "anchorVirtual": _anchor_virtual}
