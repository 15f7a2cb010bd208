"""Canary rollouts: a pure state machine.

(rollout status, spec, gate readings, observed endpoint, command, now) -> the next
action and the new rollout status. A change of a RealTime or Async endpoint's model
under spec.rollout becomes: one EndpointConfig with the serving model as variant
`primary` and the new one as `canary` (UpdateEndpoint, canary at the first step's
weight), then UpdateEndpointWeightsAndCapacities per step, then UpdateEndpoint to
the blueprint's config (the new model alone); the ordinary garbage collection then
removes what is no longer used. A failed gate or an abort moves the canary's weight
to 0 at once and returns the endpoint to the config it served before.

Level-based like the rest of the planner: status says which step the rollout is at
and when it began; each pass compares the observed weights with that step and moves
one step. A weight already shifted (the operator died before writing status) is
adopted, never sent twice. See docs/rollouts.md for the user's view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..api import constants
from ..api.resources import IN_FLIGHT_STATUSES, EndpointConfig, ObservedEndpoint, ProductionVariant
from ..api.spec import OnFailure, RolloutStep
from ..api.status import ModelEndpointStatus, RolloutPhase, RolloutStatus
from . import naming
from .actions import Action, CreateEndpointConfig, ShiftTraffic, UpdateEndpoint
from .blueprint import Blueprint
from .builders import profile_of
from .decision import NOT_DEGRADED, Verdict
from .duration import parse_duration
from .endpoint import EndpointStep
from .gates import (
    CANARY, FAILED, INCONCLUSIVE, PASSED, PRIMARY, SHADOW, GateQuery, GateReadings, GateResult, has_gates, inconclusive, judge,
    query_for,
)
from .naming import is_owned_name
from .observed import Observed
from .rollout_capacity import canary_instances, capacity_before_shift

# The phases (status.rollout.phase), named in the API; every change of phase is made
# by _Machine.move, with the notice that tells of it.
SHADOWING = RolloutPhase.SHADOWING
STARTING = RolloutPhase.STARTING
PROGRESSING = RolloutPhase.PROGRESSING
AWAITING = RolloutPhase.AWAITING_PROMOTION
PAUSED = RolloutPhase.PAUSED
HALTED = RolloutPhase.HALTED
SUPERSEDED = RolloutPhase.SUPERSEDED
PROMOTING = RolloutPhase.PROMOTING
ROLLING_BACK = RolloutPhase.ROLLING_BACK
ROLLED_BACK = RolloutPhase.ROLLED_BACK
SUCCEEDED = RolloutPhase.SUCCEEDED

AT_STEP = frozenset({PROGRESSING, AWAITING, PAUSED, HALTED, SUPERSEDED})
ACTIVE = AT_STEP | {SHADOWING, STARTING, PROMOTING, ROLLING_BACK}
JUDGED = frozenset({PROGRESSING, AWAITING, PAUSED})

# Annotation verbs: `pause` holds while present; the others act once per value
# (`promote`, then `promote:2` to promote again).
PAUSE, PROMOTE, ABORT, RETRY = "pause", "promote", "abort", "retry"
VERBS = (PAUSE, PROMOTE, ABORT, RETRY)
ANNOTATION = constants.ROLLOUT_ANNOTATION

Notice = tuple[str, str, str]  # (event type, reason, message)


@dataclass(frozen=True)
class RolloutPlan:
    """`step` None: no rollout is engaged and the ordinary endpoint step applies."""

    step: EndpointStep | None
    status: RolloutStatus | None
    verdict: Verdict | None = None
    requeue_after: float | None = None
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class Command:
    verb: str
    value: str


def parse_command(value: str | None) -> Command | None:
    if not value or not value.strip():
        return None
    return Command(verb=value.strip().split(":", 1)[0].strip().lower(), value=value.strip())


def gate_query(bp: Blueprint, observed: Observed, previous: ModelEndpointStatus | None) -> GateQuery | None:
    """What the handler must read before planning: only while a step is being judged."""
    r = previous.rollout if previous else None
    ep = observed.endpoint
    if bp.rollout is None or not has_gates(bp.rollout.analysis) or r is None:
        return None
    if r.phase == SHADOWING:
        # The shadow step: the shadow variant's metrics against the primary's.
        if ep is None or ep.status != "InService" or ep.config_name != r.shadow_config or r.step_started_at is None \
                or r.to_revision != bp.config.name:
            return None
        return query_for(bp.rollout.analysis, ep.name, r.step_started_at, None, SHADOW)
    if r.phase not in JUDGED:
        return None
    if ep is None or ep.status != "InService" or ep.config_name != r.canary_config or r.step_started_at is None:
        return None
    if r.to_revision != bp.config.name:
        return None
    return query_for(bp.rollout.analysis, ep.name, r.step_started_at, canary_percent(ep),
                     requests_metric=profile_of(bp.mode).requests_metric)


def plan_rollout(bp: Blueprint, observed: Observed, previous: ModelEndpointStatus | None, *,
                 now: datetime, gates: GateReadings | None = None, command: str | None = None) -> RolloutPlan:
    machine = _Machine(bp, observed, previous, now, gates, parse_command(command))
    return machine.finish(machine.decide())


# ---- the machine -------------------------------------------------------------------

@dataclass
class _Machine:
    bp: Blueprint
    observed: Observed
    previous: ModelEndpointStatus | None
    now: datetime
    gates: GateReadings | None
    command: Command | None
    notices: list[Notice] = field(default_factory=list)
    consumed: bool = False
    deferred: bool = False  # waiting on SageMaker: a one-shot command keeps until it can act

    @property
    def r(self) -> RolloutStatus | None:
        return self.previous.rollout if self.previous else None

    @property
    def ep(self) -> ObservedEndpoint | None:
        return self.observed.endpoint

    @property
    def steps(self) -> list[RolloutStep]:
        return self.bp.rollout.steps if self.bp.rollout else []

    # ---- commands ------------------------------------------------------------------

    def fresh(self, verb: str) -> bool:
        """A one-shot command of this verb not yet acted on; taking it consumes it."""
        c = self.command
        handled = self.r.handled_command if self.r else None
        if c is None or c.verb != verb or verb == PAUSE or c.value == handled or self.consumed:
            return False
        self.consumed = True
        return True

    @property
    def pause_requested(self) -> bool:
        return self.command is not None and self.command.verb == PAUSE

    def note(self, type_: str, reason: str, message: str) -> None:
        self.notices.append((type_, reason, message))

    def move(self, r: RolloutStatus, phase: RolloutPhase, notice: Notice | None = None, **fields) -> RolloutStatus:
        """The one place a rollout changes phase: the new status, and the notice (an
        event; its text also reaches the conditions through `describe`) that tells of it."""
        if notice is not None:
            self.note(*notice)
        return r.model_copy(update={"phase": phase, **fields})

    # ---- entry ---------------------------------------------------------------------

    def decide(self) -> RolloutPlan:
        r, ep, bp = self.r, self.ep, self.bp
        if r is not None and r.phase in ACTIVE:
            if ep is None or ep.status in ("Failed", "Deleting"):
                self.note("Warning", "RolloutAbandoned", f"Endpoint {bp.endpoint_name} is gone or failed; the rollout is abandoned")
                return self.release()
            if ep.status in IN_FLIGHT_STATUSES:
                return self.in_flight(r)
            if ep.status != "InService":
                return self.release()
            if bp.rollout is None:
                # spec.rollout removed mid-rollout: the ordinary update finishes the change at once.
                self.note("Normal", "RolloutCancelled", "spec.rollout was removed; updating the endpoint to the new model directly")
                return self.release()
            if r.to_revision != bp.config.name:
                return self.retarget(r)
            if ep.config_name == r.to_revision and r.phase != ROLLING_BACK:
                # Promoted before status said so (a status from before the operator wrote
                # ahead): the rollout is done, never walked again.
                return self.promoting(r)
            return {
                SHADOWING: self.shadowing,
                STARTING: self.starting,
                PROMOTING: self.promoting,
                ROLLING_BACK: self.rolling_back,
            }.get(r.phase, self.at_step)(r)
        if r is not None and r.phase == ROLLED_BACK and r.to_revision == bp.config.name and ep is not None:
            if self.fresh(RETRY):
                self.note("Normal", "RolloutRetried", f"Retrying the rollout by annotation {ANNOTATION}={self.command.value}")
                base = self.stable_variant()
                if base is not None and ep.status == "InService":
                    return self.begin(base, ep.config_name)
            return self.held(r)
        base = self.stable_variant()
        if base is not None and self.startable(base):
            return self.begin(base, self.ep.config_name)
        return self.release()

    def finish(self, plan: RolloutPlan) -> RolloutPlan:
        c = self.command
        handled = self.r.handled_command if self.r else None
        if c is not None and c.verb != PAUSE and c.value != handled and not self.consumed and not self.deferred:
            if c.verb not in VERBS:
                self.note("Warning", "RolloutCommandUnknown",
                          f"Annotation {ANNOTATION}={c.value}: unknown verb; use one of {', '.join(VERBS)}")
            else:
                self.note("Normal", "RolloutCommandIgnored",
                          f"Annotation {ANNOTATION}={c.value}: nothing to {c.verb} in phase {plan.status.phase if plan.status and plan.status.phase else 'idle'}")
            self.consumed = True
        if c is None or c.verb == PAUSE:
            new_handled = None
        else:
            new_handled = c.value if self.consumed else handled
        status = plan.status
        if status is None and new_handled is not None:
            status = RolloutStatus(handled_command=new_handled)
        elif status is not None:
            status = status.model_copy(update={"handled_command": new_handled, "progress": _progress(status)})
            if status == RolloutStatus():
                status = None
        return RolloutPlan(step=plan.step, status=status, verdict=plan.verdict,
                           requeue_after=plan.requeue_after, notices=tuple(self.notices))

    # ---- engagement ----------------------------------------------------------------

    def stable_variant(self) -> ProductionVariant | None:
        """The variant serving the old model: the serving config's `primary`."""
        ep = self.ep
        if ep is None:
            return None
        serving = self.observed.configs.get(ep.config_name or "")
        if serving is None or not is_owned_name(self.bp.endpoint_name, serving.name):
            return None
        primary = [v for v in serving.variants if v.name == PRIMARY]
        return primary[0] if primary else None

    def startable(self, base: ProductionVariant) -> bool:
        bp, ep = self.bp, self.ep
        serving = self.observed.configs.get(ep.config_name or "")
        return (
            bp.rollout is not None
            and profile_of(bp.mode).rollouts
            and len(bp.config.variants) == 1 and len(bp.models) == 1
            and ep.status == "InService"
            and ep.config_name != bp.config.name
            and serving is not None and len(serving.variants) == 1
            and base.model_name != bp.models[0].name
        )

    def release(self) -> RolloutPlan:
        """Not engaged: keep the record of a finished rollout for this target only."""
        r = self.r
        keep = r is not None and r.phase in (SUCCEEDED, ROLLED_BACK) and r.to_revision == self.bp.config.name
        return RolloutPlan(step=None, status=r if keep else None)

    # ---- phases --------------------------------------------------------------------

    def begin(self, base: ProductionVariant, from_revision: str) -> RolloutPlan:
        """A new rollout: the shadow step first when the spec asks for one, else the canary."""
        shadow = self.bp.rollout.shadow
        if shadow is None:
            return self.start(base, from_revision)
        bp, ep = self.bp, self.ep
        pct = shadow.sampling_percent
        primary = _instances(ep, PRIMARY) or base.initial_instance_count or 1
        config = shadow_config(bp, base, primary, pct, canary_instances(bp, primary, pct))
        actions: tuple[Action, ...] = ()
        if config.name not in self.observed.configs:
            actions += (CreateEndpointConfig(config=config),)
        actions += (UpdateEndpoint(name=ep.name, config_name=config.name),)
        status = self.move(RolloutStatus(), SHADOWING, (
            "Normal", "ShadowStarted",
            f"Shadow step of model {bp.models[0].name} started: {pct}% of production requests copied to it for "
            f"{shadow.pause}; callers see only the primary's answers"),
            steps=len(self.steps), from_revision=from_revision, to_revision=bp.config.name, shadow_config=config.name,
            sampling_percent=pct, primary_instances=primary, weight=0,
            message=f"Moving endpoint {ep.name} to config {config.name}: primary {base.model_name} answers, "
                    f"shadow {bp.models[0].name} gets a copy of {pct}% of requests")
        return self.plan(status, "Updating", "ShadowStarting", actions=actions, target=config.name)

    def shadowing(self, r: RolloutStatus) -> RolloutPlan:
        """The shadow step: moving onto the shadow config, then holding for its pause while
        the gates compare the shadow with the primary; a pass starts the canary steps."""
        ep, shadow = self.ep, self.bp.rollout.shadow
        if self.fresh(ABORT):
            return self.roll_back(r, f"aborted by annotation {ANNOTATION}={self.command.value} during the shadow step")
        if ep.config_name != r.shadow_config:
            if self.update_failed(r.shadow_config):
                return self.rolled_back(r, f"config {r.shadow_config} failed to deploy: {ep.failure_reason}")
            base = self.stable_variant()
            if r.shadow_config not in self.observed.configs and base is not None:
                return self.begin(base, r.from_revision or ep.config_name)
            return self.plan(r, "Updating", "ShadowStarting",
                             actions=(UpdateEndpoint(name=ep.name, config_name=r.shadow_config),), target=r.shadow_config)
        if shadow is None:
            # spec.rollout.shadow removed mid-step: on with the canary.
            base = self.stable_variant()
            return self.start(base, r.from_revision) if base is not None else self.release()
        if r.step_started_at is None:
            self.note("Normal", "ShadowStep", f"Endpoint {ep.name} serves the shadow: {r.sampling_percent}% of requests "
                                              f"copied to model {self.bp.models[0].name} until {shadow.pause} from now")
        started = r.step_started_at or self.now
        ends = started + parse_duration(shadow.pause)
        r = r.model_copy(update={"step_started_at": started, "pause_ends_at": ends, "message": None})
        analysis = self.bp.rollout.analysis
        gate = judge(analysis, self.gates, None, SHADOW) if self.gates is not None or not has_gates(analysis) else None
        if gate is not None and not self.pause_requested:
            gate = inconclusive(gate, analysis, ends, self.now)
        if gate is not None:
            r = r.model_copy(update={"last_gate": gate.summary()})
        if gate is not None and gate.outcome in (FAILED, INCONCLUSIVE):
            verdict = "failed" if gate.outcome == FAILED else "inconclusive"
            # Nothing reached a caller: there is nothing to hold, only to take away.
            return self.roll_back(r, f"gate {verdict} during the shadow step: {gate.detail}")
        if self.fresh(PROMOTE):
            self.note("Normal", "RolloutPromoted", f"Promoted by annotation {ANNOTATION}={self.command.value} during the shadow step")
        elif self.pause_requested or self.now < ends or gate is None or gate.outcome != PASSED:
            waits = [(ends - self.now).total_seconds()] if ends > self.now else []
            if has_gates(analysis):
                waits.append(parse_duration(analysis.interval).total_seconds())
            return self.plan(r, "InService", "Shadowing", requeue_after=min(waits) if waits else None)
        else:
            self.note("Normal", "ShadowPassed", f"Shadow step passed ({gate.detail}); starting the canary")
        base = self.stable_variant()
        return self.start(base, r.from_revision) if base is not None else self.release()

    def start(self, base: ProductionVariant, from_revision: str, steps_from: RolloutStatus | None = None) -> RolloutPlan:
        bp, ep = self.bp, self.ep
        first = self.steps[0].weight
        primary = _instances(ep, PRIMARY) or base.initial_instance_count or 1
        config = canary_config(bp, base, primary, first, canary_instances(bp, primary, first))
        actions: tuple[Action, ...] = ()
        if config.name not in self.observed.configs:
            actions += (CreateEndpointConfig(config=config),)
        actions += (UpdateEndpoint(name=ep.name, config_name=config.name),)
        status = self.move(RolloutStatus(), STARTING, (
            "Normal", "RolloutStarted",
            f"Canary rollout of model {bp.models[0].name} started: steps " + " -> ".join(f"{s.weight}%" for s in self.steps)),
            step=0, weight=first, steps=len(self.steps),
            from_revision=from_revision, to_revision=bp.config.name, canary_config=config.name,
            primary_instances=primary,
            message=f"Moving endpoint {ep.name} to config {config.name}: primary {base.model_name} {100 - first}%, "
                    f"canary {bp.models[0].name} {first}%",
        )
        return self.plan(status, "Updating", "CanaryStarting", actions=actions, target=config.name)

    def starting(self, r: RolloutStatus) -> RolloutPlan:
        ep = self.ep
        if ep.config_name == r.canary_config:
            status = r.model_copy(update={"step_started_at": self.now, "step": 0, "weight": self.steps[0].weight, "message": None})
            self.note("Normal", "CanaryStep", f"Endpoint {ep.name} serves the canary: step 1 of {len(self.steps)} at {self.steps[0].weight}%")
            return self.at_step(status, entered=True)
        if self.fresh(ABORT):
            return self.rolled_back(r, f"aborted by annotation {ANNOTATION}={self.command.value} before the canary served")
        if self.update_failed(r.canary_config):
            return self.rolled_back(r, f"config {r.canary_config} failed to deploy: {ep.failure_reason}")
        if r.canary_config not in self.observed.configs:
            return self.restart_from(r)
        return self.plan(r, "Updating", "CanaryStarting",
                         actions=(UpdateEndpoint(name=ep.name, config_name=r.canary_config),), target=r.canary_config)

    def restart_from(self, r: RolloutStatus) -> RolloutPlan:
        """The canary config vanished before it served: build it again."""
        base = self.stable_variant()
        if base is None:
            return self.release()
        return self.start(base, r.from_revision or self.ep.config_name)

    def at_step(self, r: RolloutStatus, entered: bool = False) -> RolloutPlan:
        ep, steps = self.ep, self.steps
        if ep.config_name != r.canary_config:
            # Moved off the canary config out of band: place the canary again from step 1.
            drift = ("Warning", "DriftCorrected",
                     f"Endpoint {ep.name} left canary config {r.canary_config} out of band; restarting the canary")
            return self.plan(self.move(r, STARTING, drift, step=0, weight=steps[0].weight, step_started_at=None),
                             "Updating", "CanaryStarting",
                             actions=(UpdateEndpoint(name=ep.name, config_name=r.canary_config),), target=r.canary_config)
        index, started = self.current_step(r)
        observed = canary_percent(ep)
        # The operator may have died between a weight shift and its status write: adopt it.
        if observed != steps[index].weight and index + 1 < len(steps) and observed == steps[index + 1].weight:
            index, started = index + 1, self.now
        weight = steps[index].weight
        r = r.model_copy(update={"step": index, "weight": weight, "steps": len(steps), "step_started_at": started})
        where = f"step {index + 1} of {len(steps)} (canary {weight}%)"

        if self.fresh(ABORT):
            return self.roll_back(r, f"aborted by annotation {ANNOTATION}={self.command.value} at {where}")
        analysis = self.bp.rollout.analysis
        gate = judge(analysis, self.gates, observed) if self.gates is not None or not has_gates(analysis) else None
        if gate is not None and not self.pause_requested:
            gate = inconclusive(gate, analysis, self.due_at(index, started), self.now)
        if gate is not None:
            r = r.model_copy(update={"last_gate": gate.summary()})
        if gate is not None and gate.outcome in (FAILED, INCONCLUSIVE) and r.phase != HALTED:
            verdict = "failed" if gate.outcome == FAILED else "inconclusive"
            if self.bp.rollout.on_failure == OnFailure.PAUSE:
                halt = ("Warning", "RolloutHalted", f"Gate {verdict} at {where}: {gate.detail}; holding until promoted or aborted")
                return self.stay(self.move(r, HALTED, halt, message=f"Gate {verdict} at {where}: {gate.detail}"), index, None)
            return self.roll_back(r, f"gate {verdict} at {where}: {gate.detail}")
        if observed != weight:
            why = f"{where}" if entered or observed is None else f"{where}; correcting {observed}%"
            return self.plan(self.move(r, self.holding_phase(r, index)), "Updating", "CanaryStep",
                             actions=(self.enact(r, weight, why),), target=r.canary_config)

        promote = self.fresh(PROMOTE)
        if promote:
            self.note("Normal", "RolloutPromoted", f"Promoted by annotation {ANNOTATION}={self.command.value} at {where}")
        elif r.phase == HALTED:
            return self.stay(r, index, gate)
        elif self.pause_requested:
            return self.stay(r, index, gate)
        else:
            pause = _pause(steps[index])
            last = index == len(steps) - 1
            due = (pause is not None and self.now >= started + pause) or (pause is None and last)
            if not due or gate is None or gate.outcome != PASSED:
                return self.stay(r, index, gate)
        if index == len(steps) - 1:
            return self.promote(r)
        nxt = steps[index + 1].weight
        r = self.move(r, self.step_phase(index + 1), step=index + 1, weight=nxt, step_started_at=self.now,
                      last_gate=None, message=None)
        return self.plan(r, "Updating", "CanaryStep",
                         actions=(self.enact(r, nxt, f"step {index + 2} of {len(steps)}"),), target=r.canary_config)

    def due_at(self, index: int, started: datetime) -> datetime | None:
        """When the step may move on by itself: its pause's end; the last step without a
        pause at once; None for a step that waits for a promotion."""
        pause = _pause(self.steps[index])
        if pause is not None:
            return started + pause
        return started if index == len(self.steps) - 1 else None

    def current_step(self, r: RolloutStatus) -> tuple[int, datetime]:
        """The status's step, or the equivalent one when spec.rollout.steps changed:
        the last step whose weight does not exceed the current weight (else the first)."""
        steps, index = self.steps, r.step or 0
        started = r.step_started_at or self.now
        if index < len(steps) and steps[index].weight == r.weight:
            return index, started
        current = r.weight or 0
        below = [i for i, s in enumerate(steps) if s.weight <= current]
        mapped = below[-1] if below else 0
        self.note("Normal", "RolloutStepsChanged",
                  f"spec.rollout.steps changed: continuing at step {mapped + 1} of {len(steps)} ({steps[mapped].weight}%)")
        return mapped, started if steps[mapped].weight == current else self.now

    def holding_phase(self, r: RolloutStatus, index: int) -> RolloutPhase:
        return HALTED if r.phase == HALTED else self.step_phase(index)

    def step_phase(self, index: int) -> RolloutPhase:
        """The phase of holding at step `index` (not halted)."""
        if self.pause_requested:
            return PAUSED
        return PROGRESSING if _pause(self.steps[index]) is not None or index == len(self.steps) - 1 else AWAITING

    def stay(self, r: RolloutStatus, index: int, gate: GateResult | None) -> RolloutPlan:
        phase = self.holding_phase(r, index)
        notice = None
        if phase == PAUSED and r.phase != PAUSED:
            notice = ("Normal", "RolloutPaused", f"Paused by annotation {ANNOTATION}=pause at step {index + 1} of {len(self.steps)}")
        if r.phase == PAUSED and phase != PAUSED:
            notice = ("Normal", "RolloutResumed", f"Resumed at step {index + 1} of {len(self.steps)}")
        pause = _pause(self.steps[index])
        ends = r.step_started_at + pause if pause is not None and r.step_started_at else None
        r = self.move(r, phase, notice, pause_ends_at=ends)
        waits: list[float] = []
        if ends is not None and phase == PROGRESSING and ends > self.now:
            waits.append((ends - self.now).total_seconds())
        if has_gates(self.bp.rollout.analysis) and phase in JUDGED:
            waits.append(parse_duration(self.bp.rollout.analysis.interval).total_seconds())
        reason = {PROGRESSING: "CanaryStep", AWAITING: "AwaitingPromotion", PAUSED: "Paused", HALTED: "Paused"}[phase]
        return self.plan(r, "InService", reason, requeue_after=min(waits) if waits else None)

    def promote(self, r: RolloutStatus) -> RolloutPlan:
        target = self.bp.config.name
        r = self.move(r, PROMOTING, pause_ends_at=None,
                      message=f"All steps passed: moving endpoint {self.ep.name} to config {target} (the new model alone)")
        return self.plan(r, "Updating", "CanaryPromoting",
                         actions=(UpdateEndpoint(name=self.ep.name, config_name=target),), target=target)

    def promoting(self, r: RolloutStatus) -> RolloutPlan:
        ep, target = self.ep, self.bp.config.name
        if ep.config_name == target:
            done = self.move(r, SUCCEEDED, ("Normal", "RolloutSucceeded",
                                            f"Canary rollout of config {target} succeeded: endpoint {ep.name} serves the new model alone"),
                             pause_ends_at=None, message=f"Serving config {target}")
            return RolloutPlan(step=None, status=done)
        if self.update_failed(target):
            return self.roll_back(r, f"config {target} failed to deploy: {ep.failure_reason}")
        return self.plan(r, "Updating", "CanaryPromoting",
                         actions=(UpdateEndpoint(name=ep.name, config_name=target),), target=target)

    def roll_back(self, r: RolloutStatus, why: str) -> RolloutPlan:
        return self.rolling_back(self.move(r, ROLLING_BACK, ("Warning", "RollingBack", f"Rolling back: {why}"),
                                           pause_ends_at=None, message=why))

    def rolling_back(self, r: RolloutStatus) -> RolloutPlan:
        ep = self.ep
        # status.rollout.weight is the canary's actual share: it falls to 0 with the shift back.
        r = r.model_copy(update={"weight": (canary_percent(ep) or 0) if ep.config_name == r.canary_config else 0})
        if ep.config_name == r.canary_config and r.weight > 0:
            return self.plan(r, "Updating", "RollingBack", actions=(self.shift(0, "rolling back"),), target=r.canary_config)
        if ep.config_name != r.from_revision and r.from_revision:
            return self.plan(r, "Updating", "RollingBack",
                             actions=(UpdateEndpoint(name=ep.name, config_name=r.from_revision),), target=r.from_revision)
        return self.rolled_back(r, r.message or "rolled back")

    def rolled_back(self, r: RolloutStatus, why: str) -> RolloutPlan:
        done = self.move(r, ROLLED_BACK, ("Warning", "RolledBack", f"Rolled back to config {r.from_revision}: {why}"),
                         pause_ends_at=None, message=why)
        return self.held(done)

    def held(self, r: RolloutStatus) -> RolloutPlan:
        r = r.model_copy(update={"weight": 0})  # rolled back: the primary serves all traffic
        message = (f"Rolled back to config {r.from_revision}: {r.message}; the rollout stays rolled back until "
                   f"the spec changes or {ANNOTATION}=retry")
        verdict = Verdict(ready=(False, ROLLED_BACK, message), progressing=(False, ROLLED_BACK, message),
                          degraded=(True, ROLLED_BACK, message))
        step = EndpointStep(phase=self.ep.status, reason=ROLLED_BACK, message=message, failure=(ROLLED_BACK, message),
                            target_config=r.from_revision)
        return RolloutPlan(step=step, status=r, verdict=verdict)

    def retarget(self, r: RolloutStatus) -> RolloutPlan:
        """spec's target changed mid-rollout: abandon this canary (its weight to 0),
        then start over with the new model, or leave it to the ordinary update when
        the new target needs no canary (the old model back, or no spec.rollout)."""
        ep = self.ep
        if ep.config_name == r.canary_config and (canary_percent(ep) or 0) > 0:
            notice = None if r.phase == SUPERSEDED else (
                "Normal", "RolloutSuperseded", f"The spec's model changed mid-rollout; moving canary traffic of {ep.name} back to primary")
            r = self.move(r, SUPERSEDED, notice, pause_ends_at=None,
                          message="the spec changed mid-rollout: canary traffic back to primary first")
            return self.plan(r, "Updating", "CanaryStarting", actions=(self.shift(0, "superseded by a spec change"),),
                             target=r.canary_config)
        base = self.stable_variant()
        if base is not None and self.bp.rollout is not None and profile_of(self.bp.mode).rollouts \
                and len(self.bp.models) == 1 and base.model_name != self.bp.models[0].name \
                and ep.config_name != self.bp.config.name:
            serving = self.observed.configs[ep.config_name]
            # Back to the stable config on failure: the one served before this rollout, or
            # the one serving now when it is a single model (an earlier rollout's result).
            alone = len(serving.variants) == 1 and not serving.shadow_models
            stable = ep.config_name if alone else (r.from_revision or ep.config_name)
            return self.begin(base, stable)
        return self.release()

    def in_flight(self, r: RolloutStatus) -> RolloutPlan:
        self.deferred = True
        ep = self.ep
        reason = {SHADOWING: "ShadowStarting", STARTING: "CanaryStarting", PROMOTING: "CanaryPromoting",
                  ROLLING_BACK: "RollingBack", AWAITING: "AwaitingPromotion", PAUSED: "Paused",
                  HALTED: "Paused"}.get(r.phase, "CanaryStep")
        where = ("the shadow step" if r.phase == SHADOWING else
                 f"step {(r.step or 0) + 1} of {r.steps or len(self.steps)} (canary {r.weight}%)")
        step = EndpointStep(phase=ep.status, reason=reason, in_flight=True, target_config=_target(r),
                            message=f"Endpoint {ep.name} is {ep.status} on config {ep.config_name}; rollout {r.phase} at {where}")
        return RolloutPlan(step=step, status=r, verdict=self.verdict(r, step))

    # ---- building blocks -----------------------------------------------------------

    def update_failed(self, config: str | None) -> bool:
        """An UpdateEndpoint to `config` ended with SageMaker back where it was."""
        prev = self.previous.endpoint if self.previous else None
        ep = self.ep
        return bool(ep.failure_reason) and prev is not None and prev.target_config == config and (
            prev.status in IN_FLIGHT_STATUSES or prev.failure_reason != ep.failure_reason)

    def enact(self, r: RolloutStatus, canary: int, why: str) -> Action:
        """The next call towards `canary` %: the canary's instances first, in a call of
        their own (the endpoint is Updating after it), then the weight."""
        capacity = capacity_before_shift(self.bp, self.ep, r, canary)
        return capacity if capacity is not None else self.shift(canary, why)

    def shift(self, canary: int, why: str) -> ShiftTraffic:
        return ShiftTraffic(name=self.ep.name, weights=((CANARY, float(canary)), (PRIMARY, float(100 - canary))), why=why)

    def plan(self, r: RolloutStatus, phase: str, reason: str, actions: tuple[Action, ...] = (),
             target: str | None = None, requeue_after: float | None = None) -> RolloutPlan:
        message = self.describe(r)
        step = EndpointStep(phase=phase if actions else self.ep.status, reason=reason, message=message,
                            actions=actions, target_config=target or _target(r))
        return RolloutPlan(step=step, status=r, verdict=self.verdict(r, step), requeue_after=requeue_after)

    def describe(self, r: RolloutStatus) -> str:
        if r.phase == SHADOWING:
            if r.pause_ends_at is None:
                return f"Rollout Shadowing: {r.message}"
            return (f"Shadow step: {r.sampling_percent}% of requests copied to the new model, callers see the primary, "
                    f"until {r.pause_ends_at.isoformat()}" + (f"; last gate {r.last_gate}" if r.last_gate else ""))
        n = r.steps or len(self.steps)
        at = f"step {(r.step or 0) + 1} of {n}, canary {r.weight}%"
        if r.phase in (PROGRESSING,) and r.pause_ends_at:
            return f"Canary {at} until {r.pause_ends_at.isoformat()}" + (f"; last gate {r.last_gate}" if r.last_gate else "")
        if r.phase == AWAITING:
            return f"Canary {at}: waiting for {ANNOTATION}=promote" + (f"; last gate {r.last_gate}" if r.last_gate else "")
        if r.phase == PAUSED:
            return f"Canary {at}: paused by {ANNOTATION}=pause; remove it to resume"
        if r.phase == HALTED:
            return f"Canary {at}: {r.message}; annotate {ANNOTATION}=promote to continue or abort to roll back"
        if r.phase in (STARTING, PROMOTING, ROLLING_BACK, SUPERSEDED) and r.message:
            return f"Rollout {r.phase}: {r.message}"
        return f"Canary {at}"

    def verdict(self, r: RolloutStatus, step: EndpointStep) -> Verdict:
        if r.phase in (ROLLING_BACK,):
            degraded = (True, ROLLED_BACK, f"Rolling back: {r.message}")
        elif r.phase == HALTED:
            degraded = (True, "GateFailed", r.message or "a gate failed")
        else:
            degraded = NOT_DEGRADED
        return Verdict(ready=(False, step.reason, step.message), progressing=(True, step.reason, step.message), degraded=degraded)


