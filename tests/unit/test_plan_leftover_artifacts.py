"""Artifacts under a multi-model prefix the object no longer uses: kept while an
endpoint may load from them, deleted once none can, and recorded in status until then."""

from __future__ import annotations

import pytest
from test_plan_kit import bp_of, built, endpoint, mme_spec, realtime_spec

from endpoint_operator.plan.actions import DeleteArtifact
from endpoint_operator.plan.leftover_artifacts import collect_leftover_artifacts, recorded_leftover_prefix
from endpoint_operator.plan.reconcile import reconcile
from endpoint_operator.plan.s3url import s3_url

MME = bp_of(mme_spec())
REALTIME = bp_of(realtime_spec())
PREFIX = MME.artifact_prefix
KEYS = {"alpha.tar.gz": "s3://models/alpha/model.tar.gz", "beta.tar.gz": "s3://models/beta/model.tar.gz"}


def decision_on(bp, status: str = "InService", config: str | None = None):
    ep = endpoint(bp, status=status, config=config)
    return reconcile(bp, built(bp, ep=ep), 2, None)


def deleted(decision) -> list[str]:
    return [a.obj.key for a in decision.actions if isinstance(a, DeleteArtifact)]


def test_the_blueprints_own_prefix_is_recorded_and_nothing_is_left_over():
    assert recorded_leftover_prefix(MME, PREFIX) is None
    decision = collect_leftover_artifacts(decision_on(MME), MME, None, {}, migrating=False)
    assert decision.status.artifact_prefix == s3_url(PREFIX)


def test_once_realtime_serves_the_desired_config_the_old_prefix_is_emptied():
    leftover = recorded_leftover_prefix(REALTIME, PREFIX)
    assert leftover == PREFIX
    decision = collect_leftover_artifacts(decision_on(REALTIME), REALTIME, leftover, KEYS, migrating=False)
    assert deleted(decision) == [PREFIX.key + "alpha.tar.gz", PREFIX.key + "beta.tar.gz"]
    assert decision.status.artifact_prefix == s3_url(PREFIX)  # until the next pass sees it empty


def test_an_emptied_prefix_is_no_longer_recorded():
    decision = collect_leftover_artifacts(decision_on(REALTIME), REALTIME, PREFIX, {}, migrating=False)
    assert deleted(decision) == [] and decision.status.artifact_prefix is None


@pytest.mark.parametrize("status, config, migrating", [
    ("Updating", "old-config", False),  # the multi-model fleet still serves
    ("InService", "old-config", False),  # an update rolled back: the old config serves
    ("InService", None, True),  # an old endpoint of the other kind is being retired
], ids=["updating", "rolled-back", "migrating"])
def test_artifacts_stay_while_an_endpoint_may_load_them(status, config, migrating):
    decision = collect_leftover_artifacts(decision_on(REALTIME, status, config), REALTIME, PREFIX, KEYS,
                                          migrating=migrating)
    assert deleted(decision) == []
    assert decision.status.artifact_prefix == s3_url(PREFIX)
