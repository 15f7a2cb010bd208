"""Multi-model artifacts an object no longer uses: collected, never stranded.

A MultiModel endpoint's artifacts live under the object's prefix (status.artifactPrefix
records it). When the object stops being multi-model (a change to RealTime updates the
same endpoint in place; one to Serverless or Async migrates to the other slot), or its
prefix moves, what is under the recorded prefix is deleted once no endpoint of the
object still serves from it: the endpoint is InService on the desired config and no
old endpoint is being retired. Until then the prefix stays recorded, so deletion with
policy Delete finds it too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ..api.resources import S3Object
from .actions import DeleteArtifact
from .blueprint import Blueprint
from .decision import Decision
from .observed import full_key
from .s3url import s3_url


def recorded_leftover_prefix(bp: Blueprint, recorded: S3Object | None) -> S3Object | None:
    """The recorded prefix when the blueprint no longer places artifacts under it."""
    if recorded is None or recorded == bp.artifact_prefix:
        return None
    return recorded


def collect_leftover_artifacts(decision: Decision, bp: Blueprint, leftover: S3Object | None,
                               keys: Mapping[str, str], migrating: bool) -> Decision:
    """`decision` with status.artifactPrefix set, and deletions of what is under a
    `leftover` prefix (`keys` relative to it) once nothing serves from it."""
    current = s3_url(bp.artifact_prefix) if bp.artifact_prefix is not None else None
    if leftover is None:
        return _recording(decision, current)
    if not keys:
        return _recording(decision, current)  # collected: only the blueprint's prefix is left to record
    ep = decision.status.endpoint
    serving = ep is not None and ep.status == "InService" and ep.config_name == bp.config.name
    if not serving or migrating or decision.actions:
        return _recording(decision, s3_url(leftover))  # the old endpoint may still load from it
    removals = tuple(DeleteArtifact(obj=S3Object(bucket=leftover.bucket, key=full_key(leftover, key)))
                     for key in sorted(keys))
    collected = dataclasses.replace(decision, actions=decision.actions + removals, in_flight=True)
    return _recording(collected, s3_url(leftover))


def _recording(decision: Decision, prefix: str | None) -> Decision:
    return dataclasses.replace(decision, status=decision.status.model_copy(update={"artifact_prefix": prefix}))
