"""What one RealTime endpoint costs in AWS calls, counted in the emulator's request log:
from apply to Ready, a look at the endpoint and the three creates (the ListEndpoints
sweep, shared by every object, sees it go InService); a delete, no more calls than the
endpoint, its config and its model need, with nothing left behind."""

from __future__ import annotations

import json
from collections import Counter

from endpoint_operator.plan import naming

from . import kit

CREATES = {"CreateModel", "CreateEndpointConfig", "CreateEndpoint"}
DELETES = {"DeleteEndpoint", "DeleteEndpointConfig", "DeleteModel"}


def calls_naming(emulator, endpoint: str, after: int) -> Counter:
    """Operations since `after` whose request names the endpoint or one of its models or
    configs (their names start with the endpoint's name, shortened to fit). The sweep
    names no endpoint."""
    stem = naming.owned_prefix(endpoint)
    return Counter(c["operation"] for c in emulator.client.calls(after=after)
                   if endpoint in json.dumps(c["params"]) or stem in json.dumps(c["params"]))


def last_seq(emulator) -> int:
    calls = emulator.client.calls()
    return calls[-1]["seq"] if calls else 0


def test_one_endpoint_costs_five_calls_to_ready_and_eight_to_delete(operator, control_plane, emulator, namespace):
    # Transitions end well inside one sweep interval, so what is counted does not depend
    # on how busy the machine is.
    scale = emulator.client.clock()["scale"]
    emulator.client.set_time_scale(10.0)
    try:
        doc = kit.example("realtime.yaml", namespace, rename="frugal")
        # A fixed fleet: autoscaling has calls of its own.
        doc["spec"].pop("autoscaling", None)
        doc["spec"]["instances"] = {"type": "ml.m5.large", "min": 1, "max": 1}
        start = last_seq(emulator)
        kit.apply(control_plane, doc, emulator)
        obj = kit.wait_condition(control_plane, namespace, "frugal", "Ready", timeout=90)
        endpoint = obj["status"]["endpoint"]["name"]
        created = calls_naming(emulator, endpoint, start)

        start = last_seq(emulator)
        kit.delete(control_plane, namespace, "frugal")
        deleted = calls_naming(emulator, endpoint, start)
    finally:
        emulator.client.set_time_scale(scale)

    assert {op: n for op, n in created.items() if op in CREATES} == dict.fromkeys(CREATES, 1)
    # No listing, tag read or scaling read on an object just made: only its endpoint is looked at.
    assert set(created) - CREATES == {"DescribeEndpoint"}
    # The endpoint is described once, before anything is made: the sweep that sees it
    # InService settles it.
    assert created["DescribeEndpoint"] == 1, created
    assert sum(created.values()) <= 5, created
    assert {op: n for op, n in deleted.items() if op in DELETES} == dict.fromkeys(DELETES, 1)
    # Described once, to delete it: the sweep that sees it gone lets the config and the
    # model go without describing it again.
    assert deleted["DescribeEndpoint"] == 1, deleted
    assert sum(deleted.values()) <= 8, deleted
    assert kit.owned_resources(emulator, obj["metadata"]["uid"]) == {"endpoints": [], "configs": [], "models": []}
