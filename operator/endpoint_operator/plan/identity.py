"""Who owns the SageMaker resources: the ModelEndpoint they were built for."""

from __future__ import annotations

from dataclasses import dataclass

from ..api import constants
from ..api.resources import ObservedEndpoint
from .errors import PlanError


@dataclass(frozen=True)
class Owner:
    namespace: str
    name: str
    uid: str


def owner_tags(owner: Owner) -> dict[str, str]:
    """Tags that prove ownership on every AWS resource the operator creates."""
    return {
        constants.TAG_NAMESPACE: owner.namespace,
        constants.TAG_NAME: owner.name,
        constants.TAG_UID: owner.uid,
        constants.TAG_MANAGED_BY: constants.MANAGED_BY,
    }


def foreign_owner(tags: dict[str, str], owner: Owner | None, released: bool = False) -> str | None:
    """'<namespace>/<name>' of the ModelEndpoint other than `owner` (None: any) that the
    ownership tags name, or None if they name `owner` or no ModelEndpoint at all. With
    `released`, what a deleted object kept on purpose (deletionPolicy Retain) is no
    one's: it may be adopted, retired or moved."""
    uid = tags.get(constants.TAG_UID)
    if uid is None or (owner is not None and uid == owner.uid) or (released and constants.TAG_RETAINED in tags):
        return None
    return f"{tags.get(constants.TAG_NAMESPACE, '?')}/{tags.get(constants.TAG_NAME, '?')}"


def not_owned(endpoint: ObservedEndpoint | None, owner: Owner) -> PlanError | None:
    """An endpoint of that name that another owner made (or a deleted object with
    deletionPolicy Retain left) is never taken over silently: its tags must name `owner`."""
    if endpoint is None:
        return None
    owner_uid = endpoint.tags.get(constants.TAG_UID)
    if owner_uid == owner.uid:
        return None
    other = foreign_owner(endpoint.tags, owner)
    who = f"ModelEndpoint {other} (uid {owner_uid})" if other else "something other than this operator"
    return PlanError("EndpointNotOwned", "spec.endpointName",
                     f"spec.endpointName: SageMaker endpoint {endpoint.name} exists and belongs to {who}; "
                     "choose another name or delete that endpoint")
