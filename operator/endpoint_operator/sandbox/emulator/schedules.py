"""When an Application Auto Scaling scheduled action runs: `at(...)`, `rate(...)` and `cron(...)`.

PutScheduledAction, Schedule (Application Auto Scaling API Reference): "At expressions -
"at(yyyy-mm-ddThh:mm:ss)"; Rate expressions - "rate(value unit)"; Cron expressions -
"cron(fields)". At expressions are useful for one-time schedules. Cron expressions are
useful for scheduled actions that run periodically at a specified date and time, and rate
expressions are useful for scheduled actions that run at a regular interval. At and cron
expressions use Universal Coordinated Time (UTC) by default. The cron format consists of
six fields separated by white spaces: [Minutes] [Hours] [Day_of_Month] [Month]
[Day_of_Week] [Year]. For rate expressions, value is a positive integer and unit is minute
| minutes | hour | hours | day | days."

Timezone: "The time zone used when setting a scheduled action by using an at or cron
expression. If a time zone is not provided, UTC is used by default."

Not modelled: the `L` and `W` day fields of cron (they never fire here).
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

_MONTHS = {name: index for index, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
# Cron expressions reference: day-of-week 1-7 or SUN-SAT, 1 is Sunday.
_WEEKDAYS = {name: index for index, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
_EXPRESSION = re.compile(r"^(at|rate|cron)\((.*)\)$")


class ScheduleNotUnderstood(ValueError):
    pass


def fires(schedule: str, zone: str | None, since: datetime, now: datetime, created: datetime) -> bool:
    """Whether the schedule runs in (since, now]; `created` anchors a rate expression."""
    match = _EXPRESSION.match(schedule.strip())
    if not match:
        raise ScheduleNotUnderstood(schedule)
    kind, body = match.groups()
    tz = ZoneInfo(zone) if zone else timezone.utc
    if kind == "at":
        moment = datetime.fromisoformat(body).replace(tzinfo=tz)
        return since < moment <= now
    if kind == "rate":
        value, _, unit = body.partition(" ")
        step = int(value) * _RATE_UNITS[unit.strip()]
        # The first run is one interval after the action was put.
        elapsed_now = (now - created).total_seconds() // step
        elapsed_since = (since - created).total_seconds() // step
        return elapsed_now > elapsed_since and elapsed_now >= 1
    minute = since.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while minute <= now:  # every whole minute in the interval; a tick covers one second
        if cron_matches(body, minute.astimezone(tz)):
            return True
        minute += timedelta(minutes=1)
    return False


def cron_matches(body: str, moment: datetime) -> bool:
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleNotUnderstood(f"cron({body})")
    minute, hour, dom, month, dow, year = fields
    weekday = (moment.isoweekday() % 7) + 1  # Sunday 1 ... Saturday 7
    return (_matches(minute, moment.minute, 0, 59) and _matches(hour, moment.hour, 0, 23)
            and _matches(month, moment.month, 1, 12, _MONTHS) and _matches(year, moment.year, 1970, 2199)
            and _day_matches(dom, dow, moment, weekday))


def _day_matches(dom: str, dow: str, moment: datetime, weekday: int) -> bool:
    if "#" in dow:
        day, _, nth = dow.partition("#")
        return _value(day, _WEEKDAYS) == weekday and (moment.day - 1) // 7 + 1 == int(nth)
    last_day = calendar.monthrange(moment.year, moment.month)[1]
    return _matches(dom, moment.day, 1, last_day) and _matches(dow, weekday, 1, 7, _WEEKDAYS)


def _matches(field: str, value: int, low: int, high: int, names: dict[str, int] | None = None) -> bool:
    for part in field.split(","):
        if part in ("*", "?"):
            return True
        if "L" in part or "W" in part:
            continue
        base, _, step = part.partition("/")
        if base in ("*", ""):
            first, last = low, high
        elif "-" in base:
            start, _, stop = base.partition("-")
            first, last = _value(start, names), _value(stop, names)
        else:
            first = _value(base, names)
            last = high if step else first
        if first <= value <= last and (value - first) % int(step or 1) == 0:
            return True
    return False


def _value(text: str, names: dict[str, int] | None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    return int(text)
