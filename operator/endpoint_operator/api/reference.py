"""docs/reference.md, generated from the CRD the models generate: every field with its
type, whether it is required, its constraints and description, and the cross-field
rules the API server enforces. A test fails when the committed file drifts.

    python -m endpoint_operator.api.reference > docs/reference.md
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .crd import build_crd
from .spec import ENVIRONMENT_ENTRIES, ENVIRONMENT_KEY_LEN, ENVIRONMENT_VALUE_LEN, MAX_MODELS

REFERENCE_FILE = "docs/reference.md"

_LONG_ENUM = 12  # past this, a count and the first few (the instance types number hundreds)


def _enum(values: list[Any]) -> str:
    if len(values) <= _LONG_ENUM:
        return "one of " + ", ".join(f"`{x}`" for x in values)
    first = ", ".join(f"`{x}`" for x in values[:4])
    return f"one of {len(values)} values ({first}, ...; the CRD lists them all)"


def _visible(pattern: str) -> str:
    """A pattern's invisible characters (line and paragraph separators) as \\uXXXX."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in pattern)


_CONSTRAINTS = (
    ("enum", _enum),
    ("pattern", lambda v: f"pattern `{_visible(v)}`"),
    ("minimum", lambda v: f"≥ {v:g}" if isinstance(v, float) else f"≥ {v}"),
    ("maximum", lambda v: f"≤ {v:g}" if isinstance(v, float) else f"≤ {v}"),
    ("minLength", lambda v: f"length ≥ {v}"),
    ("maxLength", lambda v: f"length ≤ {v}"),
    ("minItems", lambda v: f"items ≥ {v}"),
    ("maxItems", lambda v: f"items ≤ {v}"),
    ("maxProperties", lambda v: f"entries ≤ {v}"),
    ("format", lambda v: f"format {v}"),
)


READING = [
    "## How a manifest is read",
    "",
    "`endpoint-operator plan` (and the operator) judge a manifest exactly as the API server judges what",
    "`kubectl apply` sends, naming the same field:",
    "",
    "- Field names are the camelCase ones above; any other name (`endpoint_name`, `async_`) is an unknown",
    "  field and refused (kubectl's strict field validation).",
    "- No coercion: `\"1\"` is not an integer, `0` is not a boolean, `true` is not a number. A number",
    "  without a fraction (`2.0`) is an integer, as kubectl sends it.",
    "- Integers are bounded (at most 2^53 - 1 where no smaller bound is given; the API server's",
    "  integers are int64); numbers are finite (YAML's `.inf` and `.nan` cannot be sent as JSON).",
    "- `field: null` is the same as leaving the field out, for every field and map value, defaults",
    "  applying; a `null` list item is refused.",
    "- Patterns are ASCII: `[0-9]` and `[\\t\\n\\f\\r ]` (an Arabic-Indic digit or a no-break space",
    "  does not match).",
    "- `metadata.name` is an RFC 1123 subdomain (lower-case letters, digits, `-` and `.`, at most 253",
    "  characters), `metadata.namespace` an RFC 1123 label (no `.`, at most 63).",
]

# Measured by tests/cluster/test_object_size.py, which fails when the largest spec outgrows it.
LARGEST_SPEC_KIB = 860
SIZE = [
    "## Size",
    "",
    "The bounds above keep the largest object inside etcd's request limit (1.5 MiB by default), so a",
    f"manifest the schema accepts is also stored: at most {MAX_MODELS} models, {ENVIRONMENT_ENTRIES} environment",
    f"variables per model (names of {ENVIRONMENT_KEY_LEN} and values of {ENVIRONMENT_VALUE_LEN} characters), 50 tags.",
    "The largest spec they allow is about",
    f"{LARGEST_SPEC_KIB} KiB of JSON, about 1.1 MiB stored with its managedFields and a status",
    "(tests/cluster/test_object_size.py creates one).",
    "",
    "Client-side `kubectl apply` also keeps a copy of the manifest in the",
    "`kubectl.kubernetes.io/last-applied-configuration` annotation, and the API server limits all",
    "annotations of an object to 256 KiB (`metadata.annotations: Too long`). Apply a manifest larger",
    "than that with `kubectl apply --server-side` (or `kubectl create`).",
]


def _type(node: dict[str, Any]) -> str:
    kind = node.get("type", "any")
    if kind == "array":
        return f"[]{_type(node.get('items', {}))}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"map[string]{_type(node['additionalProperties'])}"
    if node.get("x-kubernetes-int-or-string"):
        return "int or string"
    return kind


