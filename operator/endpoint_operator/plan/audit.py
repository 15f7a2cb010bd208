"""The orphan audit's judgement: which tagged AWS resources have no owner any more.

An owner is the ModelEndpoint named by a resource's namespace and name tags, with the
uid tag's value. A resource whose object is gone, or exists with another uid (deleted
and created again), is an orphan — unless deletion under `deletionPolicy: Retain`
released it on purpose, which the operator marks with the retained tag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..api import constants

# Dependants first: an inference component before the endpoint it runs on, an endpoint
# before the config it serves, a config before its models.
DELETE_ORDER = ("inference-component", "endpoint", "endpoint-config", "model")


@dataclass(frozen=True)
class TaggedResource:
    kind: str  # inference-component | endpoint | endpoint-config | model
    name: str
    arn: str
    region: str
    tags: Mapping[str, str]


@dataclass(frozen=True)
class Finding:
    resource: TaggedResource
    verdict: str  # orphan | retained | owned
    why: str


def audit(resources: Iterable[TaggedResource], live: Mapping[tuple[str, str], str]) -> list[Finding]:
    """`live` maps (namespace, name) of every existing ModelEndpoint to its uid.
    Resources without the operator's tags are not the operator's and are left out."""
    findings = []
    for resource in resources:
        tags = resource.tags
        uid = tags.get(constants.TAG_UID)
        if uid is None:
            continue
        owner = (tags.get(constants.TAG_NAMESPACE, ""), tags.get(constants.TAG_NAME, ""))
        label = f"{owner[0]}/{owner[1]}"
        if constants.TAG_RETAINED in tags:
            findings.append(Finding(resource, "retained", f"released by {label} (deletionPolicy Retain)"))
        elif owner not in live:
            findings.append(Finding(resource, "orphan", f"its ModelEndpoint {label} no longer exists"))
        elif live[owner] != uid:
            findings.append(Finding(resource, "orphan", f"{label} was deleted and created again (uid {live[owner]}, tag {uid})"))
        else:
            findings.append(Finding(resource, "owned", f"owned by {label}"))
    order = {kind: i for i, kind in enumerate(DELETE_ORDER)}
    return sorted(findings, key=lambda f: (order.get(f.resource.kind, 99), f.resource.region, f.resource.name))
