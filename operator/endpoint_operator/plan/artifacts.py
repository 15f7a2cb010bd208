"""MultiModel artifacts: place each desired model under the prefix, remove the rest.

The gateway records each copy's source URL on the object, so a model whose source
changed is copied again and an unchanged one is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api.resources import S3Object
from .actions import CopyArtifact, DeleteArtifact
from .blueprint import Blueprint
from .observed import Observed, full_key
from .s3url import s3_url


@dataclass(frozen=True)
class ArtifactSync:
    copies: tuple[CopyArtifact, ...] = ()
    removals: tuple[DeleteArtifact, ...] = ()

    @property
    def actions(self) -> tuple[CopyArtifact | DeleteArtifact, ...]:
        return self.copies + self.removals  # copies first: a model is never absent for a moment

    def describe(self, prefix: S3Object) -> str:
        parts = []
        if self.copies:
            parts.append(f"copying {len(self.copies)}")
        if self.removals:
            parts.append(f"removing {len(self.removals)}")
        return f"{' and '.join(parts).capitalize()} model artifacts under {s3_url(prefix)}"


def sync_artifacts(bp: Blueprint, observed: Observed) -> ArtifactSync:
    prefix = bp.artifact_prefix
    if prefix is None:
        return ArtifactSync()
    present = {full_key(prefix, key): source for key, source in observed.artifacts.items()}
    copies = tuple(CopyArtifact(copy=c) for c in bp.artifacts if present.get(c.target.key) != s3_url(c.source))
    wanted = {c.target.key for c in bp.artifacts}
    removals = tuple(DeleteArtifact(obj=S3Object(bucket=prefix.bucket, key=key)) for key in sorted(present) if key not in wanted)
    return ArtifactSync(copies=copies, removals=removals)
