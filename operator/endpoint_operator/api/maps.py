"""String maps whose keys and values AWS constrains (tags, container environment,
metric dimensions).

A structural CRD schema cannot constrain map keys (no `propertyNames`), so each map
is judged by one `Rule`: CEL checks the keys on the API server, where the schema
already bounds the values (`additionalProperties`: maxLength, pattern); the Python
twin checks keys and values with the same patterns, so both sides name the map itself
(`spec.tags`), never one entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError, WithJsonSchema

from .rules import Rule


@dataclass(frozen=True)
class StringRange:
    """A string's length bounds and RE2 pattern (anchored; None: any characters)."""

    min: int
    max: int
    pattern: str | None = None

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max}
        if self.min:
            schema["minLength"] = self.min
        if self.pattern:
            schema["pattern"] = self.pattern
        return schema

    def cel(self, var: str) -> str:
        checks = [f"size({var}) <= {self.max}"]
        if self.min:
            checks.insert(0, f"size({var}) >= {self.min}")
        if self.pattern:
            checks.append(f"{var}.matches({_cel_string(self.pattern)})")
        return " && ".join(checks)

    def adapter(self) -> TypeAdapter:
        # pydantic's own regex engine, as for every other pattern of the spec.
        return TypeAdapter(Annotated[str, Field(min_length=self.min, max_length=self.max, pattern=self.pattern)])


@dataclass(frozen=True)
class StringMap:
    """A map of `max_items` entries at most; `path` is its spec path ("spec.tags")."""

    path: str
    max_items: int
    key: StringRange
    value: StringRange
    what: str  # the rule's sentence after the path: "keys take 1-128 characters ..."

    def type(self, description: str) -> Any:
        """The field's type: values bounded in the CRD schema, judged in Python by the rule."""
        value = Annotated[str, WithJsonSchema(self.value.schema())]
        bounded = Annotated[dict[str, value], Field(max_length=self.max_items)]
        return Annotated[bounded | None, Field(description=description)]

    def rule(self, attr: str, wire: str) -> Rule:
        """The rule on the model holding the map as `attr` (`wire` on the wire)."""
        keys, values = self.key.adapter(), self.value.adapter()

        def holds(model: Any) -> bool:
            entries = getattr(model, attr) or {}
            return all(_valid(keys, k) and _valid(values, v) for k, v in entries.items())

        return Rule(wire, f"{self.path} {self.what}",
                    f"!has(self.{wire}) || self.{wire}.all(k, {self.key.cel('k')})", holds)


def _valid(adapter: TypeAdapter, text: str) -> bool:
    try:
        adapter.validate_python(text)
    except ValidationError:
        return False
    return True


def _cel_string(text: str) -> str:
    """A CEL string literal: single-quoted, backslashes and quotes escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
