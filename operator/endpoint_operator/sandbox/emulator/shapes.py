"""Requests judged against botocore's service model before anything acts on them, as
AWS judges them: lengths, patterns, enums, numeric ranges and required members.

botocore itself checks only required members, types and minimums before sending;
moto checks a few members by hand (its instance types are years old). AWS checks
every constraint of the model and answers a ValidationException that lists each
violation, in this form (SageMaker's CreateEndpointConfig, as quoted in
aws/amazon-sagemaker-examples#2228):

  "1 validation error detected: Value 'ENTER MODEL NAME' at
  'productionVariants.1.member.modelName' failed to satisfy constraint: Member must
  satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*"

Member paths are lower camel case, list items `.N.member` counted from 1. Patterns
are Java's, matched whole; `java_regex` reads them with the `regex` module.
"""

from __future__ import annotations

import functools
from typing import Any

import regex
from botocore.loaders import Loader

_JAVA_CLASSES = {"d": "0-9", "w": "a-zA-Z0-9_", "s": r" \t\n\x0B\f\r"}  # ASCII, as in Java
_JAVA_DOT = r"[^\n\r\x85\u2028\u2029]"  # Java's `.` stops at every line terminator
_NUMBERS = ("integer", "long", "float", "double")


@functools.cache
def java_regex(pattern: str) -> regex.Pattern:
    r"""A service-model (Java) pattern for the `regex` module: \d \w \s are ASCII,
    `.` stops at line terminators, \p{Print} is ASCII, and a supplementary character
    written as its UTF-16 surrogate pair is one code point."""
    pattern = pattern.replace(r"\uD800\uDC00-\uDBFF\uDFFF", r"\U00010000-\U0010FFFF")
    pattern = pattern.replace(r"\p{Print}", r"[\x20-\x7E]")
    out, depth, i = [], 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            letter = pattern[i + 1]
            body = _JAVA_CLASSES.get(letter.lower())
            if body is None:
                out.append(pattern[i:i + 2])
            elif letter.isupper():
                out.append(f"[^{body}]")
            else:
                out.append(body if depth else f"[{body}]")
            i += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif char == "." and not depth:
            char = _JAVA_DOT
        out.append(char)
        i += 1
    return regex.compile("".join(out), regex.V1)


class ServiceShapes:
    """One service's model, judging the input of its operations."""

    def __init__(self, service: str) -> None:
        model = Loader().load_service_model(service, "service-2")
        self._operations = model["operations"]
        self._shapes = model["shapes"]

    def violations(self, operation: str, params: dict[str, Any]) -> list[str]:
        """Each constraint `params` breaks, in AWS's words; [] for a valid request."""
        spec = self._operations.get(operation, {}).get("input")
        if spec is None:
            return []
        found: list[str] = []
        self._structure(spec["shape"], params, "", found)
        return found

    def _structure(self, name: str, value: dict[str, Any], path: str, found: list[str]) -> None:
        shape = self._shapes[name]
        for member in shape.get("required", []):
            if value.get(member) is None:
                found.append(f"Value null at '{_join(path, member)}' failed to satisfy constraint: Member must not be null")
        for member, ref in shape.get("members", {}).items():
            if value.get(member) is not None:
                self._value(ref["shape"], value[member], _join(path, member), found)

    def _value(self, name: str, value: Any, path: str, found: list[str]) -> None:
        shape = self._shapes[name]
        kind = shape["type"]
        if kind == "structure" and isinstance(value, dict):
            self._structure(name, value, path, found)
            return
        broken = self._broken(shape, value)
        if broken:
            found.extend(f"Value {_show(value)} at '{path}' failed to satisfy constraint: {b}" for b in broken)
        if kind == "list" and isinstance(value, list):
            for index, item in enumerate(value, start=1):
                self._value(shape["member"]["shape"], item, f"{path}.{index}.member", found)
        elif kind == "map" and isinstance(value, dict):
            keys = sorted({b for k in value for b in self._broken(self._shapes[shape["key"]["shape"]], k)})
            values = sorted({b for v in value.values() for b in self._broken(self._shapes[shape["value"]["shape"]], v)})
            for what, constraints in (("Map keys", keys), ("Map value", values)):
                if constraints:
                    found.append(f"Value {_show(value)} at '{path}' failed to satisfy constraint: "
                                 f"{what} must satisfy constraint: [{', '.join(constraints)}]")

    @staticmethod
    def _broken(shape: dict[str, Any], value: Any) -> list[str]:
        """The constraints of `shape` that `value` breaks (its own, not its members')."""
        kind = shape["type"]
        broken = []
        if kind in _NUMBERS and isinstance(value, (int, float)) and not isinstance(value, bool):
            if "min" in shape and value < shape["min"]:
                broken.append(f"Member must have value greater than or equal to {shape['min']}")
            if "max" in shape and value > shape["max"]:
                broken.append(f"Member must have value less than or equal to {shape['max']}")
        elif kind in ("string", "list", "map") and isinstance(value, (str, list, dict)):
            if "min" in shape and len(value) < shape["min"]:
                broken.append(f"Member must have length greater than or equal to {shape['min']}")
            if "max" in shape and len(value) > shape["max"]:
                broken.append(f"Member must have length less than or equal to {shape['max']}")
            if kind == "string" and "enum" in shape and value not in shape["enum"]:
                broken.append(f"Member must satisfy enum value set: [{', '.join(shape['enum'])}]")
            if kind == "string" and "pattern" in shape and not java_regex(shape["pattern"]).fullmatch(value):
                broken.append(f"Member must satisfy regular expression pattern: {shape['pattern']}")
        return broken


def validation_message(violations: list[str]) -> str:
    count = len(violations)
    return f"{count} validation error{'s' if count != 1 else ''} detected: " + "; ".join(violations)


@functools.cache
def shapes_of(service: str) -> ServiceShapes:
    return ServiceShapes(service)


def _join(path: str, member: str) -> str:
    name = member[:1].lower() + member[1:]
    return f"{path}.{name}" if path else name


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "'{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}'"
    if isinstance(value, list):
        return "'[" + ", ".join(str(v) for v in value) + "]'"
    return f"'{value}'"