# ---- pure helpers ------------------------------------------------------------------

def canary_config(bp: Blueprint, stable: ProductionVariant, primary_instances: int | None, weight: int,
                  canary_instances: int | None = None) -> EndpointConfig:
    """The serving variant as `primary` next to the blueprint's as `canary`, content-hashed;
    the canary starts with the instances its first weight needs."""
    target = bp.config.variants[0]
    primary = stable.model_copy(update={
        "name": PRIMARY, "weight": float(100 - weight),
        "initial_instance_count": primary_instances or stable.initial_instance_count,
    })
    canary = target.model_copy(update={
        "name": CANARY, "weight": float(weight),
        "initial_instance_count": canary_instances or target.initial_instance_count,
    })
    # The desired config's own settings (volume key, data capture) hold for the canary's too.
    settings = bp.config.settings()
    digest = naming.content_hash({"variants": (primary, canary), "canary": True, **settings})
    return EndpointConfig(name=naming.config_name(bp.endpoint_name, digest), variants=(primary, canary), tags=bp.tags,
                          **settings)


def shadow_config(bp: Blueprint, stable: ProductionVariant, primary_instances: int | None, sampling: int,
                  shadow_instances: int | None = None) -> EndpointConfig:
    """The serving variant as `primary`, alone in ProductionVariants (it answers every
    caller), and the blueprint's as the shadow variant `shadow`. Its weight against the
    primary's 100 is the share of requests copied to it; it gets the instances that
    share needs."""
    target = bp.config.variants[0]
    primary = stable.model_copy(update={
        "name": PRIMARY, "weight": 100.0, "initial_instance_count": primary_instances or stable.initial_instance_count,
    })
    shadow = target.model_copy(update={
        "name": SHADOW, "weight": float(sampling),
        "initial_instance_count": shadow_instances or target.initial_instance_count,
    })
    digest = naming.content_hash({"variants": (primary,), "shadow": (shadow,)})
    return EndpointConfig(name=naming.config_name(bp.endpoint_name, digest), variants=(primary,),
                          shadow_variants=(shadow,), tags=bp.tags)


def canary_percent(ep: ObservedEndpoint) -> int | None:
    """The canary's share of traffic in percent, None without a canary variant."""
    weights = {v.name: v.weight or 0.0 for v in ep.variants}
    total = sum(weights.values())
    if CANARY not in weights or total <= 0:
        return None
    return round(100 * weights[CANARY] / total)


def _instances(ep: ObservedEndpoint, variant: str) -> int | None:
    for v in ep.variants:
        if v.name == variant:
            return v.current_instances
    return None


def _pause(step: RolloutStep) -> timedelta | None:
    return parse_duration(step.pause) if step.pause else None


def _progress(r: RolloutStatus) -> str | None:
    """The printer column's "2/3": kubectl cannot add one to the step index."""
    return f"{r.step + 1}/{r.steps}" if r.step is not None and r.steps else None


def _target(r: RolloutStatus) -> str | None:
    if r.phase == ROLLING_BACK:
        return r.from_revision
    if r.phase == PROMOTING:
        return r.to_revision
    if r.phase == SHADOWING:
        return r.shadow_config
    return r.canary_config
