"""plan/adoption and plan/drain: what is adopted, refused, collected and retired."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from test_plan_kit import OWNER, bp_of, endpoint, realtime_spec

from endpoint_operator.api import constants
from endpoint_operator.api.adoption import AdoptSpec, ReplacesSpec
from endpoint_operator.api.brownfield_status import AdoptionStatus, DrainingEndpoint, ReplacementStatus
from endpoint_operator.api.status import ModelEndpointStatus
from endpoint_operator.plan.adoption import judge_adoption, previous_to_collect
from endpoint_operator.plan.drain import ReplacedEndpoint, plan_drain
from endpoint_operator.plan.identity import Owner, owner_tags

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
BP = bp_of(realtime_spec(endpointName="legacy"))
OTHER = owner_tags(Owner(namespace="team-b", name="recs", uid="uid-9"))


def legacy(status="InService", tags=None, config="legacy-config"):
    return endpoint(BP, status=status, config=config).model_copy(update={"tags": tags or {}})


@pytest.mark.parametrize("ep, outcome", [
    (legacy(), "tag"),
    (legacy(tags={"team": "ml"}), "tag"),
    (legacy(tags={**OTHER, constants.TAG_RETAINED: "2026-11-30T10-00-00Z"}), "tag"),  # released by Retain
    (legacy(tags=owner_tags(OWNER)), "ours"),
    (legacy(tags=OTHER), "AdoptionRefused"),
    (legacy(status="Updating"), "wait"),
    (legacy(status="Failed"), "EndpointNotAdoptable"),
    (None, "EndpointToAdoptNotFound"),
])
def test_what_is_adopted_and_what_is_refused(ep, outcome):
    judged = judge_adoption(AdoptSpec(), BP, ep, None, ("legacy-model",), NOW, "us-east-1")
    got = ("tag" if judged.tag else "wait" if judged.wait else judged.refusal.reason if judged.refusal else "ours")
    assert got == outcome
    if outcome == "tag":
        assert judged.record.previous_config == "legacy-config" and judged.record.previous_models == ["legacy-model"]
    if outcome == "AdoptionRefused":
        assert "team-b/recs" in judged.refusal.message and judged.refusal.field == "spec.adopt"


def test_an_adoption_recorded_in_status_is_not_judged_again():
    record = AdoptionStatus(endpoint=BP.endpoint_name, previous_config="legacy-config")
    judged = judge_adoption(AdoptSpec(), BP, legacy(tags=OTHER), ModelEndpointStatus(adoption=record), (), NOW, "us-east-1")
    assert judged.record == record and not judged.tag and judged.refusal is None


@pytest.mark.parametrize("collect, collected, config, expected", [
    (True, False, "desired", ("legacy-config", ("legacy-model",))),
    (True, False, "legacy-config", None),  # still serving on it
    (True, True, "desired", None),  # done already
    (False, None, "desired", None),  # not asked
])
def test_what_the_adopted_endpoint_ran_on_goes_only_when_asked_and_unused(collect, collected, config, expected):
    record = AdoptionStatus(endpoint=BP.endpoint_name, previous_config="legacy-config",
                            previous_models=["legacy-model"], collected=collected)
    ep = legacy(config=BP.config.name if config == "desired" else config)
    assert previous_to_collect(AdoptSpec(collect_previous=collect), record, BP, ep) == expected


REPLACES = ReplacesSpec(endpoints=["old-a", "old-b"], idle_for="1h")


def seen(a_last=None, b_last=None, b_tags=None, b_gone=False, read=True):
    return {
        "old-a": ReplacedEndpoint("old-a", legacy(), a_last, read),
        "old-b": ReplacedEndpoint("old-b", None if b_gone else legacy(tags=b_tags), b_last, read),
    }


def test_nothing_retires_before_the_new_endpoint_serves():
    plan = plan_drain(REPLACES, OWNER, False, seen(read=False), None, NOW)
    assert plan.retire == () and plan.status.remaining == 2 and plan.status.draining_since is None


def test_an_endpoint_invoked_within_the_window_drains_and_an_idle_one_retires():
    plan = plan_drain(REPLACES, OWNER, True, seen(a_last=NOW - timedelta(minutes=5)), None, NOW)
    assert plan.retire == ("old-b",)
    assert plan.status.draining[0] == DrainingEndpoint(name="old-a", last_invocation=NOW - timedelta(minutes=5))
    assert plan.status.draining_since == NOW


def test_a_retired_endpoint_is_counted_once_it_is_gone_and_its_last_invocation_is_kept():
    before = ModelEndpointStatus(replacement=ReplacementStatus(
        draining=[DrainingEndpoint(name="old-a", last_invocation=NOW - timedelta(hours=2))], draining_since=NOW))
    plan = plan_drain(REPLACES, OWNER, True, seen(a_last=None, b_gone=True), before, NOW + timedelta(hours=1))
    assert plan.status.retired == ["old-b"] and plan.retire == ("old-a",)
    assert plan.status.draining[0].last_invocation == NOW - timedelta(hours=2)


def test_an_endpoint_another_object_owns_is_never_retired():
    plan = plan_drain(REPLACES, OWNER, True, seen(b_tags=OTHER), None, NOW)
    assert plan.retire == () and plan.refusal.reason == "ReplacedEndpointNotOwned"
    assert "team-b/recs" in plan.refusal.message
