"""Which AWS accounts each namespace may use: the cluster administrator's allow-list.

A ModelEndpoint may name an IAM role in another account (`spec.roleArn`); the operator
assumes it only when the operator's own configuration binds that role, or its account,
to the object's namespace. A tenant who can write ModelEndpoints cannot write this file
(it is the operator's ConfigMap), so a tenant cannot point the operator at an account
it was not given. A namespace may also have a default role, used when the spec names none.

    namespaces:
      team-b:
        roleArn: arn:aws:iam::222222222222:role/endpoint-operator   # the namespace's default
        allowedRoleArns: [arn:aws:iam::222222222222:role/endpoint-operator-canary]
        allowedAccounts: ["333333333333"]                          # any role of these accounts
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from .base import KubeModel
from .patterns import ascii_re

from .spec import ROLE_ARN  # noqa: E402  (one pattern for every role ARN)
ACCOUNT_ID = ascii_re(r"^\d{12}$")
NAMESPACE = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"  # an RFC 1123 label
RoleArn = Annotated[str, Field(pattern=ROLE_ARN, min_length=20, max_length=2048)]


class AccountBindingsError(ValueError):
    pass


class NamespaceBinding(KubeModel):
    role_arn: Annotated[RoleArn | None, Field(description="Role assumed for the namespace's objects that name none.")] = None
    allowed_role_arns: Annotated[list[RoleArn], Field(description="Roles a spec.roleArn of this namespace may name.")] = []
    allowed_accounts: Annotated[list[Annotated[str, Field(pattern=ACCOUNT_ID)]], Field(
        description="Accounts any of whose roles a spec.roleArn of this namespace may name.")] = []


class AccountBindings(KubeModel):
    namespaces: dict[Annotated[str, Field(pattern=NAMESPACE, max_length=63)], NamespaceBinding] = {}

    def binding(self, namespace: str) -> NamespaceBinding | None:
        return self.namespaces.get(namespace)


def account_of(role_arn: str) -> str:
    """The account id in a role ARN (arn:aws:iam::<account>:role/<name>)."""
    return role_arn.split(":")[4]


def load_account_bindings(path: str | Path | None) -> AccountBindings:
    """The bindings file (YAML or JSON); none: no namespace may use another account."""
    if path is None:
        return AccountBindings()
    text = Path(path).read_text()
    try:
        import yaml
        raw = yaml.safe_load(text) if text.strip() else {}
    except ImportError:  # pragma: no cover - PyYAML ships with the kubernetes client
        raw = json.loads(text)
    try:
        return AccountBindings.model_validate(raw or {})
    except ValidationError as error:
        raise AccountBindingsError(f"{path}: {error}") from error
