"""Status of adoption and of replaced endpoints draining (see api/adoption.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from .base import KubeModel


class AdoptionStatus(KubeModel):
    endpoint: Annotated[str | None, Field(description="The SageMaker endpoint adopted in place.")] = None
    adopted_at: Annotated[datetime | None, Field(description="When the operator tagged it as this object's.")] = None
    previous_config: Annotated[str | None, Field(description="The endpoint config it served when adopted (not created by the operator).")] = None
    previous_models: Annotated[list[str] | None, Field(description="The models of that config.")] = None
    collected: Annotated[bool | None, Field(description="Whether the previous config and models were deleted (spec.adopt.collectPrevious).")] = None


class DrainingEndpoint(KubeModel):
    name: Annotated[str, Field(description="A replaced endpoint still serving.")]
    last_invocation: Annotated[datetime | None, Field(description="The last hour with invocations seen in CloudWatch; absent when none in the window read.")] = None
    idle_since: Annotated[datetime | None, Field(description="When the replacement began to drain it, if no invocation was seen since.")] = None


class ReplacementStatus(KubeModel):
    draining: Annotated[list[DrainingEndpoint] | None, Field(description="Replaced endpoints not retired yet, with their last invocation.")] = None
    remaining: Annotated[int | None, Field(description="How many replaced endpoints are left to retire.")] = None
    retired: Annotated[list[str] | None, Field(description="Replaced endpoints deleted once idle.")] = None
    draining_since: Annotated[datetime | None, Field(description="When this endpoint began to serve and the replaced ones began to drain.")] = None
