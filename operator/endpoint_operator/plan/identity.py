"""Who owns the SageMaker resources: the ModelEndpoint they were built for."""

from __future__ import annotations

from dataclasses import dataclass

from ..api import constants


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


def foreign_owner(tags: dict[str, str], owner: Owner) -> str | None:
    """'<namespace>/<name>' of another owner recorded in `tags`, or None if the tags
    name this owner or no owner at all."""
    uid = tags.get(constants.TAG_UID)
    if uid is None or uid == owner.uid:
        return None
    return f"{tags.get(constants.TAG_NAMESPACE, '?')}/{tags.get(constants.TAG_NAME, '?')}"
