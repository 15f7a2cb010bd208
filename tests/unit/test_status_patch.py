"""Status is written with a JSON merge patch; a field that went away must go away on
the server too, nested ones included (a merge patch merges objects key by key)."""

from __future__ import annotations

from endpoint_operator.kube.status_writer import merge_patch


def apply(target: dict, patch: dict) -> dict:
    """RFC 7386, as the API server applies it."""
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = apply(result[key], value)
        else:
            result[key] = value
    return result


OLD = {
    "rollout": {"phase": "Progressing", "step": 1, "weight": 50, "pauseEndsAt": "2026-01-01T01:00:00Z",
                "lastGate": "alarm canary-5xx OK"},
    "endpoint": {"name": "recs", "status": "Updating", "failureReason": "health check failed"},
    "conditions": [{"type": "Ready", "status": "False"}],
    "cost": {"hourlyUSD": 1.2},
}


def test_a_nested_field_that_went_away_is_cleared():
    new = {
        "rollout": {"phase": "Promoting", "step": 2, "weight": 100},
        "endpoint": {"name": "recs", "status": "InService"},
        "conditions": [{"type": "Ready", "status": "True"}],
    }
    patch = merge_patch(OLD, new)
    assert apply(OLD, patch) == new
    assert patch["rollout"]["pauseEndsAt"] is None and patch["rollout"]["lastGate"] is None
    assert patch["endpoint"] == {"status": "InService", "failureReason": None}
    assert patch["cost"] is None


def test_unchanged_parts_are_not_sent():
    new = {**OLD, "endpoint": {**OLD["endpoint"], "status": "InService"}}
    assert merge_patch(OLD, new) == {"endpoint": {"status": "InService"}}
    assert merge_patch(OLD, OLD) == {}


def test_an_object_replacing_a_scalar_or_appearing_is_sent_whole():
    assert merge_patch({"a": 1}, {"a": {"b": 2}, "c": {"d": 3}}) == {"a": {"b": 2}, "c": {"d": 3}}
