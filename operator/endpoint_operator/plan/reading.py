"""What a sync reads of AWS, decided before it reads anything.

The first of the planner's two answers in a sync (the second, what to do given what
was read, is plan/deciding.py): from the blueprint, where it is placed, the status
last written and the rollout annotation, which reads the handler makes
(handlers/observe.py). Pure.

Two reads depend on what the first one found, and are asked for once it is in:
the canary's gates (gates_to_read: the query needs the endpoint's config and the
canary's weight, and the time of the judgement), and brownfield adoption's own reads
(handlers/brownfield.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..api.resources import S3Object
from ..api.spec import ModelEndpointSpec
from ..api.status import ModelEndpointStatus
from .blueprint import Blueprint
from .leftover_artifacts import recorded_leftover_prefix
from .migration import Placement
from .observed import Observed
from .s3url import parse_s3_url
from .gates import GateQuery
from .rollout import gate_query
from .suspension import suspension_state


@dataclass(frozen=True)
class Reading:
    """What to read, in the order read."""

    # The endpoint's observation. `made`: the names of every SageMaker resource of the
    # object, all made by this process at this generation, while it is on its way to
    # its first Ready: only the endpoint is read (observe_made). None: read in full.
    made: frozenset[str] | None
    tracks_made: bool  # simple enough to be read light: what it makes is recorded (SyncResult.made)
    with_tags: bool  # the endpoint's tags too: status has not recorded it as the object's yet
    first: bool  # the finalizer was just put on: with no endpoint, nothing else can exist
    components: bool  # its inference components, where some may exist
    # Once the endpoint is seen (on a full observation): its scaling.
    scaling_variants: frozenset[str]  # besides the endpoint's own variants
    scaling_alarms: bool  # the operator's alarms even without a target
    scaling_components: frozenset[str]  # besides the components observed
    gates: bool  # a canary step may be judged: gates_to_read asks once the endpoint is seen
    retiring: str | None  # the other slot's endpoint a migration retires, read in full with its scaling
    leftover: S3Object | None  # a multi-model prefix the blueprint no longer uses, listed to collect it
    command: str | None  # the rollout annotation's value

    @property
    def light(self) -> bool:
        return self.made is not None


def what_to_read(spec: ModelEndpointSpec, placement: Placement, previous: ModelEndpointStatus | None,
                 command: str | None, first: bool = False, made: frozenset[str] | None = None) -> Reading:
    """`placement.blueprint`: the blueprint on the endpoint that should serve the spec;
    `first`: this sync put the finalizer on; `made`: what the last sync said it made."""
    bp = placement.blueprint
    # Whatever reads more than the endpoint to decide (artifacts, scaling, a rollout,
    # components, adoption and replacement, suspension) is never read light.
    simple = (placement.retiring is None and bp.artifact_prefix is None and not bp.scaling
              and bp.rollout is None and not (previous and previous.rollout)
              and not bp.components and not (previous and previous.components)
              and spec.adopt is None and spec.replaces is None and spec.cost_controls is None
              and command is None)
    if simple and first:
        made = frozenset()  # the finalizer was just put on: nothing of this object can exist yet
    return Reading(
        made=made if simple else None,
        tracks_made=simple,
        with_tags=recorded_arn(previous, bp.endpoint_name) is None,
        first=first and placement.retiring is None,
        components=bool(bp.components) or bool(previous and previous.components),
        scaling_variants=frozenset({v.name for v in bp.config.variants} | status_variants(previous)),
        scaling_alarms=any(s.alarms for s in bp.scaling),
        scaling_components=frozenset(c.name for c in bp.components),
        gates=bp.rollout is not None and previous is not None and previous.rollout is not None,
        retiring=placement.retiring,
        leftover=recorded_leftover_prefix(bp, recorded_prefix(previous)),
        command=command,
    )


def gates_to_read(reading: Reading, spec: ModelEndpointSpec, bp: Blueprint, observed: Observed,
                  previous: ModelEndpointStatus | None, now: datetime) -> GateQuery | None:
    """The canary's gates to read, once the endpoint is seen: only while a step is being
    judged (rollout.gate_query), never while spec.costControls suspends the endpoint."""
    if not reading.gates:
        return None
    suspension = suspension_state(spec.cost_controls, now)
    if suspension is not None and suspension.suspended:
        return None
    return gate_query(bp, observed, previous)


def made_after_reading(reading: Reading, observed: Observed, light: bool) -> frozenset[str] | None:
    """What the object is known to have been made of by this process after the read:
    what the light read assumed, while it held (`light`); nothing, when a full read of
    an object simple enough found nothing of it; else unknown (None)."""
    if not reading.tracks_made:
        return None
    if light:
        return reading.made
    if observed.endpoint is None and not observed.models and not observed.configs:
        return frozenset()  # what it makes from now on is all there is
    return None


# ---- what status recorded ------------------------------------------------------------

def recorded_arn(previous: ModelEndpointStatus | None, endpoint_name: str) -> str | None:
    """The ARN status recorded for this endpoint name: the operator made it."""
    endpoint = previous.endpoint if previous else None
    return endpoint.arn if endpoint is not None and endpoint.name == endpoint_name else None


def recorded_prefix(previous: ModelEndpointStatus | None) -> S3Object | None:
    """The multi-model artifact prefix status recorded, if it still reads as one."""
    url = previous.artifact_prefix if previous else None
    if not url:
        return None
    try:
        prefix = parse_s3_url(url)
    except ValueError:
        return None
    return prefix if prefix.bucket and prefix.key.strip("/") else None  # never a bucket's root


def status_variants(previous: ModelEndpointStatus | None) -> set[str]:
    """Variants status last saw: their targets are looked for even once they left the endpoint."""
    return {v.name for v in (previous.variants or [])} if previous else set()
