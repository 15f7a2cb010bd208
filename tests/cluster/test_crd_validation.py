"""The CRD on a real API server: installed, Established, and judging manifests at
`kubectl apply` time exactly as the pydantic side does (the same table of cases)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from endpoint_operator.api.constants import API_VERSION, KIND
from endpoint_operator.api.crd import CRD_FILE, CRD_NAME
from endpoint_operator.api.status import (
    Condition,
    CostStatus,
    EndpointStatus,
    ModelEndpointStatus,
    RolloutStatus,
    SuspensionStatus,
)
from unit.test_spec_validation import (
    BAD_METADATA,
    BAD_SPECS,
    EXAMPLES,
    GOOD_METADATA,
    GOOD_SPECS,
    REALTIME,
    UNPARSEABLE_SPECS,
    Case,
    MetadataCase,
    changed,
)

pytestmark = pytest.mark.cluster

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def crd(control_plane):
    return install_crd(control_plane)


def install_crd(control_plane) -> str:
    control_plane.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(REPO / CRD_FILE))
    control_plane.wait_for_crd(CRD_NAME)
    deadline = time.monotonic() + 30  # discovery may trail the Established condition
    while control_plane.kubectl("get", "modelendpoints", "-A", check=False).returncode != 0:
        assert time.monotonic() < deadline, "ModelEndpoint never appeared in discovery"
        time.sleep(0.2)
    return CRD_NAME


def names(field: str, refusal: str) -> bool:
    """Whether the API server's refusal names `field` itself (not merely a field under it).

    A mapping given where the schema wants a scalar is refused by strict decoding as
    unknown fields under it (`unknown field "spec.region.a"`): that names it too."""
    return any(form in refusal for form in (f"{field}: ", f'unknown field "{field}"', f'unknown field "{field}.'))


def manifest(name: str, namespace: str, spec: dict[str, Any]) -> str:
    return yaml.safe_dump({
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    })


def apply(control_plane, text: str):
    return control_plane.kubectl("apply", "-f", "-", input=text, check=False)


def test_crd_is_established(control_plane, crd):
    found = json.loads(control_plane.kubectl("get", "crd", crd, "-o", "json").stdout)
    conditions = {c["type"]: c["status"] for c in found["status"]["conditions"]}
    assert conditions["Established"] == "True"
    assert conditions.get("NonStructuralSchema", "False") == "False"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_is_accepted(control_plane, crd, namespace, example: Path):
    document = yaml.safe_load(example.read_text())
    document["metadata"]["namespace"] = namespace
    result = apply(control_plane, yaml.safe_dump(document))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("spec", GOOD_SPECS)
def test_good_spec_is_accepted(control_plane, crd, namespace, spec):
    result = apply(control_plane, manifest("good", namespace, spec))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("bad", BAD_SPECS, ids=lambda c: c.id)
def test_bad_spec_is_refused_naming_the_field(control_plane, crd, namespace, bad: Case):
    result = apply(control_plane, manifest(bad.id[:63], namespace, bad.spec))
    assert result.returncode != 0, f"the API server accepted {bad.id}"
    assert names(bad.field, result.stderr), result.stderr
    if bad.message:
        assert bad.message in result.stderr, result.stderr
    if bad.not_also:
        assert not names(bad.not_also, result.stderr), result.stderr
    gone = control_plane.kubectl("get", "modelendpoint", bad.id[:63], "-n", namespace, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr


@pytest.mark.parametrize("bad", UNPARSEABLE_SPECS, ids=lambda c: c.id)
def test_unparseable_spec_is_refused(control_plane, crd, namespace, bad: Case):
    """JSON has no inf or NaN: kubectl cannot even send them (validate_spec names the field)."""
    result = apply(control_plane, manifest(bad.id, namespace, bad.spec))
    assert result.returncode != 0, f"the API server accepted {bad.id}"
    assert control_plane.kubectl("get", "modelendpoint", bad.id, "-n", namespace, check=False).returncode != 0


@pytest.mark.parametrize("bad", BAD_METADATA, ids=lambda c: c.id)
def test_bad_metadata_is_refused_naming_the_field(control_plane, crd, namespace, bad: MetadataCase):
    """The same table `plan` refuses (tests/unit/test_cli_plan.py)."""
    result = control_plane.kubectl("apply", "--dry-run=server", "-f", "-", check=False, input=yaml.safe_dump({
        "apiVersion": API_VERSION, "kind": KIND, "spec": REALTIME,
        "metadata": {"name": bad.name, "namespace": bad.namespace or namespace}}))
    assert result.returncode != 0, f"the API server accepted {bad.id}"
    if bad.field == "metadata.namespace":
        # No such namespace can exist: the API server refuses to create it, as a DNS label.
        assert f'namespaces "{bad.namespace}" not found' in result.stderr, result.stderr
        created = control_plane.kubectl("create", "namespace", bad.namespace, check=False)
        assert created.returncode != 0 and "metadata.name: Invalid value" in created.stderr, created.stderr
    else:
        assert names(bad.field, result.stderr), result.stderr


@pytest.mark.parametrize("name, namespace", GOOD_METADATA)
def test_good_metadata_is_accepted(control_plane, crd, name, namespace):
    if namespace:
        control_plane.kubectl("create", "namespace", namespace, check=False)
    result = control_plane.kubectl("apply", "--dry-run=server", "-f", "-", check=False, input=yaml.safe_dump({
        "apiVersion": API_VERSION, "kind": KIND, "spec": REALTIME, "metadata": {"name": name, "namespace": namespace or "default"}}))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("change, field", [
    ({"region": "us-west-2"}, "spec.region"),
    ({"endpointName": "fraud-scoring-v2"}, "spec.endpointName"),
])
def test_update_of_an_immutable_field_is_refused(control_plane, crd, namespace, change, field):
    assert apply(control_plane, manifest("fraud", namespace, REALTIME)).returncode == 0
    result = apply(control_plane, manifest("fraud", namespace, changed(REALTIME, change)))
    assert result.returncode != 0
    assert f"{field}: Invalid value" in result.stderr, result.stderr
    assert f"{field} is immutable" in result.stderr, result.stderr
    stored = json.loads(control_plane.kubectl("get", "mep", "fraud", "-n", namespace, "-o", "json").stdout)
    assert stored["spec"]["region"] == REALTIME["region"]


def test_update_of_other_fields_is_accepted(control_plane, crd, namespace):
    assert apply(control_plane, manifest("fraud", namespace, REALTIME)).returncode == 0
    bigger = changed(REALTIME, {"instances": {"max": 10}})
    result = apply(control_plane, manifest("fraud", namespace, bigger))
    assert result.returncode == 0, result.stderr


def test_status_from_the_models_fits_the_schema_and_fills_the_columns(control_plane, crd, namespace):
    assert apply(control_plane, manifest("fraud", namespace, REALTIME)).returncode == 0
    status = ModelEndpointStatus(
        observed_generation=1,
        conditions=[Condition(type="Ready", status="True", reason="EndpointInService",
                              last_transition_time="2026-01-02T03:04:05Z", observed_generation=1),
                    Condition(type="Suspended", status="False", reason="ResumedBySchedule",
                              last_transition_time="2026-01-02T03:04:05Z", observed_generation=1),
                    Condition(type="Idle", status="True", reason="NoInvocations",
                              last_transition_time="2026-01-02T03:04:05Z", observed_generation=1)],
        mode="RealTime",
        endpoint=EndpointStatus(name="default-fraud", status="InService"),
        variants_summary="primary=85,canary=15",
        instances="2/2",
        rollout=RolloutStatus(phase="Progressing", step=0, steps=3, progress="1/3", weight=15),
        cost=CostStatus(hourly_usd=2.4, monthly_usd=1752.0, instances=2, idle_monthly_usd=1752.0),
        suspension=SuspensionStatus(since="2026-01-02T03:04:05Z", resumes_at="2026-01-03T07:00:00Z",
                                    endpoint_config="default-fraud-c-0123456789", reason="SuspendedBySchedule"),
    )
    control_plane.kubectl("patch", "mep", "fraud", "-n", namespace, "--subresource=status",
                          "--type=merge", "-p", json.dumps({"status": status.to_wire()}))
    stored = json.loads(control_plane.kubectl("get", "mep", "fraud", "-n", namespace, "-o", "json").stdout)
    assert ModelEndpointStatus.model_validate(stored["status"]) == status  # nothing pruned

    table = control_plane.kubectl("get", "mep", "fraud", "-n", namespace, "-o", "wide").stdout
    header, row = table.splitlines()
    assert header.split()[:7] == ["NAME", "MODE", "READY", "ENDPOINT", "VARIANTS", "INSTANCES", "COST/MO"]
    assert header.split()[7:12] == ["SUSPENDED", "IDLE", "ROLLOUT", "STEP", "CANARY"]
    assert row.split()[:12] == ["fraud", "RealTime", "True", "InService", "primary=85,canary=15", "2/2", "1752",
                                "False", "True", "Progressing", "1/3", "15"]


def test_status_outside_the_schema_is_refused(control_plane, crd, namespace):
    assert apply(control_plane, manifest("fraud", namespace, REALTIME)).returncode == 0
    result = control_plane.kubectl(
        "patch", "mep", "fraud", "-n", namespace, "--subresource=status", "--type=merge",
        "-p", json.dumps({"status": {"conditions": [{"type": "Ready", "status": "Maybe", "reason": "X"}]}}),
        check=False)
    assert result.returncode != 0
    assert "status.conditions[0].status" in result.stderr, result.stderr
