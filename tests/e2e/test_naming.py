"""Default endpoint names are injective across namespaces, and an explicit
spec.endpointName cannot take another object's endpoint."""

from __future__ import annotations

from . import kit


def test_objects_whose_names_once_met_get_endpoints_of_their_own_and_a_claim_is_refused(
        operator, control_plane, emulator, namespace):
    # 'b-c' in <ns> and 'c' in <ns>-b both used to be named <ns>-b-c: the second was squatted.
    other = f"{namespace}-b"
    control_plane.kubectl("create", "namespace", other)
    try:
        first = kit.example("realtime.yaml", namespace, rename="b-c")
        second = kit.example("realtime.yaml", other, rename="c")
        kit.apply(control_plane, first, emulator)
        kit.apply(control_plane, second, emulator)

        one = kit.wait_condition(control_plane, namespace, "b-c", "Ready", timeout=90)
        two = kit.wait_condition(control_plane, other, "c", "Ready", timeout=90)
        taken = one["status"]["endpoint"]["name"]
        assert taken != two["status"]["endpoint"]["name"]
        owned = kit.owned_resources(emulator, one["metadata"]["uid"])
        assert owned["endpoints"] == [taken]

        # An explicit name that is another object's endpoint: refused, naming that object.
        thief = kit.example("realtime.yaml", other, rename="thief")
        thief["spec"]["endpointName"] = taken
        kit.apply(control_plane, thief, emulator)
        refused = kit.wait_condition(control_plane, other, "thief", "Degraded", reason="EndpointNotOwned", timeout=60)
        message = kit.condition(refused, "Degraded")["message"]
        assert f"ModelEndpoint {namespace}/b-c" in message, message

        still = kit.get(control_plane, namespace, "b-c")
        assert kit.condition(still, "Ready")["status"] == "True"
        assert kit.owned_resources(emulator, one["metadata"]["uid"])["endpoints"] == [taken]
    finally:
        control_plane.kubectl("delete", "mep", "--all", "-n", other, "--timeout=90s", check=False)
