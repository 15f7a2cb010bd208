"""Cost you can see after you apply: every example shows its monthly estimate in
`kubectl get mep`, computed from the instances observed and the shipped price table."""

from __future__ import annotations

from endpoint_operator.api.pricing import load_prices
from endpoint_operator.api.spec import Mode, validate_spec
from endpoint_operator.plan.estimate import estimate

from . import kit

# Every example the sandbox's operator serves as it is. Those in another account need the
# operator's account bindings (tests/e2e/test_accounts.py), the scheduled one serves only in
# its working hours (tests/e2e/test_suspension.py).
ELSEWHERE = {"accounts/team-b.yaml", "cost-controls/dev-nights-and-weekends.yaml"}
EXAMPLES = sorted(str(p.relative_to(kit.EXAMPLES)) for p in kit.EXAMPLES.rglob("*.yaml")
                  if str(p.relative_to(kit.EXAMPLES)) not in ELSEWHERE)


def _columns(table: str) -> list[dict[str, str]]:
    """Rows of kubectl's table, cut at the header's column starts (values may be blank)."""
    header, *rows = table.rstrip("\n").splitlines()
    names = header.split()
    starts = [header.index(name) for name in names]
    ends = starts[1:] + [None]
    return [{name: row[start:end].strip() for name, start, end in zip(names, starts, ends)} for row in rows]


def test_kubectl_get_mep_shows_the_monthly_estimate_of_every_example(operator, control_plane, emulator, namespace):
    assert "consolidation/live-recommendations.yaml" in EXAMPLES and len(EXAMPLES) >= 5
    docs = [kit.example(name, namespace) for name in EXAMPLES]
    for doc in docs:
        # The multi-model example names a fixed artifact prefix; other tests' copies share it.
        (doc["spec"].get("multiModel") or {}).pop("artifactPrefix", None)
        kit.apply(control_plane, doc, emulator)
    prices = load_prices()
    expected: dict[str, str] = {}
    for doc in docs:
        name = doc["metadata"]["name"]
        obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=120)
        status = obj["status"]
        cost = status["cost"]
        spec = validate_spec(doc["spec"])
        if status["mode"] == Mode.SERVERLESS.value:
            # No instances: the per-request estimate from the traffic hints.
            hourly = estimate(spec, Mode.SERVERLESS, prices).hourly_usd
            assert cost["instances"] == 0
        else:
            current = int(status["instances"].split("/")[0])
            assert cost["instances"] == current >= 1
            hourly = current * prices.instance_hourly(spec.region, spec.instances.type)
        assert cost["hourlyUSD"] == round(hourly, 4), name
        assert cost["monthlyUSD"] == round(hourly * 730, 2), name
        expected[name] = f"{cost['monthlyUSD']:g}"

    rows = _columns(control_plane.kubectl("get", "mep", "-n", namespace).stdout)
    shown = {row["NAME"]: row["COST/MO"] for row in rows}
    assert shown == expected
    assert all(float(value) > 0 for value in shown.values())
