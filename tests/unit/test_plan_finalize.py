"""finalize(): Delete removes everything in a safe order; Retain keeps everything."""

from __future__ import annotations

import pytest
from test_plan_kit import OWNER, bp_of, built, conditions_by_type, endpoint, mme_spec, realtime_spec, short

from endpoint_operator.api import constants
from endpoint_operator.api.spec import DeletionPolicy
from endpoint_operator.plan import naming
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.reconcile import finalize

BP = bp_of(realtime_spec())
OLD = bp_of(realtime_spec(data="s3://models/recsys/v6/model.tar.gz"))
MME = bp_of(mme_spec())
DELETE, RETAIN = DeletionPolicy.DELETE, DeletionPolicy.RETAIN
M, C, M0, C0 = BP.models[0].name, BP.config.name, OLD.models[0].name, OLD.config.name
MMEM, MMEC = MME.models[0].name, MME.config.name


CASES = [
    pytest.param(BP, built(BP, OLD, ep=endpoint(BP)), DELETE, ["DeleteEndpoint:ml-recs"], False, True, id="delete-endpoint-first"),
    pytest.param(BP, built(BP, ep=endpoint(BP, "Deleting")), DELETE, [], False, True, id="wait-while-deleting"),
    pytest.param(BP, built(BP, ep=endpoint(BP, "Updating")), DELETE, [], False, True, id="wait-while-updating"),
    pytest.param(BP, built(BP, ep=endpoint(BP, "Failed")), DELETE, ["DeleteEndpoint:ml-recs"], False, True, id="failed-endpoint-deleted"),
    pytest.param(BP, built(BP, OLD), DELETE,
                 sorted([f"DeleteEndpointConfig:{C}", f"DeleteEndpointConfig:{C0}"]) + sorted([f"DeleteModel:{M}", f"DeleteModel:{M0}"]),
                 False, True, id="then-configs-then-models"),
    pytest.param(MME, built(MME), DELETE,
                 [f"DeleteEndpointConfig:{MMEC}", f"DeleteModel:{MMEM}", "DeleteArtifact:alpha.tar.gz", "DeleteArtifact:beta.tar.gz"],
                 False, True, id="mme-artifacts-too"),
    pytest.param(BP, Observed(endpoint=None), DELETE, [], True, False, id="done-when-nothing-left"),
    pytest.param(BP, built(BP, ep=endpoint(BP)), RETAIN, [], True, False, id="retain-keeps-everything"),
    pytest.param(MME, built(MME, ep=endpoint(MME)), RETAIN, [], True, False, id="retain-keeps-artifacts"),
]


@pytest.mark.parametrize("bp, observed, policy, actions, done, in_flight", CASES)
def test_finalize(bp, observed, policy, actions, done, in_flight):
    decision = finalize(bp.endpoint_name, observed, policy, bp.artifact_prefix, 5)
    assert [short(x) for x in decision.actions] == actions
    assert (decision.done, decision.in_flight) == (done, in_flight)
    assert all(c.observed_generation == 5 for c in decision.conditions)
    assert conditions_by_type(decision)["Progressing"][0] == ("False" if done else "True")


def test_retain_says_what_is_kept():
    decision = finalize(MME.endpoint_name, built(MME, ep=endpoint(MME)), RETAIN, MME.artifact_prefix, 1)
    ready = next(c for c in decision.conditions if c.type == "Ready")
    assert ready.reason == "Retained"
    assert "ml-recs" in ready.message and "s3://models/endpoint-operator/ml/recs/" in ready.message


def test_names_of_other_endpoints_are_never_deleted():
    stranger_model = naming.model_name("ml-recs-b", "0123456789")
    observed = Observed(endpoint=None, models=frozenset({M, stranger_model}))
    decision = finalize(BP.endpoint_name, observed, DELETE, None, 1)
    assert [short(x) for x in decision.actions] == [f"DeleteModel:{M}"]


def test_endpoint_of_another_owner_is_left_alone():
    tags = {constants.TAG_UID: "uid-2", constants.TAG_NAMESPACE: "other", constants.TAG_NAME: "recs"}
    observed = built(BP, ep=endpoint(BP, tags=tags))
    decision = finalize(BP.endpoint_name, observed, DELETE, None, 1, owner=OWNER)
    assert decision.actions == () and decision.done
    assert conditions_by_type(decision)["Ready"] == ("False", "EndpointNotOwned")
    # Its own tags: deleted as usual.
    mine = built(BP, ep=endpoint(BP, tags={constants.TAG_UID: OWNER.uid}))
    assert [short(x) for x in finalize(BP.endpoint_name, mine, DELETE, None, 1, owner=OWNER).actions] == ["DeleteEndpoint:ml-recs"]
