"""The five-field cron expressions a schedule takes, as one pattern the API server and
pydantic both apply: each field's values within its range, so nothing reaches
Application Auto Scaling that it would refuse or read otherwise.

The fields are Unix cron's (minute hour day-of-month month day-of-week, weekdays 0-7
with 0 and 7 Sunday); plan/scaling.py writes them in AWS's six-field form. What AWS's
cron reference allows in each of its fields bounds what is accepted here ("Cron
expressions reference": Minutes 0-59 `, - * /`; Hours 0-23 `, - * /`; Day-of-month
1-31 `, - * ? / L W`; Month 1-12 or JAN-DEC `, - * /`; Day-of-week 1-7 or SUN-SAT
`, - * ? L #`): no step in day-of-week, `#` (the nth weekday of the month, 1-5) on one
weekday alone, and `L` and `W` are not taken.
"""

from __future__ import annotations

MONTH_NAMES = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
DAY_NAMES = "SUN|MON|TUE|WED|THU|FRI|SAT"


def _field(value: str, step: str | None, alone: str = "") -> str:
    """A comma-separated list of `*`, a value or a range, each with an optional step;
    or `alone`, an alternative that stands by itself."""
    span = rf"(\*|({value})(-({value}))?)"
    item = rf"{span}(/({step}))?" if step else span
    listed = rf"{item}(,{item})*"
    return rf"({alone}|{listed})" if alone else rf"({listed})"


MINUTE = _field(r"[0-5]?[0-9]", r"[1-9]|[1-5][0-9]")
HOUR = _field(r"[01]?[0-9]|2[0-3]", r"[1-9]|1[0-9]|2[0-3]")
DAY_OF_MONTH = _field(r"[1-9]|[12][0-9]|3[01]|0[1-9]", r"[1-9]|[12][0-9]|3[01]", alone=r"\?")
MONTH = _field(rf"[1-9]|1[0-2]|0[1-9]|(?i:{MONTH_NAMES})", r"[1-9]|1[0-2]")
_WEEKDAY = rf"[0-7]|(?i:{DAY_NAMES})"
DAY_OF_WEEK = _field(_WEEKDAY, None, alone=rf"\?|({_WEEKDAY})#[1-5]")

CRON = rf"^{MINUTE}\s+{HOUR}\s+{DAY_OF_MONTH}\s+{MONTH}\s+{DAY_OF_WEEK}$"

# A weekly schedule (nights, weekends): every day of the month, every month, so that each
# firing has a place in the week (plan/cron_week.py) and the last one before now is found.
WEEKLY_DAY_OF_WEEK = _field(_WEEKDAY, None, alone=r"\?")
WEEKLY_CRON = rf"^{MINUTE}\s+{HOUR}\s+(\*|\?)\s+(\*|\?)\s+{WEEKLY_DAY_OF_WEEK}$"
