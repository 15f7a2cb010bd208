"""The orphan audit's verdicts, table-style."""

import pytest

from endpoint_operator.api import constants
from endpoint_operator.plan.audit import TaggedResource, audit


def tagged(kind="model", name="r", uid="u1", ns="ml", owner="recs", retained=False, extra=None):
    tags = {constants.TAG_NAMESPACE: ns, constants.TAG_NAME: owner, constants.TAG_UID: uid}
    if retained:
        tags[constants.TAG_RETAINED] = "2026-11-28T10-00-00Z"
    tags.update(extra or {})
    return TaggedResource(kind, name, f"arn:aws:sagemaker:us-east-1:111122223333:{kind}/{name}", "us-east-1", tags)


LIVE = {("ml", "recs"): "u1"}


@pytest.mark.parametrize("resource, verdict", [
    (tagged(), "owned"),
    (tagged(uid="u0"), "orphan"),                 # deleted and created again
    (tagged(owner="gone"), "orphan"),             # object deleted, resource left
    (tagged(ns="other"), "orphan"),
    (tagged(owner="gone", retained=True), "retained"),
], ids=["owned", "recreated-with-new-uid", "owner-gone", "other-namespace", "retained-on-purpose"])
def test_verdicts(resource, verdict):
    [finding] = audit([resource], LIVE)
    assert finding.verdict == verdict
    assert "ml/" in finding.why or "other/" in finding.why


def test_resources_without_the_operators_tags_are_not_judged():
    foreign = TaggedResource("endpoint", "theirs", "arn:x", "us-east-1", {"team": "search"})
    assert audit([foreign], LIVE) == []


def test_findings_come_in_deletion_order():
    found = audit([tagged("model", "m", owner="gone"), tagged("endpoint", "e", owner="gone"),
                   tagged("endpoint-config", "c", owner="gone")], LIVE)
    assert [f.resource.kind for f in found] == ["endpoint", "endpoint-config", "model"]
