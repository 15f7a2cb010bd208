"""A multi-model rollout's artifact folders: both serve while it runs, one is left at
each end.

A changed artifact is a new content folder and a new model (artifacts.py), so a canary
of a MultiModel endpoint is two variants on two folders: `primary` on the folder it
served before, `canary` on the blueprint's. Both must exist in S3 for the whole rollout
(a variant loads a model from its folder on the first call for it), across restarts
too, so what is kept is read from SageMaker and S3 each pass, never from memory:

- while the rollout runs, no folder is collected; the model list follows the spec in the
  primary's folder as in the blueprint's, so a model added mid-rollout is served by
  whichever variant answers (copied into both folders), and a removed one by neither.
  A model whose source changed stays as it is in the primary's folder: that change is
  what the canary carries.
- promoted: the endpoint serves the blueprint's config alone, and the ordinary sync
  (artifacts.sync_artifacts) collects every other folder, the primary's included.
- rolled back: the endpoint serves the config it served before, from the primary's
  folder; every other folder (the canary's, and those of a canary a spec change
  superseded) is collected, and nothing is copied into the blueprint's until a retry or
  a spec change starts a rollout again.

Which folder a variant serves is its model's ModelDataUrl: known for the blueprint's
model, described (DescribeModel) for the others, and only while a rollout is involved.
"""

from __future__ import annotations

from ..api.resources import S3Copy, S3Object
from ..api.status import ModelEndpointStatus, RolloutPhase, RolloutStatus
from .actions import CopyArtifact, DeleteArtifact, MarkArtifactRemoved
from .artifacts import REMOVED, ArtifactSync, desired_sources, folders, marker_key, split_key, sync_artifacts
from .blueprint import Blueprint
from .observed import Observed
from .rollout import ACTIVE
from .s3url import parse_s3_url


def models_to_describe(bp: Blueprint, observed: Observed, previous: ModelEndpointStatus | None) -> tuple[str, ...]:
    """The models whose ModelDataUrl the planner needs (Observed.model_data): those the
    serving config runs that the blueprint does not build, on a multi-model endpoint
    under a rollout. None at rest, where the serving config is the blueprint's."""
    ep = observed.endpoint
    rollout = bp.rollout is not None or (previous is not None and previous.rollout is not None)
    if bp.artifact_prefix is None or not rollout or ep is None:
        return ()
    serving = observed.configs.get(ep.config_name or "")
    if serving is None:
        return ()
    own = {m.name for m in bp.models}
    return tuple(sorted({m for m in serving.variant_models + serving.shadow_models if m and m not in own}))


def folder_of(prefix: S3Object, url: str) -> str | None:
    """The folder under `prefix` that a container's ModelDataUrl names ("" for the
    prefix itself); None when the URL lies elsewhere (another prefix)."""
    try:
        where = parse_s3_url(url)
    except ValueError:
        return None
    key = where.key if where.key.endswith("/") else where.key + "/"
    if where.bucket != prefix.bucket or not key.startswith(prefix.key):
        return None
    rest = key[len(prefix.key):].strip("/")
    return None if "/" in rest else rest


def serving_folders(bp: Blueprint, observed: Observed) -> frozenset[str] | None:
    """The folders under the blueprint's prefix that the endpoint's config serves from
    (one per variant whose model reads from this prefix); None when a variant's model
    is not known, so nothing can be proven unused."""
    ep, prefix = observed.endpoint, bp.artifact_prefix
    serving = observed.configs.get(ep.config_name or "") if ep is not None else None
    if prefix is None or serving is None or not serving.variant_models:
        return None
    urls = {m.name: m.container.model_data_url for m in bp.models if m.container is not None}
    urls.update(observed.model_data)
    found: set[str] = set()
    for model in serving.variant_models + serving.shadow_models:
        url = urls.get(model)
        if url is None:
            return None
        folder = folder_of(prefix, url)
        if folder is not None:
            found.add(folder)
    return frozenset(found)


def rollout_artifacts(bp: Blueprint, observed: Observed, rollout: RolloutStatus | None, serving: bool) -> ArtifactSync:
    """What the artifact sync does this pass, given the rollout status planned for it
    (`serving`: the endpoint serves the blueprint's config, as for sync_artifacts)."""
    if bp.artifact_prefix is None:
        return ArtifactSync()
    phase = rollout.phase if rollout is not None else None
    if phase == RolloutPhase.ROLLED_BACK and rollout.to_revision == bp.config.name:
        return _rolled_back(bp, observed)
    own = sync_artifacts(bp, observed, serving=serving)
    if phase not in ACTIVE:
        return own
    primary = _primary_folders(bp, observed)
    return ArtifactSync(copies=own.copies + primary.copies, removals=own.removals + primary.removals,
                        marks=own.marks + primary.marks)


def _rolled_back(bp: Blueprint, observed: Observed) -> ArtifactSync:
    """Every folder but those the endpoint serves again is collected, once it serves them."""
    ep, prefix = observed.endpoint, bp.artifact_prefix
    kept = serving_folders(bp, observed)
    if kept is None or ep is None or ep.status != "InService":
        return ArtifactSync()
    keep = kept | {f + REMOVED for f in kept}
    removals = tuple(DeleteArtifact(obj=S3Object(bucket=prefix.bucket, key=prefix.key + key))
                     for key in sorted(observed.artifacts) if split_key(key)[0] not in keep)
    return ArtifactSync(removals=removals)


def _primary_folders(bp: Blueprint, observed: Observed) -> ArtifactSync:
    """The spec's model list in each other folder the endpoint serves: a model added is
    copied in unless the folder held that name under another source (its instances may
    still hold that one); a model removed is deleted, its marker left beside the folder."""
    prefix = bp.artifact_prefix
    served = serving_folders(bp, observed) or frozenset()
    desired = desired_sources(bp)
    by_name = {c.target.key.rsplit("/", 1)[-1]: c for c in bp.artifacts}
    grouped = folders(observed.artifacts)
    copies: list[CopyArtifact] = []
    removals: list[DeleteArtifact] = []
    marks: list[MarkArtifactRemoved] = []
    for folder in sorted(served - {bp.artifact_version}):
        content, held = grouped.get(folder, {}), grouped.get(folder + REMOVED, {})
        base = prefix.key + (folder + "/" if folder else "")
        for name, origin in sorted(desired.items()):
            if name not in content and held.get(name, origin) == origin:
                source = by_name[name]
                copies.append(CopyArtifact(copy=S3Copy(source=source.source, target=S3Object(bucket=prefix.bucket, key=base + name),
                                                       kms_key_id=source.kms_key_id)))
        for name, origin in sorted(content.items()):
            if name in desired:
                continue
            marker = marker_key(prefix, folder, name)
            if held.get(name) != origin:
                marks.append(MarkArtifactRemoved(obj=S3Object(bucket=prefix.bucket, key=marker), source=origin,
                                                 kms_key_id=next(iter(by_name.values())).kms_key_id if by_name else None))
            removals.append(DeleteArtifact(obj=S3Object(bucket=prefix.bucket, key=base + name)))
    return ArtifactSync(copies=tuple(copies), removals=tuple(removals), marks=tuple(marks))

