"""Which AWS account an object's calls go to: the role the operator assumes for it, if
any, as the cluster administrator's bindings allow (api/accounts.py). Pure."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..api.accounts import AccountBindings, account_of
from .errors import PlanError
from .identity import Owner

# STS AssumeRole, RoleSessionName: "[\w+=,.@-]*", 2 to 64 characters (service model).
SESSION_NAME_LEN = 64
_NOT_IN_SESSION_NAME = re.compile(r"[^\w+=,.@-]", re.ASCII)
ROLE_NOT_ALLOWED = "RoleNotAllowed"


@dataclass(frozen=True)
class AccountTarget:
    """The role to assume (None: the operator's own credentials) and its session name."""

    role_arn: str | None = None
    session_name: str | None = None

    @property
    def account(self) -> str | None:
        return account_of(self.role_arn) if self.role_arn else None


OWN_ACCOUNT = AccountTarget()


def choose_account(owner: Owner, role_arn: str | None, bindings: AccountBindings) -> AccountTarget:
    """The object's account: spec.roleArn when the namespace may use it, else the
    namespace's default role, else the operator's own account. Raises a PlanError
    naming spec.roleArn when the namespace was not given that role or its account."""
    binding = bindings.binding(owner.namespace)
    if role_arn is None:
        chosen = binding.role_arn if binding is not None else None
    else:
        allowed = binding is not None and (
            role_arn == binding.role_arn or role_arn in binding.allowed_role_arns
            or account_of(role_arn) in binding.allowed_accounts)
        if not allowed:
            raise PlanError(ROLE_NOT_ALLOWED, "spec.roleArn",
                            f"spec.roleArn: {role_arn} (account {account_of(role_arn)}) is not allowed for namespace "
                            f"{owner.namespace} by the operator's account bindings; nothing was done in AWS. "
                            "The cluster administrator grants roles to namespaces (docs/operations.md)")
        chosen = role_arn
    if chosen is None:
        return OWN_ACCOUNT
    return AccountTarget(role_arn=chosen, session_name=session_name(owner))


def session_name(owner: Owner) -> str:
    """`<namespace>.<name>` for CloudTrail, in STS's alphabet and length; a longer one
    is cut and ends in a hash of the whole, so two objects never share a session name."""
    whole = f"{owner.namespace}.{owner.name}"
    name = _NOT_IN_SESSION_NAME.sub("-", whole)
    if len(name) <= SESSION_NAME_LEN and name == whole:
        return name
    digest = hashlib.sha256(whole.encode()).hexdigest()[:10]
    return f"{name[:SESSION_NAME_LEN - len(digest) - 1]}-{digest}"


ACCOUNT_CHANGED = "AccountChanged"


def account_moved(recorded_arn: str | None, account: str) -> PlanError | None:
    """The endpoint status recorded lives in another account than the one the object's
    calls would now go to (its namespace's binding changed): nothing is done in either,
    rather than building a second endpoint in the new account and leaving the first."""
    if not recorded_arn or recorded_arn.count(":") < 5:
        return None
    recorded = recorded_arn.split(":")[4]
    if recorded == account:
        return None
    return PlanError(ACCOUNT_CHANGED, "spec.roleArn",
                     f"spec.roleArn: endpoint {recorded_arn} lives in account {recorded}, but the object's calls "
                     f"would now go to account {account} (the operator's account bindings changed); nothing is done "
                     "in either. Restore the binding, or delete the object and recreate it")
