"""What the gateway saw of one endpoint's SageMaker and S3 resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..api.resources import ObservedComponent, ObservedConfig, ObservedEndpoint, S3Object
from ..api.scaling import ObservedScaling


@dataclass(frozen=True)
class Observed:
    endpoint: ObservedEndpoint | None  # None: does not exist
    # Names of this endpoint's models that exist (listed by naming.owned_prefix;
    # the planner ignores names naming.is_owned_name rejects).
    models: frozenset[str] = frozenset()
    # This endpoint's configs that exist, by name.
    configs: Mapping[str, ObservedConfig] = field(default_factory=dict)
    # MultiModel: object key relative to the artifact prefix ("v-1a2b3c4d5e/recsys.tar.gz",
    # or "recsys.tar.gz" as endpoints built before content-versioned folders hold it) ->
    # the source URL recorded on the object's metadata, "" if none.
    artifacts: Mapping[str, str] = field(default_factory=dict)
    # MultiModel under a rollout: model name -> its container's ModelDataUrl, for the models
    # the serving config runs that the blueprint does not build (rollout_artifacts.py's
    # models_to_describe): which folder the primary serves.
    model_data: Mapping[str, str] = field(default_factory=dict)
    # Targets, policies, scheduled actions and the operator's alarms of the endpoint's
    # variants; None: not observed, and nothing is planned for scaling.
    scaling: ObservedScaling | None = None
    # The endpoint's inference components the operator named, by name; None: not
    # looked for (the endpoint hosts none of this object's).
    components: Mapping[str, ObservedComponent] | None = None


def full_key(prefix: S3Object, relative: str) -> str:
    return prefix.key + relative
