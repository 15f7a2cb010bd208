"""Property: `validate_spec` and the real API server judge every spec alike.

Specs come from two sources: generated from the CRD's own schema (every field, inside
and at the edges of its bounds, patterns included), and mutations of the examples
(a value replaced by a wrong type, null, an out-of-range or non-ASCII one; a key
deleted, duplicated in snake_case or unknown; a list item repeated). Each goes through
`kubectl apply --dry-run=server` (the path users take: kubectl's JSON, strict field
validation, the schema and CEL rules) and through `validate_spec`. Both must accept it,
or both refuse it with a field the Python side names appearing in the API server's
refusal.

Seeded (derandomized), so CI sees the same specs every run; bounded by
$TWINS_EXAMPLES (default 150 per source: about 30 s for both sources on a laptop-class
machine, a kubectl call per spec). A longer search:

    TWINS_EXAMPLES=5000 .venv/bin/python -m pytest tests/cluster/test_twins_agree.py -q
"""

from __future__ import annotations

import copy
import json
import os
import re
import string
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from endpoint_operator.api.constants import API_VERSION, KIND
from endpoint_operator.api.crd import build_crd
from endpoint_operator.api.spec import InvalidSpec, validate_spec
from cluster.test_crd_validation import install_crd, names
from unit.test_spec_validation import EXAMPLES, GOOD_SPECS

pytestmark = pytest.mark.cluster

EXAMPLES_PER_SOURCE = int(os.environ.get("TWINS_EXAMPLES", "150"))
TWINS = settings(max_examples=EXAMPLES_PER_SOURCE, derandomize=True, database=None, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])
SPEC_SCHEMA = build_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
SMALL = 3  # items of generated lists and maps, beyond the minimum


# ---- specs from the schema ------------------------------------------------------------------

def _string(node: dict[str, Any]) -> st.SearchStrategy[str]:
    if "enum" in node:
        return st.sampled_from(node["enum"])
    low, high = node.get("minLength", 0), node.get("maxLength", 64)
    if "pattern" in node:
        return st.from_regex(node["pattern"], fullmatch=True).filter(lambda s: low <= len(s) <= high)
    return st.text(min_size=low, max_size=min(high, 24)) | st.just("x" * high)


def _number(node: dict[str, Any], integer: bool) -> st.SearchStrategy[Any]:
    low, high = node.get("minimum"), node.get("maximum")
    if integer:
        values = st.integers(min_value=low, max_value=high)
        edges = [v for v in (low, high) if v is not None]
        return values | st.sampled_from(edges) if edges else values
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False,
                     exclude_min=bool(node.get("exclusiveMinimum")) and low is not None) | st.integers(0, 10)


def from_schema(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    kind = node["type"]
    if kind == "object" and "properties" in node:
        required = set(node.get("required", []))
        props = {k: from_schema(v) for k, v in node["properties"].items()}
        return st.fixed_dictionaries({k: v for k, v in props.items() if k in required},
                                     optional={k: v for k, v in props.items() if k not in required})
    if kind == "object":
        keys = st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=12)
        return st.dictionaries(keys, from_schema(node["additionalProperties"]),
                               max_size=min(node.get("maxProperties", SMALL), SMALL))
    if kind == "array":
        low = node.get("minItems", 0)
        items = from_schema(node["items"])
        keys = node.get("x-kubernetes-list-map-keys")
        unique = (lambda item: tuple(item.get(k) for k in keys)) if keys else None
        return st.lists(items, min_size=low, max_size=min(node.get("maxItems", SMALL), low + SMALL), unique_by=unique)
    if kind == "string":
        return _string(node)
    if kind in ("integer", "number"):
        return _number(node, kind == "integer")
    if kind == "boolean":
        return st.booleans()
    raise AssertionError(f"no strategy for {node}")


# ---- specs from the examples ----------------------------------------------------------------

