"""Cost controls of one endpoint: the Idle condition, and suspension (by hand or on a
weekly schedule) for dev and test endpoints that need not serve at night or at weekends.

A suspended endpoint is deleted; its models and endpoint config stay (they cost
nothing), and so does everything the spec says, scaling included, so resuming creates
the endpoint again on the same config: the same fleet as before.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .cron import WEEKLY_CRON
from .duration import DURATION, cel_duration_seconds, duration_seconds
from .patterns import ascii_re
from .rules import Rule, SpecModel
from .time_zones import cel_is_time_zone, is_time_zone

MIN_IDLE_SECONDS = 600  # 10m: SageMaker's Invocations metric has one-minute points; less says nothing
MAX_IDLE_SECONDS = 30 * 86400  # 30d
TIME_ZONE = ascii_re(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")
Cron = Annotated[str, Field(pattern=ascii_re(WEEKLY_CRON), max_length=128)]
_CRON_TEXT = ("five fields with every day of the month and every month (minute hour * * day-of-week), "
              "for example '0 20 * * 1-5'")


class SuspensionScheduleSpec(SpecModel):
    suspend: Annotated[Cron, Field(description=f"When the endpoint is suspended: {_CRON_TEXT}.")]
    resume: Annotated[Cron, Field(description=f"When it serves again: {_CRON_TEXT}, for example '0 7 * * 1-5'.")]
    time_zone: Annotated[str, Field(min_length=1, max_length=64, pattern=TIME_ZONE, description="IANA time zone of both expressions, for example Europe/Berlin. Defaults to UTC.")] = "UTC"

    rules = (
        Rule("timeZone", "spec.costControls.schedule.timeZone must be an IANA time zone name such as Europe/Berlin",
             f"!has(self.timeZone) || {cel_is_time_zone('self.timeZone')}",
             lambda s: is_time_zone(s.time_zone)),
        Rule("resume", "spec.costControls.schedule.resume must differ from spec.costControls.schedule.suspend",
             "self.resume != self.suspend",
             lambda s: s.resume != s.suspend),
    )


class CostControlsSpec(SpecModel):
    suspended: Annotated[bool | None, Field(description="true deletes the endpoint and keeps its configuration, models and scaling; false (or absent) serves, or follows the schedule.")] = None
    schedule: Annotated[SuspensionScheduleSpec | None, Field(description="A weekly schedule of suspensions, unless suspended is true.")] = None
    idle_after: Annotated[str | None, Field(pattern=DURATION, max_length=32, description="The Idle condition turns True once the endpoint has had no invocations for this long, 10m to 30d, for example 24h.")] = None

    rules = (
        Rule("idleAfter", "spec.costControls.idleAfter must be between 10m and 30d",
             f"!has(self.idleAfter) || ({cel_duration_seconds('self.idleAfter')} >= {MIN_IDLE_SECONDS}.0"
             f" && {cel_duration_seconds('self.idleAfter')} <= {MAX_IDLE_SECONDS}.0)",
             lambda c: c.idle_after is None or MIN_IDLE_SECONDS <= duration_seconds(c.idle_after) <= MAX_IDLE_SECONDS),
    )
