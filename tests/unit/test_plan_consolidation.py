"""plan/assessment and plan/consolidation: what can share an endpoint, and what it costs.

Pure tables over made-up inventories; tests/cluster/test_assess.py runs the command
on the seeded account."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from endpoint_operator.api import constants
from endpoint_operator.api.inventory import ExistingEndpoint, ExistingModel, ExistingScaling, ExistingVariant, Inventory, VariantMetrics
from endpoint_operator.api.pricing import load_prices
from endpoint_operator.api.spec import validate_spec
from endpoint_operator.plan.assessment import Hints, assess_endpoints
from endpoint_operator.plan.consolidation import consolidate

PRICES = load_prices()
HOURS = 48
END = datetime(2026, 11, 30, tzinfo=timezone.utc)
TRITON = "785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.03-py3"
PYTORCH_GPU = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311"
SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
ROLE = "arn:aws:iam::123456789012:role/sagemaker-exec"


def endpoint(name: str, image: str = TRITON, instance_type: str = "ml.g4dn.xlarge", calls_per_hour: float = 10,
             gpu: float = 13, cpu: float = 20, p99_ms: float = 50, busy_hours: int = HOURS, tags=None,
             scaling: bool = False, variants: int = 1) -> ExistingEndpoint:
    metrics = VariantMetrics(
        invocations=tuple(calls_per_hour if i < busy_hours else None for i in range(HOURS)),
        model_latency_p99_us=tuple(p99_ms * 1000 for _ in range(HOURS)),
        cpu_utilization=tuple(cpu for _ in range(HOURS)),
        gpu_utilization=tuple(gpu for _ in range(HOURS)),
        memory_utilization=tuple(30.0 for _ in range(HOURS)))
    model = ExistingModel(name=f"{name}-model", image=image, model_data_url=f"s3://acme-models/{name}/model.tar.gz",
                          execution_role_arn=ROLE)
    made = tuple(ExistingVariant(
        name=f"v{i}", model=model, instance_type=instance_type, instance_count=1, metrics=metrics,
        scaling=ExistingScaling(f"endpoint/{name}/variant/v{i}", 1, 2) if scaling else None) for i in range(variants))
    return ExistingEndpoint(name=name, region="us-east-1", arn=f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}",
                            status="InService", config_name=f"{name}-config", variants=made, tags=tags or {})


def run(*endpoints: ExistingEndpoint, hints=None, group_tag=None):
    inventory = Inventory(endpoints=endpoints, start=END - timedelta(hours=HOURS), end=END, regions=("us-east-1",))
    assessments = assess_endpoints(inventory, PRICES, hints or {})
    return assessments, consolidate(assessments, PRICES, group_tag=group_tag)


def by_member(result):
    return {m: e for e in result.endpoints for m in e.members}


def test_triton_gpu_endpoints_of_one_image_share_a_multi_model_endpoint_adopting_the_busiest():
    _, result = run(endpoint("a", calls_per_hour=5), endpoint("b", calls_per_hour=900), endpoint("c", calls_per_hour=1))
    [shared] = result.endpoints
    assert (shared.mode, shared.adopts, shared.replaces) == ("MultiModel", "b", ("a", "c"))
    spec = shared.manifest["spec"]
    assert spec["multiModel"] == {"server": "Triton"} and spec["endpointName"] == "b" and spec["adopt"] == {}
    assert spec["replaces"]["endpoints"] == ["a", "c"]
    validate_spec(spec)


def test_gpu_models_off_triton_are_not_put_together():
    _, result = run(endpoint("a", image=PYTORCH_GPU), endpoint("b", image=PYTORCH_GPU))
    assert [e.mode for e in result.endpoints] == ["RealTime", "RealTime"]
    assert all("Triton" in e.reason for e in result.endpoints)


def test_cpu_models_of_one_image_share_the_default_server():
    _, result = run(endpoint("a", image=SKLEARN, instance_type="ml.m5.xlarge", calls_per_hour=2000),
                    endpoint("b", image=SKLEARN, instance_type="ml.m5.xlarge", calls_per_hour=2000))
    [shared] = result.endpoints
    assert shared.mode == "MultiModel" and "multiModel" not in shared.manifest["spec"]
    validate_spec(shared.manifest["spec"])


@pytest.mark.parametrize("hints, p99_ms, busy_hours, mode", [
    ({"a": Hints(max_payload_mb=5.5)}, 40_000, 12, "Async"),  # large and sporadic
    ({}, 40_000, 12, "Async"),  # long and sporadic
    ({"a": Hints(max_payload_mb=20)}, 50, HOURS, "Async"),  # beyond real-time, whatever the rate
    ({"a": Hints(max_payload_mb=5.5)}, 50, HOURS, "RealTime"),  # large but busy, fits real-time
])
def test_what_real_time_should_not_serve_goes_async(hints, p99_ms, busy_hours, mode):
    _, result = run(endpoint("a", image=PYTORCH_GPU, p99_ms=p99_ms, busy_hours=busy_hours, calls_per_hour=3000 if mode == "RealTime" else 4),
                    hints=hints)
    [logical] = result.endpoints
    assert logical.mode == mode, logical.reason
    if mode == "Async":
        spec = logical.manifest["spec"]
        assert spec["instances"]["min"] == 0 and spec["async"]["scaleToZero"] and logical.adopts is None
        assert spec["replaces"]["endpoints"] == ["a"]
        validate_spec(spec)


def test_a_sporadic_small_cpu_model_goes_serverless():
    _, result = run(endpoint("a", image=SKLEARN, instance_type="ml.m5.xlarge", calls_per_hour=1, busy_hours=10))
    [logical] = result.endpoints
    assert logical.mode == "Serverless" and logical.monthly_after_usd < logical.monthly_before_usd
    validate_spec(logical.manifest["spec"])


def test_a_group_tag_keeps_use_cases_apart():
    endpoints = [endpoint("a", tags={"use-case": "x"}), endpoint("b", tags={"use-case": "x"}),
                 endpoint("c", tags={"use-case": "y"}), endpoint("d", tags={"use-case": "y"})]
    _, together = run(*endpoints)
    _, apart = run(*endpoints, group_tag="use-case")
    assert len(together.endpoints) == 1
    assert sorted(e.name for e in apart.endpoints) == ["x", "y"]


def test_endpoints_it_cannot_move_are_left_unchanged_at_their_cost():
    _, result = run(endpoint("two", variants=2))
    [kept] = result.endpoints
    assert kept.mode == "Unchanged" and kept.manifest is None
    assert kept.monthly_after_usd == kept.monthly_before_usd == pytest.approx(2 * 0.736 * 730)


def test_endpoints_a_model_endpoint_manages_are_left_to_it():
    managed = {constants.TAG_UID: "uid-1", constants.TAG_NAMESPACE: "ml", constants.TAG_NAME: "recs"}
    _, result = run(endpoint("a", tags=managed), endpoint("b"), endpoint("c"))
    modes = {e.members[0]: (e.mode, e.reason) for e in result.endpoints}
    assert modes["a"] == ("Unchanged", "managed already by ModelEndpoint ml/recs")
    assert "a" not in [m for e in result.endpoints if e.mode == "MultiModel" for m in e.members]


def test_sizing_follows_the_summed_load_and_costs_the_instance_hours():
    # Four endpoints at 40 % GPU each: 160 % of one GPU -> 3 instances at 70 %.
    _, result = run(*(endpoint(n, gpu=40) for n in "abcd"))
    [shared] = result.endpoints
    assert (shared.min_instances, shared.max_instances) == (3, 4)
    assert shared.monthly_after_usd == pytest.approx(3 * 0.736 * 730)
    assert result.monthly_before_usd == pytest.approx(4 * 0.736 * 730)
    assert result.saving_share == pytest.approx(0.25)


def test_each_endpoint_reports_cost_traffic_utilization_scaling_and_auto():
    [a], _ = run(endpoint("a", calls_per_hour=100, busy_hours=12, gpu=13, scaling=True))
    assert a.monthly_usd == pytest.approx(0.736 * 730)
    assert a.invocations_per_day == pytest.approx(600)
    assert a.active_share == pytest.approx(0.25)
    assert a.gpu_off_peak == pytest.approx(13) and a.autoscaled
    assert a.auto_mode == "RealTime" and "needs a GPU" in a.auto_reason
