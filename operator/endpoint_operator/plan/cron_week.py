"""When a five-field cron expression fires within one week, in minutes from Sunday 00:00.

Enough for the cost model to weigh scheduled instance floors: day-of-month and month
fields other than '*' cannot be placed in a week and are reported back, so the caller
can say it treated them as every day.
"""

from __future__ import annotations

from dataclasses import dataclass

MINUTES_PER_WEEK = 7 * 24 * 60
_DAY_NAMES = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}


class CronNotUnderstood(ValueError):
    pass


@dataclass(frozen=True)
class WeeklyFirings:
    minutes: tuple[int, ...]  # sorted minutes of the week
    ignored_day_fields: bool  # day-of-month or month was not '*'


def _value(text: str, low: int, high: int, names: dict[str, int] | None) -> int:
    key = text.upper()
    if names and key in names:
        return names[key]
    if not text.isdigit():
        raise CronNotUnderstood(f"{text!r} is not a number")
    value = int(text)
    if not low <= value <= high:
        raise CronNotUnderstood(f"{value} is outside {low}-{high}")
    return value


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = _value(step_text, 1, high, None) if step_text else 1
        if span in ("*", "?"):
            first, last = low, high
        elif "-" in span:
            a, b = span.split("-", 1)
            first, last = _value(a, low, high, names), _value(b, low, high, names)
        else:
            first = _value(span, low, high, names)
            last = high if step_text else first
        if first > last:
            raise CronNotUnderstood(f"range {span!r} runs backwards")
        values.update(range(first, last + 1, step))
    return values


def weekly_firings(cron: str) -> WeeklyFirings:
    fields = cron.split()
    if len(fields) != 5:
        raise CronNotUnderstood(f"{cron!r} does not have five fields")
    minute, hour, day_of_month, month, day_of_week = fields
    minutes = _field(minute, 0, 59)
    hours = _field(hour, 0, 23)
    days = {d % 7 for d in _field(day_of_week, 0, 7, _DAY_NAMES)}  # 7 is Sunday too
    firings = sorted(d * 1440 + h * 60 + m for d in days for h in hours for m in minutes)
    ignored = day_of_month not in ("*", "?") or month not in ("*", "?")
    return WeeklyFirings(minutes=tuple(firings), ignored_day_fields=ignored)
