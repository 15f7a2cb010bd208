"""Alarm gates: each named CloudWatch alarm must be OK. ALARM fails the step;
INSUFFICIENT_DATA or a missing alarm is "wait", never "pass"."""

from __future__ import annotations

from collections.abc import Iterator

from ...api.spec import AnalysisSpec
from .base import FAILED, PASSED, WAITING, GateReadings, Judgement, Reads, Window


class AlarmGates:
    def configured(self, analysis: AnalysisSpec) -> bool:
        return bool(analysis.alarms)

    def reads(self, analysis: AnalysisSpec, window: Window) -> Reads:
        return Reads(alarms=tuple(analysis.alarms or ()))

    def judge(self, analysis: AnalysisSpec, readings: GateReadings, window: Window) -> Iterator[Judgement]:
        for name in analysis.alarms or ():
            state = readings.alarms.get(name)
            if state == "ALARM":
                yield FAILED, f"alarm {name} is ALARM"
            elif state == "OK":
                yield PASSED, f"alarm {name} is OK"
            elif state is None:
                yield WAITING, f"alarm {name} does not exist"
            else:
                yield WAITING, f"alarm {name} is {state}"


KIND = AlarmGates()
