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


def _subdomain(field: str, value: str) -> list[SpecError]:
    errors = []
    if len(value) > SUBDOMAIN_LEN:
        errors.append(_invalid(field, value, f"must be no more than {SUBDOMAIN_LEN} characters"))
    if not re.fullmatch(_SUBDOMAIN, value, re.ASCII):
        errors.append(_invalid(field, value, (
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            f"and must start and end with an alphanumeric character (regex used for validation is '{_SUBDOMAIN}')")))
    return errors


def _label(field: str, value: str) -> list[SpecError]:
    errors = []
    if len(value) > LABEL_LEN:
        errors.append(_invalid(field, value, f"must be no more than {LABEL_LEN} characters"))
    if not re.fullmatch(_LABEL, value, re.ASCII):
        errors.append(_invalid(field, value, (
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
            f"and must start and end with an alphanumeric character (regex used for validation is '{_LABEL}')")))
    return errors


def metadata_errors(metadata: Mapping[str, Any]) -> list[SpecError]:
    """The API server's refusals of `metadata.name` and `metadata.namespace` (absent: default)."""
    name, namespace = metadata.get("name"), metadata.get("namespace")
    errors: list[SpecError] = []
    if not isinstance(name, str) or not name:
        errors.append(SpecError("metadata.name", "metadata.name: Required value: name is required"))
    else:
        errors += _subdomain("metadata.name", name)
    if namespace is not None:
        if not isinstance(namespace, str):
            errors.append(SpecError("metadata.namespace", "metadata.namespace: must be a string"))
        elif namespace:
            errors += _label("metadata.namespace", namespace)
    return errors
