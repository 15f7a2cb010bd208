"""MultiModel artifacts: which content-versioned folder the endpoint serves, what to
copy into it, and when to collect the folders it no longer serves.

Objects live at <prefix><version>/<name>.tar.gz ("" version: right under the prefix, as
endpoints built before versioning have them). The gateway records each copy's source
URL on the object, so a folder's content is known without reading bytes.

A folder stays in service while no model in it differs from the spec: adding a model
copies into it, removing one deletes from it, and callers see both at once. A model
whose source changed is never copied over its old artifact, since SageMaker's
instances keep serving a model they loaded; it goes into a new folder with every other
model, the container points at that folder, and the UpdateEndpoint that follows brings
up a fleet with nothing cached. TargetModel names stay the same. Superseded folders are
deleted only once the endpoint is InService on the desired config.

A model removed from a folder in service leaves an empty marker at
<prefix><version>.removed/<name>.tar.gz with the source it had: the fleet may still hold
it, so the folder no longer fits a spec that adds the name back with another source.
The markers live outside the folder, so callers cannot name them (beside the models for
an endpoint built before folders, where they are empty objects), and go with their folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..api.resources import S3Object, artifact_origin
from ..api.spec import ModelEndpointSpec
from .actions import CopyArtifact, DeleteArtifact, MarkArtifactRemoved
from .blueprint import Blueprint, build_blueprint
from .observed import Observed, full_key
from .s3url import s3_url


REMOVED = ".removed"  # <version>.removed/: the markers of the models removed from <version>/


@dataclass(frozen=True)
class ArtifactSync:
    copies: tuple[CopyArtifact, ...] = ()
    removals: tuple[DeleteArtifact, ...] = ()
    marks: tuple[MarkArtifactRemoved, ...] = ()

    @property
    def actions(self) -> tuple[CopyArtifact | MarkArtifactRemoved | DeleteArtifact, ...]:
        # Copies first: a model is never absent for a moment; a removal's marker before it.
        return self.copies + self.marks + self.removals

    def describe(self, prefix: S3Object) -> str:
        parts = []
        if self.copies:
            parts.append(f"copying {len(self.copies)}")
        if self.removals:
            parts.append(f"removing {len(self.removals)}")
        return f"{' and '.join(parts).capitalize()} model artifacts under {s3_url(prefix)}"


def split_key(relative: str) -> tuple[str, str]:
    """'v-1a2b/recsys.tar.gz' -> ('v-1a2b', 'recsys.tar.gz'); 'recsys.tar.gz' -> ('', ...)."""
    version, _, name = relative.rpartition("/")
    return version, name


def folders(artifacts: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Observed artifacts (key relative to the prefix -> source) by version folder,
    the removal markers under '<version>.removed'."""
    grouped: dict[str, dict[str, str]] = {}
    for relative, source in artifacts.items():
        version, name = split_key(relative)
        grouped.setdefault(version, {})[name] = source
    return grouped


def marker_key(prefix: S3Object, version: str, name: str) -> str:
    return f"{prefix.key}{version}{REMOVED}/{name}"


def desired_sources(bp: Blueprint) -> dict[str, str]:
    """TargetModel name -> origin (source URL, and the KMS key of the copy when there is
    one), as the spec declares them."""
    return {c.target.key.rsplit("/", 1)[-1]: artifact_origin(s3_url(c.source), c.kms_key_id) for c in bp.artifacts}


def fitting_versions(bp: Blueprint, observed: Observed) -> list[str]:
    """Folders in S3 where no model differs from the spec, best first: the one holding
    most of the desired models, then the blueprint's own content-named one."""
    desired = desired_sources(bp)
    grouped = folders(observed.artifacts)
    fits = []
    for version, content in grouped.items():
        if version.endswith(REMOVED):
            continue
        # A model it holds, or held while in service, under another source: no fit.
        held = {**grouped.get(version + REMOVED, {}), **content}
        if all(desired.get(name, source) == source for name, source in held.items()):
            matching = sum(1 for name, source in content.items() if desired.get(name) == source)
            fits.append((-matching, version != bp.artifact_version, version))
    return [version for *_, version in sorted(fits)]


def choose_version(bp: Blueprint, observed: Observed) -> str:
    """The best fitting folder, else the blueprint's content-named one."""
    fits = fitting_versions(bp, observed)
    return fits[0] if fits else bp.artifact_version


def served_blueprint(spec: ModelEndpointSpec, bp: Blueprint, observed: Observed) -> Blueprint:
    """`bp` (built from `spec`) on the artifact folder to serve: the fitting folder the
    endpoint's config already serves, else choose_version()'s."""
    if bp.artifact_prefix is None:
        return bp

    def on(version: str) -> Blueprint:
        return bp if version == bp.artifact_version else build_blueprint(
            spec, bp.owner, endpoint_name=bp.endpoint_name, artifact_version=version)

    serving = observed.endpoint.config_name if observed.endpoint is not None else None
    for version in fitting_versions(bp, observed):
        candidate = on(version)
        if candidate.config.name == serving:
            return candidate
    return on(choose_version(bp, observed))


def sync_artifacts(bp: Blueprint, observed: Observed, serving: bool = False) -> ArtifactSync:
    """Copies into the served folder, removals from it, and, once the endpoint serves
    the desired config (`serving`), the removal of every other folder."""
    prefix = bp.artifact_prefix
    if prefix is None:
        return ArtifactSync()
    present = {full_key(prefix, key): source for key, source in observed.artifacts.items()}
    copies = tuple(CopyArtifact(copy=c) for c in bp.artifacts
                   if present.get(c.target.key) != artifact_origin(s3_url(c.source), c.kms_key_id))
    key = bp.artifacts[0].kms_key_id if bp.artifacts else None
    wanted = {c.target.key for c in bp.artifacts}
    served = bp.artifact_version

    def removable(key: str) -> bool:
        version = split_key(key[len(prefix.key):])[0]
        if version == served + REMOVED:
            return False  # the served folder's markers stay while it is served
        return key not in wanted and (version == served or serving)

    removals = tuple(DeleteArtifact(obj=S3Object(bucket=prefix.bucket, key=key)) for key in sorted(present) if removable(key))
    marks = []
    for removal in removals:
        version, name = split_key(removal.obj.key[len(prefix.key):])
        marker = marker_key(prefix, version, name)
        if version == served and present.get(marker) != present[removal.obj.key]:
            marks.append(MarkArtifactRemoved(obj=S3Object(bucket=prefix.bucket, key=marker), source=present[removal.obj.key],
                                             kms_key_id=key))
    return ArtifactSync(copies=copies, removals=removals, marks=tuple(marks))
