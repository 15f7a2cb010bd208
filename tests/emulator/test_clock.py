"""The emulator's virtual clock: a time scale speeds it up and time never runs back."""

from __future__ import annotations

import time

import pytest

from endpoint_operator.sandbox.emulator import clock
from endpoint_operator.sandbox.emulator.ticker import Ticker


@pytest.fixture(autouse=True)
def real_time():
    clock.reset()
    yield
    clock.reset()


def test_a_time_scale_runs_the_clock_that_many_times_faster():
    before_real, before = time.time(), clock.timestamp()
    clock.set_scale(500)
    time.sleep(0.2)
    elapsed_virtual, elapsed_real = clock.timestamp() - before, time.time() - before_real
    assert elapsed_virtual > 0.5 * 500 * elapsed_real
    assert elapsed_virtual < 1.5 * 500 * elapsed_real


def test_slowing_the_clock_down_never_moves_it_back():
    clock.set_scale(1000)
    time.sleep(0.05)
    fast = clock.timestamp()
    clock.set_scale(1)
    assert clock.timestamp() >= fast


def test_a_bad_scale_is_refused():
    with pytest.raises(ValueError):
        clock.set_scale(0)


def test_the_ticker_delivers_every_virtual_second_once_and_in_order():
    ticker, seen = Ticker(), []
    ticker.subscribe(seen.append)
    ticker.advance()
    clock.set_scale(400)
    time.sleep(0.1)
    ticker.advance()
    ticker.advance()
    seconds = [moment.timestamp() for moment in seen]
    assert len(seconds) > 20
    assert seconds == sorted(set(seconds))
    assert all(b - a == 1 for a, b in zip(seconds, seconds[1:]))


def test_a_failing_subscriber_does_not_stop_the_others():
    ticker, seen = Ticker(), []
    ticker.subscribe(lambda now: 1 / 0)
    ticker.subscribe(seen.append)
    ticker.advance()
    assert seen


@pytest.mark.emulator
def test_the_control_api_sets_the_scale_and_a_reset_restores_real_time(aws, emulator):
    emulator_control = emulator.client
    line = emulator_control.set_time_scale(250)
    assert line["scale"] == 250
    assert emulator_control.clock()["now"] >= line["now"]
    emulator_control.reset()
    assert emulator_control.clock()["scale"] == 1
