"""A manifest's spec as the API server judges it after `kubectl apply` sent it.

kubectl sends JSON: a float with no fraction is written as an integer (Go prints
`2.0` as `2`), keys are strings, dates are the text YAML read, and a `null` value of a
mapping is left out (an unknown field set to null included), so `field: null` means
absent. A `null` list item stays, and is refused as the wrong type.
"""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

# Go's encoder prints a float in [-2**63, 2**63) with no fraction as plain digits, which the
# API server decodes back as an int64.
_INT64 = 2**63


def pruned(value: Any) -> Any:
    """`value` without the nulls of its mappings, at every depth."""
    if isinstance(value, dict):
        return {key: pruned(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [pruned(item) for item in value]
    return value


def _number(value: float) -> int | float:
    if math.isfinite(value) and value == int(value) and -_INT64 <= value < _INT64:
        return int(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dict):
        return {str(k).lower() if isinstance(k, bool) else str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def as_read(value: Any) -> str:
    """The JSON the API server validates for a manifest value read from YAML or JSON.

    NaN and infinities stay as JSON's NaN/Infinity tokens: the API server cannot parse
    them, and pydantic (allow_inf_nan=False) refuses them naming the field."""
    return json.dumps(pruned(_plain(value)), allow_nan=True, ensure_ascii=False)
