"""Every mode the planner can resolve to has one profile, registered once."""

from endpoint_operator.api.spec import Mode
from endpoint_operator.plan.builders import PROFILES, EndpointKind, profile_of
from endpoint_operator.plan.migration import kind_of


def test_every_resolved_mode_has_its_profile():
    assert set(PROFILES) == set(Mode) - {Mode.AUTO}
    assert all(profile_of(mode.value).mode is mode for mode in PROFILES)


def test_the_kinds_say_which_modes_one_endpoint_can_move_between_in_place():
    assert kind_of("RealTime") == kind_of("MultiModel") == EndpointKind.INSTANCES.value
    assert len({kind_of(m) for m in ("RealTime", "Serverless", "Async")}) == 3
    assert kind_of("NoSuchMode") is None and kind_of(None) is None


def test_a_default_metric_is_one_the_modes_endpoint_publishes():
    for profile in PROFILES.values():
        assert profile.default_metric in profile.metrics