def _constraints(node: dict[str, Any]) -> str:
    parts = []
    values = node.get("additionalProperties")
    if isinstance(values, dict) and _constraints(values):
        parts.append(f"values: {_constraints(values)}")
    for key, show in _CONSTRAINTS:
        if key in node:
            value = node[key]
            if key == "minimum" and node.get("exclusiveMinimum") is True:
                parts.append(f"> {value:g}" if isinstance(value, float) else f"> {value}")
                continue
            if key == "maximum" and node.get("exclusiveMaximum") is True:
                parts.append(f"< {value:g}" if isinstance(value, float) else f"< {value}")
                continue
            parts.append(show(value))
    return "; ".join(parts)


_LONG_LIST = re.compile(r"\[('[^']*', ){9,}'[^']*'\]")


def _elide_long_lists(rule: str) -> str:
    """A list of hundreds of names (the time zones) is shown by its first ones."""
    def head(match: re.Match) -> str:
        names = match.group(0)[1:-1].split(", ")
        return f"[{', '.join(names[:3])}, ... ({len(names)} names)]"
    return _LONG_LIST.sub(head, rule)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _fields(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any], bool]]:
    required = set(node.get("required", []))
    for name, child in node.get("properties", {}).items():
        child_path = f"{path}.{name}"
        yield child_path, child, name in required
        yield from _children(child, child_path)


def _children(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any], bool]]:
    if node.get("type") == "object":
        yield from _fields(node, path)
    elif node.get("type") == "array" and node.get("items", {}).get("type") == "object":
        yield from _fields(node["items"], f"{path}[]")


def _rules(node: dict[str, Any], path: str) -> Iterator[tuple[str, str, str]]:
    for rule in node.get("x-kubernetes-validations", []):
        yield path, rule.get("message", ""), rule["rule"]
    for name, child in node.get("properties", {}).items():
        yield from _rules(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from _rules(node["items"], f"{path}[]")


def _table(root: dict[str, Any], top: str) -> list[str]:
    lines = ["| field | type | required | constraints | description |", "| --- | --- | --- | --- | --- |"]
    for path, node, required in _fields(root, top):
        lines.append(f"| `{path}` | {_cell(_type(node))} | {'yes' if required else ''} | "
                     f"{_cell(_constraints(node))} | {_cell(node.get('description', ''))} |")
    return lines


def render_reference() -> str:
    crd = build_crd()
    version = crd["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    names = crd["spec"]["names"]
    group = crd["spec"]["group"]
    out = [
        "# ModelEndpoint field reference",
        "",
        "<!-- Generated from the models by `python -m endpoint_operator.api.reference > docs/reference.md`;",
        "     do not edit by hand. -->",
        "",
        f"`apiVersion: {group}/{version['name']}`, `kind: {names['kind']}` (plural `{names['plural']}`, "
        f"short name `{', '.join(names.get('shortNames', []))}`), namespaced, with the status subresource.",
        "",
        schema.get("description", ""),
        "",
        "## spec",
        "",
        *_table(schema["properties"]["spec"], "spec"),
        "",
        "## Rules across fields",
        "",
        "The API server refuses a manifest that breaks one of these (CEL `x-kubernetes-validations`),",
        "with the message shown.",
        "",
        "| where | message | rule |",
        "| --- | --- | --- |",
    ]
    for path, message, rule in _rules(schema["properties"]["spec"], "spec"):
        out.append(f"| `{path}` | {_cell(message)} | `{_cell(_elide_long_lists(rule))}` |")
    out += [
        "",
        "`spec.models` is a list keyed by `name` (`x-kubernetes-list-type: map`): a repeated name is refused",
        "at the repeated item, `spec.models[1]: Duplicate value`, and server-side apply merges the list",
        "by name, as it merges a Deployment's containers. Map keys are bounded by a rule on the map",
        "(`keys must be at most N characters`, and the pattern AWS gives them), which names the map.",
        "",
        *READING,
        "",
        *SIZE,
    ]
    out += [
        "",
        "## status",
        "",
        "Written by the operator only.",
        "",
        *_table(schema["properties"]["status"], "status"),
        "",
        "## kubectl columns",
        "",
        "| column | from |",
        "| --- | --- |",
    ]
    for column in version.get("additionalPrinterColumns", []):
        wide = " (with `-o wide`)" if column.get("priority") else ""
        out.append(f"| {column['name']}{wide} | `{_cell(column['jsonPath'])}` |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render_reference(), end="")
