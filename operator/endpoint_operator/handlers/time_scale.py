"""The operator's clock: the wall clock, or (in the sandbox only) the emulator's virtual one.

The emulator can run its clock faster than real time (a time scale, for a rollout of days
or a day of traffic replayed in minutes). An operator that follows it reads the clock's
line from `GET /_emulator/clock` (virtual = anchorVirtual + (real - anchorReal) x scale):
its Syncer's clock, hence rollout pauses, gate windows and status times, are virtual; its
poll and requeue delays, which are virtual durations, wait delay / scale real seconds,
never less than a floor. See docs/time-scale.md for what this does not cover.

Refused unless the AWS endpoint is the emulator on a loopback address: against AWS a
virtual clock would judge real metrics on invented windows.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

CLOCK_PATH = "/_emulator/clock"
REFRESH_SECONDS = 0.5  # real seconds between reads of the line: the scale may change at any time
MIN_REAL_DELAY = 0.1  # real seconds: a virtual delay never waits less (the workers and the API budget are real)
Fetch = Callable[[str], dict[str, Any]]


class TimeScaleRefused(RuntimeError):
    pass


class WallClock:
    scale = 1.0

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def real_seconds(self, virtual: float) -> float:
        return virtual


class EmulatorClock:
    """The emulator's line, re-read every REFRESH_SECONDS; never runs back."""

    def __init__(self, url: str, fetch: Fetch | None = None, refresh_seconds: float = REFRESH_SECONDS,
                 real: Callable[[], float] = time.time) -> None:
        self.url = url.rstrip("/")
        self._fetch = fetch or _fetch_line
        self._refresh = refresh_seconds
        self._real = real
        self._lock = threading.Lock()
        self._line = self._fetch(self.url)
        self._read_at = self._real()
        self._last = 0.0

    @property
    def scale(self) -> float:
        return float(self._current()["scale"])

    def now(self) -> datetime:
        line, real = self._current(), self._real()
        virtual = float(line["anchorVirtual"]) + (real - float(line["anchorReal"])) * float(line["scale"])
        with self._lock:
            # A line read after a slow-down would give an earlier time than one already handed out.
            self._last = max(self._last, virtual)
            return datetime.fromtimestamp(self._last, tz=timezone.utc)

    def real_seconds(self, virtual: float) -> float:
        if virtual <= 0:
            return virtual
        return max(virtual / self.scale, MIN_REAL_DELAY)

    def _current(self) -> dict[str, Any]:
        with self._lock:
            stale = self._real() - self._read_at >= self._refresh
        if stale:
            try:
                line = self._fetch(self.url)
            except (OSError, ValueError):
                line = None  # the emulator is briefly away: keep following the line last read
            with self._lock:
                if line is not None:
                    self._line = line
                self._read_at = self._real()
        with self._lock:
            return self._line


def sandbox_clock(aws_endpoint_url: str | None, fetch: Fetch | None = None) -> EmulatorClock:
    """The emulator's clock, or TimeScaleRefused saying why the operator may not follow one."""
    if not aws_endpoint_url:
        raise TimeScaleRefused("--follow-emulator-clock needs --aws-endpoint-url: the emulator's clock "
                               "exists only in the sandbox, never against AWS")
    host = urlsplit(aws_endpoint_url).hostname or ""
    if not _loopback(host):
        raise TimeScaleRefused(f"--follow-emulator-clock is for the sandbox only: the AWS endpoint {aws_endpoint_url} "
                               "is not on a loopback address")
    try:
        return EmulatorClock(aws_endpoint_url, fetch)
    except (OSError, ValueError, KeyError) as error:
        raise TimeScaleRefused(f"--follow-emulator-clock: {aws_endpoint_url} is not the sandbox's emulator "
                               f"(GET {CLOCK_PATH} failed: {error})") from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fetch_line(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + CLOCK_PATH, timeout=2) as response:
        line = json.loads(response.read())
    if not all(key in line for key in ("scale", "anchorReal", "anchorVirtual")):
        raise ValueError(f"not a clock line: {line!r}")
    return line