BASES = [yaml.safe_load(p.read_text())["spec"] for p in EXAMPLES] + [p.values[0] for p in GOOD_SPECS]
ODD_VALUES = [
    None, "", "1", "true", "false", 0, 1, -1, True, False, 1.5, 2.0, 2**53, 2**63, 10**30, 1e300,
    "x" * 300, "\u0661", "us-east-\u0661", "0\u00a022 * * *", [], {}, [None], {"a": "b"}, ["a"],
]
WIDE_CHARS = {"0": "\u0660", "1": "\u0661", "2": "\uff12", " ": "\u00a0", "-": "\u2010", "a": "\u00e1"}


def _paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _get(value: Any, path: tuple) -> Any:
    for part in path:
        value = value[part]
    return value


def _snake(name: str) -> str:
    """The Python attribute's name: snake_case, or with pydantic's trailing _ (async_)."""
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
    return snake if snake != name else f"{name}_"


@st.composite
def mutated(draw) -> dict[str, Any]:
    spec = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(spec) if p]
        path = draw(st.sampled_from(paths))
        parent, last = _get(spec, path[:-1]), path[-1]
        action = draw(st.sampled_from(["replace", "replace", "delete", "snake", "unknown", "repeat", "widen"]))
        if action == "replace":
            parent[last] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
        elif action == "delete" and isinstance(parent, dict):
            del parent[last]
        elif action == "snake" and isinstance(parent, dict):
            parent[_snake(last)] = parent.pop(last)
        elif action == "unknown" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["replicas", "Region", "extra"]))] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
        elif action == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif action == "widen" and isinstance(parent[last], str) and parent[last]:
            text = parent[last]
            spots = [i for i, c in enumerate(text) if c in WIDE_CHARS] or [0]
            i = draw(st.sampled_from(spots))
            parent[last] = text[:i] + WIDE_CHARS.get(text[i], "\u0661") + text[i + 1:]
    return spec


# ---- the two verdicts -----------------------------------------------------------------------

def python_verdict(spec: dict[str, Any]) -> list[str] | None:
    """None when accepted, else the fields named."""
    try:
        validate_spec(spec)
    except InvalidSpec as refused:
        return [e.field for e in refused.errors]
    return None


def server_verdict(control_plane, namespace: str, spec: dict[str, Any]) -> str | None:
    """None when accepted, else the API server's (or kubectl's) refusal."""
    document = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": "twin", "namespace": namespace},
                "spec": spec}
    result = control_plane.kubectl("apply", "--dry-run=server", "-f", "-",
                                   input=json.dumps(document, allow_nan=True), check=False)
    return None if result.returncode == 0 else result.stderr


class Tally:
    def __init__(self):
        self.specs = self.accepted = 0

    def judge(self, control_plane, namespace: str, spec: dict[str, Any]) -> None:
        self.specs += 1
        ours, theirs = python_verdict(spec), server_verdict(control_plane, namespace, spec)
        spec_text = json.dumps(spec, allow_nan=True)[:3000]
        if ours is None:
            assert theirs is None, f"validate_spec accepted what the API server refused:\n{theirs}\n{spec_text}"
            self.accepted += 1
            return
        assert theirs is not None, f"validate_spec refused ({ours}) what the API server accepted:\n{spec_text}"
        assert any(names(field, theirs) for field in ours), \
            f"validate_spec named {ours}, the API server did not:\n{theirs}\n{spec_text}"


@pytest.fixture(scope="module")
def twin_namespace(control_plane, crd):
    control_plane.kubectl("create", "namespace", "twins")
    return "twins"


@pytest.fixture(scope="module")
def crd(control_plane):
    return install_crd(control_plane)


@pytest.mark.parametrize("source", ["schema", "examples"])
def test_twins_agree(control_plane, twin_namespace, source):
    tally = Tally()
    strategy = from_schema(SPEC_SCHEMA) if source == "schema" else mutated()

    @TWINS
    @given(strategy)
    def judge(spec):
        tally.judge(control_plane, twin_namespace, spec)

    judge()
    print(f"\n{source}: {tally.specs} specs, {tally.accepted} accepted by both")
    assert tally.specs >= min(EXAMPLES_PER_SOURCE, 50)
    assert 0 < tally.accepted < tally.specs  # both verdicts were exercised
