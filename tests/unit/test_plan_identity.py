"""not_owned(): the ownership check before an endpoint of the object's name is touched:
its tags must name the object; another owner's, or one without the operator's tags, is
refused naming spec.endpointName."""

from __future__ import annotations

from test_plan_kit import OWNER, bp_of, endpoint, realtime_spec

from endpoint_operator.plan.identity import Owner, not_owned, owner_tags

BP = bp_of(realtime_spec())


def test_an_endpoint_is_taken_only_when_its_tags_name_the_object():
    assert not_owned(None, OWNER) is None
    assert not_owned(endpoint(BP, tags=owner_tags(OWNER)), OWNER) is None
    other = Owner(namespace="ml", name="other", uid="uid-2")
    refused = not_owned(endpoint(BP, tags=owner_tags(other)), OWNER)
    assert refused.reason == "EndpointNotOwned" and "ModelEndpoint ml/other (uid uid-2)" in refused.message
    assert "something other than this operator" in not_owned(endpoint(BP), OWNER).message
