"""The cost model against figures computed by hand (the arithmetic is in each row's comment)."""

from __future__ import annotations

import pytest
from test_plan_kit import IMAGE, ROLE, bp_of, endpoint, mme_spec, realtime_spec

from endpoint_operator.api.pricing import PriceFileError, PriceTable, load_prices
from endpoint_operator.api.resources import ObservedVariant
from endpoint_operator.api.spec import Mode, ModelEndpointSpec
from endpoint_operator.plan.cost import one_per_model, running_cost
from endpoint_operator.plan.cron_week import CronNotUnderstood, weekly_firings
from endpoint_operator.plan.errors import PlanError
from endpoint_operator.plan.estimate import estimate

PRICES = PriceTable.model_validate({
    "source": "test table",
    "hoursPerMonth": 730,
    "regions": {"us-east-1": {
        "instances": {"ml.m5.large": 0.10, "ml.g4dn.xlarge": 1.00},
        "serverless": {"perGBSecond": 0.00002, "perRequest": 0.0000002, "provisionedPerGBSecond": 0.000005},
    }},
})


def spec_of(**raw) -> ModelEndpointSpec:
    base = {"region": "us-east-1", "executionRoleArn": ROLE, "image": IMAGE,
            "models": [{"name": "m", "modelDataUrl": "s3://models/m/model.tar.gz"}]}
    return ModelEndpointSpec.model_validate({**base, **raw})


def models(count: int, calls: int | None = None) -> list[dict]:
    return [{"name": f"m{i}", "modelDataUrl": f"s3://models/m{i}/model.tar.gz",
             **({"invocationsPerDay": calls} if calls is not None else {})} for i in range(count)]


def async_spec(calls: int, pattern: str, seconds: int | None = None, per_instance: int | None = None) -> ModelEndpointSpec:
    traffic = {"pattern": pattern, **({"maxProcessingSeconds": seconds} if seconds else {})}
    settings = {"outputPath": "s3://out/results/", "scaleToZero": True,
                **({"maxConcurrentInvocationsPerInstance": per_instance} if per_instance else {})}
    return spec_of(mode="Async", models=models(1, calls), traffic=traffic, **{"async": settings},
                   instances={"type": "ml.g4dn.xlarge", "min": 0, "max": 2})


def serverless_spec(calls: int | None, **extra) -> ModelEndpointSpec:
    return spec_of(mode="Serverless", models=models(1, calls), **extra)


# (spec, mode, hourly, monthly, average instances, peak instances)
CASES = [
    # 2 x $0.10 = $0.20/h; x 730 = $146.00
    pytest.param(realtime_spec(instances={"min": 2, "max": 6}), Mode.REAL_TIME, 0.20, 146.00, 2, 6, id="realtime-floor"),
    # autoscaling off: the ceiling is the floor
    pytest.param(realtime_spec(instances={"min": 2, "max": 6}, autoscaling={"enabled": False}), Mode.REAL_TIME, 0.20, 146.00, 2, 2, id="realtime-no-autoscaling"),
    # 2 x g4dn $1.00 = $2.00/h; five models share them
    pytest.param(mme_spec(names=("a", "b", "c", "d", "e"), instances={"type": "ml.g4dn.xlarge", "min": 2, "max": 4}, multiModel={"server": "Triton"}),
                 Mode.MULTI_MODEL, 2.00, 1460.00, 2, 4, id="multimodel-shares"),
    # weekdays 08-20 at 3, the other 108 of 168 h at 1: (60*3 + 108*1)/168 = 1.714286 x $0.10
    pytest.param(realtime_spec(instances={"min": 1, "max": 4}, autoscaling={"schedules": [
        {"name": "day", "cron": "0 8 * * 1-5", "min": 3}, {"name": "night", "cron": "0 20 * * MON-FRI", "min": 1}]}),
        Mode.REAL_TIME, 288 / 168 * 0.10, round(288 / 168 * 0.10 * 730, 2), 288 / 168, 4, id="scheduled-floors"),
    # a schedule raising max raises the ceiling: 3 at night, 1 by day (12 h each): average 2
    pytest.param(realtime_spec(instances={"min": 1, "max": 2}, autoscaling={"schedules": [
        {"name": "batch", "cron": "0 0 * * *", "min": 3, "max": 5}, {"name": "day", "cron": "0 12 * * *", "min": 1, "max": 2}]}),
        Mode.REAL_TIME, 0.20, 146.00, 2, 5, id="scheduled-max"),
    # 1000 calls x 36 s / 4 at once = 2.5 h busy + 0.25 h tail = 2.75 instance-h a day x $1.00
    pytest.param(async_spec(1000, "Scheduled", 36, 4), Mode.ASYNC, 2.75 / 24, round(2.75 / 24 * 730, 2), 2.75 / 24, 2, id="async-zero-scheduled"),
    # 480 calls x 60 s (assumed) / 1 = 8 h busy in 24 bursts of 1/3 h, each + 0.25 h tail: 24 x 7/12 = 14 h
    pytest.param(async_spec(480, "Unpredictable"), Mode.ASYNC, 14 / 24, round(14 / 24 * 730, 2), 14 / 24, 2, id="async-zero-spread"),
    # 3000 x 120 s / 4 = 25 h busy: each hourly burst keeps >1 instance busy, no tail
    pytest.param(async_spec(3000, "Unpredictable", 120, 4), Mode.ASYNC, 25 / 24, round(25 / 24 * 730, 2), 25 / 24, 2, id="async-zero-busy"),
    # no calls: nothing runs
    pytest.param(async_spec(0, "Sporadic"), Mode.ASYNC, 0.0, 0.0, 0, 2, id="async-zero-idle"),
    # 100000 x (0.2 s x 2 GB x $0.00002 + $0.0000002) = $0.82 a day
    pytest.param(serverless_spec(100000, traffic={"p99LatencyTargetMs": 200}), Mode.SERVERLESS, 0.82 / 24, round(0.82 / 24 * 730, 2), 0, 0, id="serverless"),
    # + 2 warm x 2 GB x 86400 s x $0.000005 = $1.728 a day
    pytest.param(serverless_spec(100000, traffic={"p99LatencyTargetMs": 200}, serverless={"provisionedConcurrency": 2}),
                 Mode.SERVERLESS, (0.82 + 1.728) / 24, round((0.82 + 1.728) / 24 * 730, 2), 0, 0, id="serverless-provisioned"),
    # no hint on duration: 1 s; 4 GB: 8640 x (1 x 4 x 0.00002 + 0.0000002) = $0.692928 a day
    pytest.param(serverless_spec(8640, serverless={"memorySizeMB": 4096}), Mode.SERVERLESS, 0.692928 / 24, round(0.692928 / 24 * 730, 2), 0, 0, id="serverless-assumed-second"),
]


