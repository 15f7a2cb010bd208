"""SageMaker names: short, valid, deterministic, and distinct where they must be."""

from __future__ import annotations

import pytest

from endpoint_operator.api.resources import S3Object
from endpoint_operator.plan import naming
from endpoint_operator.plan.identity import Owner

VALID = naming.NAME_PATTERN


@pytest.mark.parametrize("owner, override, expected", [
    (Owner("ml", "recs", "u"), None, "ml-recs"),
    (Owner("ml", "fraud-scoring", "u"), None, "ml-fraud-scoring"),
    (Owner("ml", "recs", "u"), "recs-prod", "recs-prod"),
], ids=["plain", "hyphen-in-the-name", "override"])
def test_endpoint_name(owner, override, expected):
    assert naming.endpoint_name(owner, override) == expected


@pytest.mark.parametrize("a, b", [
    (Owner("a", "b-c", "u1"), Owner("a-b", "c", "u2")),  # the split moves between namespace and name
    (Owner("ml", "recs.v2", "u1"), Owner("ml", "recs-v2", "u2")),  # '.' and '-' look alike to SageMaker
    (Owner("ml", "x", "u1"), Owner("ml", "x-alt", "u2")),  # another object's alternate endpoint
    (Owner("team-a", "recs", "u1"), Owner("team", "a-recs-" + naming.content_hash("team-a/recs"), "u2")),  # a hashed name
], ids=["namespace-name-split", "dot-vs-hyphen", "alternate-slot", "hashed-lookalike"])
def test_default_names_of_two_objects_never_meet(a, b):
    names_a = {naming.endpoint_name(a), naming.alternate_name(naming.endpoint_name(a))}
    names_b = {naming.endpoint_name(b), naming.alternate_name(naming.endpoint_name(b))}
    assert not names_a & names_b, (names_a, names_b)
    for name in names_a | names_b:
        assert len(name) <= 63 and VALID.match(name), name


def test_an_ambiguous_default_name_carries_a_hash_of_namespace_and_name():
    name = naming.endpoint_name(Owner("a-b", "c", "u"))
    assert name == f"a-b-c-{naming.content_hash('a-b/c')}"


def test_an_object_keeps_the_earlier_default_name_its_status_recorded():
    owner = Owner("a-b", "c", "u")
    assert naming.endpoint_name(owner, recorded="a-b-c") == "a-b-c"
    assert naming.endpoint_name(owner, recorded="a-b-c-alt") == "a-b-c"  # mid-migration, on its alternate
    assert naming.endpoint_name(owner, recorded=None) != "a-b-c"
    assert naming.endpoint_name(owner, recorded="someone-else") == naming.endpoint_name(owner)


def test_long_endpoint_names_are_cut_with_a_hash_and_stay_distinct():
    a = naming.endpoint_name(Owner("team-" + "n" * 40, "model-" + "x" * 40 + "-a", "u"))
    b = naming.endpoint_name(Owner("team-" + "n" * 40, "model-" + "x" * 40 + "-b", "u"))
    assert a != b
    for name in (a, b):
        assert len(name) == 59 and VALID.match(name)  # room left for the alternate's -alt
    assert a == naming.endpoint_name(Owner("team-" + "n" * 40, "model-" + "x" * 40 + "-a", "u"))


@pytest.mark.parametrize("endpoint", ["e", "ml-recs", "x" * 50, "y" * 51, "z" * 63], ids=["1", "short", "50", "51", "63"])
def test_child_names_fit_and_are_owned(endpoint):
    digest = naming.content_hash({"k": endpoint})
    for name in (naming.model_name(endpoint, digest), naming.config_name(endpoint, digest)):
        assert len(name) <= 63 and VALID.match(name), name
        assert name.startswith(naming.owned_prefix(endpoint))
        assert naming.is_owned_name(endpoint, name)


def test_long_endpoints_sharing_a_beginning_get_distinct_child_names():
    digest = naming.content_hash("same")
    one, two = "p" * 55 + "-one", "p" * 55 + "-two"
    assert naming.model_name(one, digest) != naming.model_name(two, digest)
    assert not naming.is_owned_name(one, naming.model_name(two, digest))


@pytest.mark.parametrize("name, owned", [
    ("ml-recs-m-0123456789", True),
    ("ml-recs-c-abcdef0123", True),
    ("ml-recs-b-m-0123456789", False),  # endpoint ml-recs-b shares the prefix
    ("ml-recs-x-0123456789", False),
    ("ml-recs-m-0123", False),
    ("ml-recs", False),
], ids=["model", "config", "other-endpoint", "other-mark", "short-digest", "the-endpoint"])
def test_is_owned_name(name, owned):
    assert naming.is_owned_name("ml-recs", name) is owned


def test_bad_digest_is_refused():
    with pytest.raises(ValueError):
        naming.model_name("ml-recs", "not/a-digest")


def test_content_hash_is_stable_and_content_sensitive():
    assert naming.content_hash({"a": 1, "b": [1, 2]}) == naming.content_hash({"b": [1, 2], "a": 1})
    assert naming.content_hash({"a": 1}) != naming.content_hash({"a": 2})
    obj = S3Object(bucket="b", key="k")
    assert naming.content_hash(obj) == naming.content_hash({"bucket": "b", "key": "k"})
    assert len(naming.content_hash(obj)) == naming.DIGEST_LEN
    # A fixed value: names must not change between releases or processes.
    assert naming.content_hash({"a": 1}) == "015abd7f5c"
