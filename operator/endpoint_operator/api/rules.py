"""Cross-field rules, written once and judged twice.

Each `Rule` carries a CEL expression for the API server (it lands in the CRD as
`x-kubernetes-validations` on the model that declares it) and a Python predicate that
says the same thing about the parsed model, so a manifest that never meets an API server
(the offline `plan`, unit tests) is refused with the same message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from .base import KubeModel
from .listmap import DUPLICATE_ERROR
from .wire import as_read

RULE_ERROR = "spec_rule"


@dataclass(frozen=True)
class Rule:
    """One judgement over an object of the spec.

    `cel` sees the object as `self` (and the previous one as `oldSelf` when
    `transition`); absent optional fields must be tested with `has()`, and defaults
    that the CRD does not apply must be spelled out. `holds` sees the parsed model
    (with defaults applied), or `(new, old)` when `transition`.
    """

    field: str  # the field the message is about, relative to the object ("" = itself)
    message: str  # names the full field path, e.g. "spec.instances.min must be <= ..."
    cel: str
    holds: Callable[..., bool]
    transition: bool = False

    def to_validation(self) -> dict[str, str]:
        rule = {"rule": self.cel, "message": self.message}
        if self.field:
            rule["fieldPath"] = "." + self.field
        return rule


@dataclass(frozen=True)
class SpecError:
    field: str  # "spec.instances.min"
    message: str

    def __str__(self) -> str:
        if self.message.startswith(self.field):
            return self.message
        return f"{self.field}: {self.message}"


class InvalidSpec(ValueError):
    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def _add_cel_rules(schema: dict[str, Any], cls: type) -> None:
    rules = getattr(cls, "rules", ())
    if rules:
        schema["x-kubernetes-validations"] = [r.to_validation() for r in rules]


class SpecModel(KubeModel):
    """A spec object whose `rules` are enforced on parse and exported to the CRD."""

    rules: ClassVar[tuple[Rule, ...]] = ()
    # What the API server refuses, refused here too: inf and NaN (it cannot parse them),
    # and (in `parse`) snake_case names, which it does not know, and every coercion.
    model_config = ConfigDict(json_schema_extra=_add_cel_rules, allow_inf_nan=False)

    @model_validator(mode="after")
    def _check_rules(self):
        broken = [r for r in type(self).rules if not r.transition and not r.holds(self)]
        if broken:
            raise PydanticCustomError(
                RULE_ERROR,
                "; ".join(r.message for r in broken),
                {"broken": [(r.field, r.message) for r in broken]},
            )
        return self


def join_path(prefix: str, loc: tuple[str | int, ...], field: str = "") -> str:
    if "[key]" in loc:  # a map's key: the API server names the map
        loc = loc[:loc.index("[key]") - 1]
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return f"{path}.{field}" if field else path


def spec_errors(error: ValidationError, prefix: str = "spec") -> list[SpecError]:
    """Turns pydantic's errors into field-named ones; rule errors keep their message."""
    errors: list[SpecError] = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        if detail["type"] == RULE_ERROR:
            for field, message in detail["ctx"]["broken"]:
                errors.append(SpecError(join_path(prefix, loc, field), message))
        elif detail["type"] == DUPLICATE_ERROR:  # each repeated item, as the API server names them
            for index in detail["ctx"]["indexes"]:
                errors.append(SpecError(join_path(prefix, (*loc, index)), detail["msg"]))
        else:
            errors.append(SpecError(join_path(prefix, loc), detail["msg"]))
    return errors


def transition_errors(model: SpecModel, old: SpecModel, prefix: str = "spec") -> list[SpecError]:
    """The update rules (CEL `oldSelf`) of one model, judged in Python."""
    return [
        SpecError(join_path(prefix, (), r.field), r.message)
        for r in type(model).rules
        if r.transition and not r.holds(model, old)
    ]


def parse(model: type[SpecModel], data: Mapping[str, Any], prefix: str = "spec") -> SpecModel:
    """`data` judged as the API server judges it: the JSON kubectl sends, without nulls,
    wire (camelCase) names only, and no coercion: `"1"` is not 1 and `0` is not false."""
    try:
        return model.model_validate_json(as_read(data),
                                         strict=True, by_alias=True, by_name=False)
    except ValidationError as e:
        raise InvalidSpec(spec_errors(e, prefix)) from None
