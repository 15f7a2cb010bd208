"""SageMaker names: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, at most 63 characters.

Models and endpoint configs are immutable, so their names carry a hash of their
content: the same spec always yields the same names (idempotent creates), and any
change yields new ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from enum import Enum
from typing import Any

from pydantic import BaseModel

from .identity import Owner

# The variants' names: the spec's model serves as `primary`; a rollout adds a `canary`
# beside it, or a `shadow` that receives a copy of its requests.
PRIMARY, CANARY, SHADOW = "primary", "canary", "shadow"

MAX_NAME = 63
DIGEST_LEN = 10
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")

_MODEL_MARK = "m"
_CONFIG_MARK = "c"
_COMPONENT_MARK = "i"
# "<stem>-m-<digest>": the stem gets what the marker and digest leave.
_STEM_MAX = MAX_NAME - len("-m-") - DIGEST_LEN
_SHORT = 8


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    raise TypeError(f"cannot hash {type(obj).__name__}")


def content_hash(obj: Any, length: int = DIGEST_LEN) -> str:
    """Stable short hex hash of a JSON-able object or pydantic model (key order and
    process do not matter)."""
    text = json.dumps(obj, default=_jsonable, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _clean(text: str) -> str:
    """Kubernetes names may hold '.', SageMaker's may not; no leading/trailing hyphen."""
    return re.sub(r"[^a-zA-Z0-9-]", "-", text).strip("-")


def _shorten(text: str, limit: int) -> str:
    """`text` if it fits, else a prefix plus a short hash of the whole (stays unique)."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - _SHORT - 1]}-{content_hash(text, _SHORT)}"


# The second endpoint name of an object (see migration.py) is its name plus this.
ALTERNATE_SUFFIX = "-alt"
# Default names stay short enough for their alternate to need no cut.
_DEFAULT_MAX = MAX_NAME - len(ALTERNATE_SUFFIX)
_HASHED = re.compile(rf".*-[0-9a-f]{{{DIGEST_LEN}}}")


def endpoint_name(owner: Owner, override: str | None = None, recorded: str | None = None) -> str:
    """`override` (spec.endpointName, already validated by the schema), else the
    object's default name. `recorded` is the endpoint name status last recorded: an
    object whose endpoint was named by the earlier, ambiguous rule keeps that name."""
    if override:
        return override
    legacy = legacy_endpoint_name(owner)
    if recorded is not None and recorded in (legacy, alternate_name(legacy)):
        return legacy
    return default_endpoint_name(owner)


def default_endpoint_name(owner: Owner) -> str:
    """'<namespace>-<name>' where that cannot be another object's name, else
    '<namespace>-<name>-<hash of namespace/name>' (cut to fit): injective.

    The plain form is kept only when the namespace has no '-' (so the first '-' splits
    it back), the name no '.' (which SageMaker names cannot hold), and it looks neither
    like a hashed name (ending in '-' and DIGEST_LEN hex digits) nor like an alternate
    ('-alt'); both forms leave room for the alternate's suffix. Two objects then share a
    default name only if SHA-256 collides on DIGEST_LEN hex digits."""
    plain = f"{owner.namespace}-{owner.name}"
    if ("-" not in owner.namespace and "." not in owner.name and len(plain) <= _DEFAULT_MAX
            and not _HASHED.fullmatch(plain) and not plain.endswith(ALTERNATE_SUFFIX)):
        return plain
    digest = content_hash(f"{owner.namespace}/{owner.name}")
    stem = _clean(plain)[: _DEFAULT_MAX - DIGEST_LEN - 1].rstrip("-")
    return f"{stem}-{digest}"


def legacy_endpoint_name(owner: Owner) -> str:
    """The default name of earlier releases, '<ns>-<name>' with '.' as '-': not
    injective ('a'/'b-c' and 'a-b'/'c' both gave 'a-b-c'). Only recognised in status."""
    return _shorten(_clean(f"{owner.namespace}-{owner.name}"), MAX_NAME)


def alternate_name(base: str) -> str:
    """The second endpoint name of an object: deterministic, and a valid SageMaker name."""
    room = MAX_NAME - len(ALTERNATE_SUFFIX)
    stem = base if len(base) <= room else f"{base[: room - 9]}-{content_hash(base, 8)}"
    return stem + ALTERNATE_SUFFIX


def _stem(endpoint: str) -> str:
    return _shorten(endpoint, _STEM_MAX)


def _child(endpoint: str, mark: str, digest: str) -> str:
    if not re.fullmatch(r"[0-9a-zA-Z]{1,%d}" % DIGEST_LEN, digest):
        raise ValueError(f"digest must be 1-{DIGEST_LEN} alphanumerics, got {digest!r}")
    return f"{_stem(endpoint)}-{mark}-{digest}"


def model_name(endpoint: str, digest: str) -> str:
    return _child(endpoint, _MODEL_MARK, digest)


def config_name(endpoint: str, digest: str) -> str:
    return _child(endpoint, _CONFIG_MARK, digest)


def component_name(endpoint: str, model: str) -> str:
    """An inference component's name: one per model of the endpoint, kept across
    changes of its image or artifact (UpdateInferenceComponent changes it in place)."""
    return _child(endpoint, _COMPONENT_MARK, content_hash(model))


def is_owned_component(endpoint: str, name: str) -> bool:
    pattern = rf"{re.escape(_stem(endpoint))}-{_COMPONENT_MARK}-[0-9a-f]{{{DIGEST_LEN}}}"
    return re.fullmatch(pattern, name) is not None


def owned_prefix(endpoint: str) -> str:
    """Prefix of every model and config name of this endpoint: narrows a listing.
    Another endpoint's names can share it ('a-' is a prefix of 'a-b-m-...'), so
    filter the listing with is_owned_name."""
    return f"{_stem(endpoint)}-"


def is_owned_name(endpoint: str, name: str) -> bool:
    """Whether `name` is a model or config name this endpoint's blueprints produce."""
    pattern = rf"{re.escape(_stem(endpoint))}-[{_MODEL_MARK}{_CONFIG_MARK}]-[0-9a-f]{{{DIGEST_LEN}}}"
    return re.fullmatch(pattern, name) is not None
