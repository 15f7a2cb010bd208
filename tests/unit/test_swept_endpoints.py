"""What the ListEndpoints sweep saw of the endpoints this process changed: only a listing
that began after the change speaks of it (for a create, also one under way that lists
it), and a later change voids what was seen."""

from __future__ import annotations

from endpoint_operator.api.resources import EndpointSummary
from endpoint_operator.aws.swept import FORGET_SECONDS, SweptEndpoints


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def row(name: str, status: str) -> EndpointSummary:
    return EndpointSummary(name=name, status=status, arn=f"arn:aws:sagemaker:us-east-1:1:endpoint/{name}")


def test_a_created_endpoint_is_known_from_the_next_listing_that_shows_it():
    clock = Clock()
    swept = SweptEndpoints(clock)
    began = clock()
    clock.now += 1
    swept.changed("recs", "CreateEndpoint")
    assert swept.created("recs") is None  # no listing yet
    swept.listed(began, [])  # under way at the create, and silent about it: says nothing
    assert swept.created("recs") is None
    swept.listed(began, [row("recs", "Creating")])  # under way, and lists it: it is ours
    assert swept.created("recs").status == "Creating"
    clock.now += 1
    swept.listed(clock(), [row("recs", "InService")])
    assert swept.created("recs").status == "InService"
    assert not swept.deleted("recs")


def test_a_deleted_endpoint_is_gone_only_when_a_listing_begun_after_the_delete_omits_it():
    clock = Clock()
    swept = SweptEndpoints(clock)
    before = clock()
    clock.now += 1
    swept.changed("recs", "DeleteEndpoint")
    swept.listed(before, [])  # began before the delete: its silence is no proof
    assert not swept.deleted("recs")
    clock.now += 1
    swept.listed(clock(), [row("recs", "Deleting")])
    assert not swept.deleted("recs")
    clock.now += 1
    swept.listed(clock(), [])
    assert swept.deleted("recs")
    assert swept.created("recs") is None


def test_a_later_change_voids_what_was_seen_and_old_changes_are_forgotten():
    clock = Clock()
    swept = SweptEndpoints(clock)
    swept.changed("recs", "CreateEndpoint")
    clock.now += 1
    swept.listed(clock(), [row("recs", "InService")])
    swept.changed("recs", "UpdateEndpoint")
    assert swept.created("recs") is None
    swept.changed("gone", "DeleteEndpoint")
    clock.now += FORGET_SECONDS + 1
    swept.listed(clock(), [])
    assert not swept.deleted("gone")  # forgotten: the sync describes it
    assert swept._changed == {} and swept._seen == {}
