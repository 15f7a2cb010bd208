"""Which account an object's calls go to, as the cluster administrator's bindings allow."""

from __future__ import annotations

import re

import pytest

from endpoint_operator.api.accounts import AccountBindings
from endpoint_operator.plan.accounts import OWN_ACCOUNT, ROLE_NOT_ALLOWED, choose_account, session_name
from endpoint_operator.plan.errors import PlanError
from endpoint_operator.plan.identity import Owner

DEFAULT = "arn:aws:iam::222233334444:role/target"
LISTED = "arn:aws:iam::222233334444:role/canary"
IN_ACCOUNT = "arn:aws:iam::333344445555:role/anything"
ELSEWHERE = "arn:aws:iam::999988887777:role/target"
BINDINGS = AccountBindings.model_validate({"namespaces": {
    "team-b": {"roleArn": DEFAULT, "allowedRoleArns": [LISTED], "allowedAccounts": ["333344445555"]},
    "team-c": {"allowedRoleArns": [LISTED]},
}})


@pytest.mark.parametrize("namespace, role, chosen", [
    ("team-a", None, None),  # unlisted: the operator's own account
    ("team-b", None, DEFAULT),  # the namespace's default
    ("team-b", DEFAULT, DEFAULT),
    ("team-b", LISTED, LISTED),
    ("team-b", IN_ACCOUNT, IN_ACCOUNT),
    ("team-c", None, None),  # no default: own account unless the spec names an allowed role
    ("team-c", LISTED, LISTED),
])
def test_allowed_choices(namespace, role, chosen):
    target = choose_account(Owner(namespace, "ep", "uid"), role, BINDINGS)
    assert target.role_arn == chosen
    assert (target == OWN_ACCOUNT) == (chosen is None)


@pytest.mark.parametrize("namespace, role", [
    ("team-a", DEFAULT),  # a namespace the file does not list
    ("team-b", ELSEWHERE),  # same role name, another account
    ("team-c", DEFAULT),  # another namespace's default
    ("team-c", IN_ACCOUNT),  # another namespace's account
])
def test_a_role_not_given_to_the_namespace_is_refused_naming_the_field(namespace, role):
    with pytest.raises(PlanError) as refused:
        choose_account(Owner(namespace, "ep", "uid"), role, BINDINGS)
    assert refused.value.reason == ROLE_NOT_ALLOWED and refused.value.field == "spec.roleArn"
    assert refused.value.message.startswith("spec.roleArn:") and namespace in refused.value.message


@pytest.mark.parametrize("namespace, name", [("ml", "fraud"), ("n" * 63, "e" * 253), ("a", "b.c-d")])
def test_session_names_fit_sts_and_differ_per_object(namespace, name):
    chosen = session_name(Owner(namespace, name, "uid"))
    assert 2 <= len(chosen) <= 64 and re.fullmatch(r"[\w+=,.@-]*", chosen, re.ASCII)
    assert chosen != session_name(Owner(namespace, name + "x", "uid"))
    if len(namespace) + len(name) < 63:
        assert chosen == f"{namespace}.{name}"
