"""What the API server checks of a ModelEndpoint's name and namespace, for `plan`.

A custom resource's name is a DNS subdomain (RFC 1123: at most 253 characters of
lower-case letters, digits, '-' and '.'), its namespace a DNS label (at most 63, no
'.'); the messages are the API server's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .rules import SpecError

_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN = rf"{_LABEL}(\.{_LABEL})*"
SUBDOMAIN_LEN = 253
LABEL_LEN = 63


def _invalid(field: str, value: str, why: str) -> SpecError:
    return SpecError(field, f"{field}: Invalid value: {value!r}: {why}")


# (regex, most characters, the API server's words for the kind and its characters)
_SUBDOMAIN_RULE = (_SUBDOMAIN, SUBDOMAIN_LEN, "subdomain", ", '-' or '.'")
_LABEL_RULE = (_LABEL, LABEL_LEN, "label", " or '-'")


def _rfc1123(field: str, value: str, rule: tuple[str, int, str, str]) -> list[SpecError]:
    pattern, most, kind, characters = rule
    errors = []
    if len(value) > most:
        errors.append(_invalid(field, value, f"must be no more than {most} characters"))
    if not re.fullmatch(pattern, value, re.ASCII):
        errors.append(_invalid(field, value, (
            f"a lowercase RFC 1123 {kind} must consist of lower case alphanumeric characters{characters}, "
            f"and must start and end with an alphanumeric character (regex used for validation is '{pattern}')")))
    return errors


def metadata_errors(metadata: Mapping[str, Any]) -> list[SpecError]:
    """The API server's refusals of `metadata.name` and `metadata.namespace` (absent: default)."""
    name, namespace = metadata.get("name"), metadata.get("namespace")
    errors: list[SpecError] = []
    if not isinstance(name, str) or not name:
        errors.append(SpecError("metadata.name", "metadata.name: Required value: name is required"))
    else:
        errors += _rfc1123("metadata.name", name, _SUBDOMAIN_RULE)
    if namespace is not None:
        if not isinstance(namespace, str):
            errors.append(SpecError("metadata.namespace", "metadata.namespace: must be a string"))
        elif namespace:
            errors += _rfc1123("metadata.namespace", namespace, _LABEL_RULE)
    return errors