@pytest.mark.parametrize("spec, mode, hourly, monthly, average, peak", CASES)
def test_estimate_matches_hand_calculation(spec, mode, hourly, monthly, average, peak):
    cost = estimate(spec, mode, PRICES)
    assert cost.hourly_usd == pytest.approx(hourly)
    assert round(cost.monthly_usd, 2) == pytest.approx(monthly)
    assert cost.daily_usd == pytest.approx(hourly * 24)
    assert cost.instances == pytest.approx(average)
    assert cost.peak_instances == peak
    assert cost.assumptions and all(isinstance(a, str) and a for a in cost.assumptions)


def test_assumptions_name_what_the_figure_rests_on():
    said = " ".join(estimate(serverless_spec(None), Mode.SERVERLESS, PRICES).assumptions)
    assert "assumed 1 s" in said and "counted as no calls" in said
    said = " ".join(estimate(async_spec(1000, "Scheduled", 36, 4), Mode.ASYNC, PRICES).assumptions)
    assert "2.50 busy instance-hours" in said and "15 min" in said
    said = " ".join(estimate(mme_spec(), Mode.MULTI_MODEL, PRICES).assumptions)
    assert "share the endpoint's instances" in said and "ml.m5.large at $0.1 per instance-hour" in said
    said = " ".join(estimate(serverless_spec(1), Mode.SERVERLESS, PRICES).assumptions)
    assert "$0.00002 per GB-second and $0.0000002 per request" in said


def test_user_price_file_prices_the_naive_baseline_of_the_case(tmp_path):
    """11 always-on single-model endpoints at $1.20/h: 11 x 1.20 x 24 = $316.80 a day."""
    prices_file = tmp_path / "prices.yaml"
    prices_file.write_text("regions:\n  us-east-1:\n    instances:\n      ml.g4dn.xlarge: 1.20\n")
    prices = load_prices(prices_file)
    spec = mme_spec(names=tuple(f"model-{i}" for i in range(11)), instances={"type": "ml.g4dn.xlarge", "min": 2, "max": 4},
                    multiModel={"server": "Triton"})
    naive = one_per_model(spec, prices, "ml.g4dn.xlarge")
    assert round(naive.daily_usd, 2) == 316.80
    assert round(naive.monthly_usd, 2) == 11 * 1.20 * 730 == 9636.0
    # the consolidated layout of the case: 2 shared instances, $57.60 a day
    assert round(estimate(spec, Mode.MULTI_MODEL, prices).daily_usd, 2) == 57.60
    # the rest of the shipped table stays
    assert prices.instance_hourly("us-east-1", "ml.m5.large") == load_prices().instance_hourly("us-east-1", "ml.m5.large")
    assert str(prices_file) in prices.source


@pytest.mark.parametrize("spec, field, reason", [
    (realtime_spec(instances={"type": "ml.p5.48xlarge"}), "spec.instances.type", "UnknownInstanceType"),
    (realtime_spec(region="xx-nowhere-1"), "spec.region", "UnknownRegion"),
    (serverless_spec(10, region="xx-nowhere-1"), "spec.region", "UnknownRegion"),
], ids=["type", "region", "serverless-region"])
def test_unknown_prices_name_the_field(spec, field, reason):
    mode = spec.mode
    with pytest.raises(PlanError) as caught:
        estimate(spec, mode, PRICES)
    assert (caught.value.field, caught.value.reason) == (field, reason)
    assert caught.value.message.startswith(field)


