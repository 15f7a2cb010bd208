"""Brownfield fields of the spec: adopting an existing SageMaker endpoint in place,
and replacing others that are retired once their traffic has stopped.

Adoption is explicit: `spec.adopt` with `spec.endpointName` naming the endpoint. An
endpoint that carries another ModelEndpoint's ownership tags is never adopted.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .duration import DURATION, cel_duration_seconds, duration_seconds
from .patterns import ascii_re
from .rules import Rule, SpecModel

ENDPOINT_NAME = ascii_re(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")  # SageMaker's EndpointName
MAX_REPLACED = 50
IDLE_MIN_SECONDS = 60
IDLE_MAX_SECONDS = 30 * 86400


class AdoptSpec(SpecModel):
    collect_previous: Annotated[bool, Field(description="Once the adopted endpoint serves this spec, delete the endpoint configs and models it ran on before (the operator did not create them). Defaults to false: they are left as they are.")] = False


class ReplacesSpec(SpecModel):
    endpoints: Annotated[list[Annotated[str, Field(pattern=ENDPOINT_NAME, max_length=63)]], Field(min_length=1, max_length=MAX_REPLACED, description="Existing SageMaker endpoints this one replaces; each is deleted once it has had no invocations for idleFor, after this endpoint serves.")]
    idle_for: Annotated[str, Field(pattern=DURATION, max_length=32, description="How long a replaced endpoint must go without invocations before it is deleted, 1m to 30d. Defaults to 24h.")] = "24h"

    rules = (
        Rule("idleFor", "spec.replaces.idleFor must be between 1m and 30d",
             f"!has(self.idleFor) || ({cel_duration_seconds('self.idleFor')} >= {IDLE_MIN_SECONDS}.0"
             f" && {cel_duration_seconds('self.idleFor')} <= {IDLE_MAX_SECONDS}.0)",
             lambda r: IDLE_MIN_SECONDS <= duration_seconds(r.idle_for) <= IDLE_MAX_SECONDS),
        Rule("endpoints", "spec.replaces.endpoints must not repeat a name",
             "self.endpoints.all(e, self.endpoints.exists_one(f, f == e))",
             lambda r: len(set(r.endpoints)) == len(r.endpoints)),
    )

    def idle_seconds(self) -> float:
        return duration_seconds(self.idle_for)


# Rules of ModelEndpointSpec about these fields (spec.py adds them to its own).
SPEC_RULES = (
    Rule("adopt", "spec.adopt needs spec.endpointName: the name of the SageMaker endpoint to adopt",
         "!has(self.adopt) || has(self.endpointName)",
         lambda s: s.adopt is None or s.endpoint_name is not None),
    Rule("replaces", "spec.replaces.endpoints must not name spec.endpointName: an endpoint cannot replace itself",
         "!has(self.replaces) || !has(self.endpointName) || !(self.endpointName in self.replaces.endpoints)",
         lambda s: s.replaces is None or s.endpoint_name is None or s.endpoint_name not in s.replaces.endpoints),
)
