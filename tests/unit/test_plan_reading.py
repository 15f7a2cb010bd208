"""what_to_read(): what a sync reads of AWS, decided before it reads anything; decide():
what it does given what was read. A light object reads only its endpoint; one mid-rollout
reads in full, with its scaling and the canary's gates; a migrating one reads the
endpoint it retires too."""

from __future__ import annotations

from datetime import datetime, timezone

from test_plan_kit import OWNER, bp_of, built, conditions_by_type, endpoint, mme_spec, realtime_spec, short, status_of

from endpoint_operator.api.pricing import load_prices
from endpoint_operator.api.resources import ObservedVariant, S3Object
from endpoint_operator.api.status import RolloutStatus
from endpoint_operator.plan.deciding import Readings, decide
from endpoint_operator.plan.identity import owner_tags
from endpoint_operator.plan.migration import place
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.reading import gates_to_read, made_after_reading, what_to_read
from endpoint_operator.plan.rollout import canary_config
from endpoint_operator.plan.reconcile import reconcile

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
FIXED = {"type": "ml.m5.large", "min": 1, "max": 1}  # no autoscaling: nothing but the endpoint to read
SPEC = realtime_spec(instances=FIXED)
BP = bp_of(SPEC)
ROLL = {"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}], "analysis": {"alarms": ["canary-5xx"]}}
ROLLING = realtime_spec(data="s3://models/recsys/v8/model.tar.gz", rollout=ROLL)
SERVERLESS = realtime_spec(mode="Serverless", instances=None)


def test_a_new_plain_object_reads_only_its_endpoint():
    reading = what_to_read(SPEC, place(BP, None), None, None, first=True)
    assert reading.light and reading.made == frozenset() and reading.tracks_made
    assert reading.with_tags and reading.first
    assert not reading.gates and reading.retiring is None and reading.leftover is None


def test_a_plain_object_of_a_process_that_made_nothing_of_it_reads_in_full():
    previous = status_of(BP, arn=endpoint(BP).arn)
    reading = what_to_read(SPEC, place(BP, previous), previous, None)
    assert not reading.light and reading.tracks_made
    assert not reading.with_tags  # status recorded the endpoint: no tags to prove whose it is
    assert reading.scaling_variants == {"primary"}
    scaled = realtime_spec()
    assert not what_to_read(scaled, place(bp_of(scaled), None), None, None, first=True).light


def test_an_object_mid_rollout_reads_in_full_with_scaling_and_gates():
    bp = bp_of(ROLLING)
    previous = status_of(bp).model_copy(update={"rollout": RolloutStatus(phase="Progressing", step=0, weight=15)})
    reading = what_to_read(ROLLING, place(bp, previous), previous, None, made=frozenset({bp.endpoint_name}))
    assert not reading.light and not reading.tracks_made
    assert reading.gates and reading.retiring is None


def test_a_rollout_command_alone_is_never_read_light():
    reading = what_to_read(SPEC, place(BP, None), None, "promote", first=True)
    assert not reading.light and reading.command == "promote" and not reading.gates


def test_a_migrating_object_reads_the_endpoint_it_retires():
    bp = bp_of(SERVERLESS)
    previous = status_of(BP).model_copy(update={"mode": "RealTime"})
    placement = place(bp, previous)
    reading = what_to_read(SERVERLESS, placement, previous, None, first=True)
    assert reading.retiring == BP.endpoint_name and placement.blueprint.endpoint_name != BP.endpoint_name
    assert not reading.light and not reading.first  # the old endpoint exists: its name's resources may too


def test_a_multimodel_prefix_left_behind_is_listed():
    mme = bp_of(mme_spec())
    previous = status_of(BP).model_copy(update={"artifact_prefix": f"s3://{mme.artifact_prefix.bucket}/{mme.artifact_prefix.key}"})
    reading = what_to_read(SPEC, place(BP, previous), previous, None)
    assert reading.leftover == S3Object(bucket=mme.artifact_prefix.bucket, key=mme.artifact_prefix.key)


def mid_step(spec):
    """A canary judged at its first step: the endpoint serves the canary config."""
    bp = bp_of(spec)
    canary = canary_config(bp, BP.config.variants[0], 1, 15)
    previous = status_of(bp).model_copy(update={"rollout": RolloutStatus(
        phase="Progressing", step=0, weight=15, step_started_at=NOW, to_revision=bp.config.name,
        canary_config=canary.name)})
    ep = endpoint(bp, config=canary.name, variants=(ObservedVariant(name="primary", weight=85.0),
                                                    ObservedVariant(name="canary", weight=15.0)))
    return bp, previous, built(bp, ep=ep)


def test_the_gates_are_read_once_the_endpoint_serves_the_canary():
    bp, previous, observed = mid_step(ROLLING)
    reading = what_to_read(ROLLING, place(bp, previous), previous, None)
    query = gates_to_read(reading, ROLLING, bp, observed, previous, NOW)
    assert query is not None and query.alarms == ("canary-5xx",)
    assert gates_to_read(reading, ROLLING, bp, built(bp, ep=endpoint(bp)), previous, NOW) is None  # not on the canary


def test_a_suspended_object_reads_no_gates():
    spec = realtime_spec(data="s3://models/recsys/v8/model.tar.gz", rollout=ROLL, costControls={"suspended": True})
    bp, previous, observed = mid_step(spec)
    reading = what_to_read(spec, place(bp, previous), previous, None)
    assert reading.gates and gates_to_read(reading, spec, bp, observed, previous, NOW) is None


def test_what_was_made_after_a_read():
    light = what_to_read(SPEC, place(BP, None), None, None, made=frozenset({BP.config.name}))
    assert made_after_reading(light, Observed(endpoint=None), light=True) == {BP.config.name}
    full = what_to_read(SPEC, place(BP, None), None, None)
    assert made_after_reading(full, Observed(endpoint=None), light=False) == frozenset()
    assert made_after_reading(full, built(BP, ep=endpoint(BP)), light=False) is None
    rolling = what_to_read(ROLLING, place(bp_of(ROLLING), None), None, None)
    assert made_after_reading(rolling, Observed(endpoint=None), light=False) is None


def test_decide_is_reconcile_with_cost_for_a_plain_object():
    placement = place(BP, None)
    reading = what_to_read(SPEC, placement, None, None, first=True)
    decision = decide(SPEC, BP, placement, reading, Readings(observed=Observed(endpoint=None)), None, 3, NOW,
                      load_prices(), 1200.0)
    plain = reconcile(BP, Observed(endpoint=None), 3, None, now=NOW)
    assert decision.actions == plain.actions and decision.conditions == plain.conditions
    assert decision.status.cost is not None and decision.status.cost.hourly_usd > 0


def test_decide_retires_the_old_endpoint_once_the_new_one_serves():
    bp = bp_of(SERVERLESS)
    previous = status_of(BP).model_copy(update={"mode": "RealTime"})
    placement = place(bp, previous)
    new = placement.blueprint
    reading = what_to_read(SERVERLESS, placement, previous, None)
    tags = owner_tags(OWNER)
    old = built(BP, ep=endpoint(BP, tags=tags))
    readings = Readings(observed=built(new, ep=endpoint(new, tags=tags)), retiring=old)
    decision = decide(SERVERLESS, new, placement, reading, readings, previous, 3, NOW, load_prices(), 1200.0)
    assert f"DeleteEndpoint:{BP.endpoint_name}" in [short(x) for x in decision.actions]
    assert conditions_by_type(decision)["Progressing"] == ("True", "RetiringOldEndpoint")
    assert decision.in_flight