def test_baseline_of_an_unknown_type_names_the_field_it_came_from():
    with pytest.raises(PlanError) as caught:
        one_per_model(realtime_spec(), PRICES, "ml.nope.large", field="metadata.annotations")
    assert caught.value.field == "metadata.annotations"


def test_shipped_table_covers_common_types_in_several_regions():
    table = load_prices()
    assert "retrieved" in table.source and table.hours_per_month == 730
    assert {"us-east-1", "us-west-2", "eu-west-1"} <= set(table.regions)
    for family in ("t2", "m5", "m6i", "c5", "c6i", "r5", "g4dn", "g5", "p3", "inf1", "inf2"):
        assert any(t.startswith(f"ml.{family}.") for t in table.instance_types("us-east-1")), family
    assert table.serverless("us-east-1").per_request > 0
    # a GPU costs more than a CPU instance; a bigger size more than a smaller
    assert table.instance_hourly("us-east-1", "ml.g4dn.xlarge") > table.instance_hourly("us-east-1", "ml.m5.xlarge")
    assert table.instance_hourly("us-east-1", "ml.m5.2xlarge") > table.instance_hourly("us-east-1", "ml.m5.large")


@pytest.mark.parametrize("text, where", [
    ("regions: [unclosed", "not valid YAML"),
    ("- a list\n", "expected a mapping"),
    ("regions:\n  us-east-1:\n    instances:\n      ml.m5.large: -1\n", "regions.us-east-1.instances.ml.m5.large"),
    ("regions:\n  us-east-1:\n    instancez: {}\n", "regions.us-east-1.instancez"),
], ids=["yaml", "shape", "negative", "typo"])
def test_bad_price_files_are_refused_naming_file_and_entry(tmp_path, text, where):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(PriceFileError) as caught:
        load_prices(path)
    assert str(path) in str(caught.value) and where in str(caught.value)


# ---- status.cost --------------------------------------------------------------------------

def test_running_cost_counts_observed_instances():
    bp = bp_of(realtime_spec(instances={"min": 2, "max": 6}))
    spec = realtime_spec(instances={"min": 2, "max": 6})
    ep = endpoint(bp, variants=(ObservedVariant(name="primary", weight=1.0, current_instances=3, desired_instances=4),))
    cost = running_cost(spec, bp, ep, PRICES)
    assert (cost.hourly_usd, cost.monthly_usd, cost.instances) == (0.30, 219.00, 3)


def test_running_cost_before_the_endpoint_exists_counts_the_desired_start():
    spec = realtime_spec(instances={"min": 2, "max": 6})
    cost = running_cost(spec, bp_of(spec), None, PRICES)
    assert (cost.hourly_usd, cost.monthly_usd, cost.instances) == (0.20, 146.00, 2)


def test_running_cost_adds_variants_the_blueprint_does_not_name():
    """A canary or an old fleet still running is billed too, at the spec's type."""
    spec = realtime_spec()
    bp = bp_of(spec)
    ep = endpoint(bp, variants=(ObservedVariant(name="primary", current_instances=1),
                                ObservedVariant(name="canary", current_instances=2)))
    cost = running_cost(spec, bp, ep, PRICES)
    assert (cost.hourly_usd, cost.instances) == (0.30, 3)


def test_running_cost_without_a_price_is_left_out():
    spec = realtime_spec(instances={"type": "ml.trn2.48xlarge"})
    assert running_cost(spec, bp_of(spec), None, PRICES) is None


# ---- cron ---------------------------------------------------------------------------------

@pytest.mark.parametrize("cron, count, first, ignored", [
    ("0 8 * * 1-5", 5, 1 * 1440 + 8 * 60, False),
    ("*/30 * * * *", 7 * 48, 0, False),
    ("15 6 * * SUN,7", 1, 6 * 60 + 15, False),
    ("0 0 1 * *", 7, 0, True),
    ("0 22 ? * FRI", 1, 5 * 1440 + 22 * 60, False),
])
def test_weekly_firings(cron, count, first, ignored):
    firings = weekly_firings(cron)
    assert (len(firings.minutes), firings.minutes[0], firings.ignored_day_fields) == (count, first, ignored)


@pytest.mark.parametrize("cron", ["0 8 * *", "0 25 * * *", "x 8 * * *", "0 8 * * 5-1"])
def test_cron_the_model_cannot_read(cron):
    with pytest.raises(CronNotUnderstood):
        weekly_firings(cron)


def test_unreadable_schedule_is_left_out_and_said():
    spec = realtime_spec(instances={"min": 1, "max": 4}, autoscaling={"schedules": [{"name": "odd", "cron": "0 8 * * 5#2", "min": 3}]})
    cost = estimate(spec, Mode.REAL_TIME, PRICES)
    assert cost.instances == 1 and any("odd" in a and "left out" in a for a in cost.assumptions)
