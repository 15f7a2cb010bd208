"""The operator's clock in the sandbox: it follows the emulator's line, its delays shrink by
the scale down to a floor, it never runs back, and it is refused anywhere but on loopback."""

from __future__ import annotations

import asyncio

import pytest

from endpoint_operator.handlers.config import OperatorConfig
from endpoint_operator.handlers.controller import Controller, Tracked
from endpoint_operator.handlers.sync import SyncResult
from endpoint_operator.handlers.time_scale import (
    MIN_REAL_DELAY,
    EmulatorClock,
    TimeScaleRefused,
    WallClock,
    sandbox_clock,
)
from endpoint_operator.handlers.workqueue import WorkQueue
from endpoint_operator.handlers.outcome import POLL

URL = "http://127.0.0.1:4566"


class Line:
    """An emulator's clock line that a test moves, and a real clock it moves too."""

    def __init__(self, scale: float = 600.0) -> None:
        self.real = 1_000.0
        self.line = {"scale": scale, "anchorReal": 1_000.0, "anchorVirtual": 5_000.0}
        self.reads = 0

    def fetch(self, url: str) -> dict:
        self.reads += 1
        return dict(self.line)

    def set_scale(self, scale: float) -> None:
        virtual = self.line["anchorVirtual"] + (self.real - self.line["anchorReal"]) * self.line["scale"]
        self.line = {"scale": scale, "anchorReal": self.real, "anchorVirtual": virtual}


def test_the_clock_follows_the_emulators_line():
    line = Line(scale=600)
    clock = EmulatorClock(URL, line.fetch, refresh_seconds=0.5, real=lambda: line.real)
    assert clock.now().timestamp() == 5_000.0
    line.real += 2
    assert clock.now().timestamp() == 5_000.0 + 2 * 600


def test_a_virtual_delay_waits_delay_over_scale_real_seconds_never_less_than_the_floor():
    line = Line(scale=600)
    clock = EmulatorClock(URL, line.fetch, real=lambda: line.real)
    assert clock.real_seconds(600) == pytest.approx(1.0)
    assert clock.real_seconds(10) == MIN_REAL_DELAY
    assert WallClock().real_seconds(10) == 10


def test_a_new_scale_is_followed_and_time_never_runs_back():
    line = Line(scale=1000)
    clock = EmulatorClock(URL, line.fetch, refresh_seconds=0.5, real=lambda: line.real)
    line.real += 0.4
    line.set_scale(1)  # slowed down; the operator still holds the old line for a moment
    ahead = clock.now()
    line.real += 0.2  # the line is re-read: it says an earlier time than `ahead`
    assert clock.now() >= ahead
    line.real += 1000
    assert clock.scale == 1
    assert clock.now().timestamp() == pytest.approx(5_000 + 400 + 1000.2, abs=1e-6)


@pytest.mark.parametrize("url, words", [
    (None, "needs --aws-endpoint-url"),
    ("https://sagemaker.us-east-1.amazonaws.com", "not on a loopback address"),
    ("http://10.0.0.8:4566", "not on a loopback address"),
])
def test_following_a_clock_is_refused_outside_the_sandbox(url, words):
    with pytest.raises(TimeScaleRefused, match=words):
        sandbox_clock(url, fetch=Line().fetch)


def test_a_loopback_endpoint_that_is_not_the_emulator_is_refused():
    def refused(url: str) -> dict:
        raise ConnectionRefusedError("connection refused")
    with pytest.raises(TimeScaleRefused, match="not the sandbox's emulator"):
        sandbox_clock("http://localhost:1", fetch=refused)


def test_the_controller_polls_an_object_in_flight_at_the_scaled_interval():
    line = Line(scale=100)
    clock = EmulatorClock(URL, line.fetch, real=lambda: line.real)

    async def scenario() -> float:
        controller = Controller(syncer=None, aws=None, config=OperatorConfig(workers=1, fast_poll_seconds=30),
                                clock=clock)
        controller.queue = WorkQueue()
        key = ("ml", "ep")
        controller.objects[key] = Tracked(body={"metadata": {"name": "ep", "namespace": "ml"}})
        loop = asyncio.get_running_loop()
        controller._record(key, controller.objects[key], SyncResult(POLL, acted=True), now=0.0)
        return controller.queue._timers[key].when() - loop.time()

    # 30 virtual seconds at 100x: the next poll is 0.3 real seconds away, not 30.
    assert asyncio.run(scenario()) == pytest.approx(0.3, abs=0.05)


def test_the_operator_refuses_to_start_following_a_clock_against_aws(capsys):
    from endpoint_operator.cli import main
    code = main(["run", "--follow-emulator-clock", "--aws-endpoint-url", "https://sagemaker.us-east-1.amazonaws.com"])
    assert code == 2
    assert "--follow-emulator-clock is for the sandbox only" in capsys.readouterr().err
