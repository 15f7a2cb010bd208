"""One level-based sync of one ModelEndpoint: parse, observe, plan, act, report.

The same function serves create, update, resume, drift and delete: it reads the
object and AWS as they are now and moves one step towards the manifest. It blocks
(boto3 and the Kubernetes client are synchronous) and runs in a worker thread.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from ..api import constants
from ..api.accounts import AccountBindings
from ..api.pricing import PriceTable, load_prices
from ..api.resources import ObservedEndpoint, S3Object
from ..api.spec import DeletionPolicy, InvalidSpec, ModelEndpointSpec, validate_spec
from ..api.status import ModelEndpointStatus
from ..aws.calls import LIMITED_CODE, keeping_reads, priority_reads
from ..aws.errors import GatewayError, Throttled, Transient
from ..kube.client import Conflict, KubeGateway
from ..kube.status_writer import StatusWriter
from ..plan import naming
from ..plan.accounts import AccountTarget, account_moved, choose_account
from ..plan.actions import (Action, CreateEndpoint, CreateEndpointConfig, CreateModel, DeleteEndpoint,
                            DeleteInferenceComponent)
from ..plan.artifacts import served_blueprint
from ..plan.blueprint import Blueprint, build_blueprint
from ..plan.builders.common import PRIMARY
from ..plan.deciding import decide
from ..plan.decision import Decision
from ..plan.errors import PlanError, planning_failure
from ..plan.failures import aws_rejected, plan_failure, waiting_for_aws
from ..plan.finalize import artifact_deletions, deletion_leftover
from ..plan.identity import Owner, not_owned
from ..plan.migration import migration_event, place
from ..plan.observed import Observed
from ..plan.overdue import DEFAULT_WARNING_SECONDS
from ..plan.reading import gates_to_read, made_after_reading, what_to_read
from ..plan.reading import recorded_arn as _recorded_arn, recorded_prefix as _recorded_prefix
from ..plan.reading import status_variants as _status_variants
from ..plan.rollout_artifacts import models_to_describe
from . import brownfield
from .execute import execute
from .idle import IdleReadings
from .observe import observe_endpoint, observe_scaling_of, read_the_rest, with_model_data, with_scaling
from .outcome import AWAIT, DONE, POLL, YIELD, Next, Outcome, after_acting, poll, retry
from .prometheus import PrometheusReader
from .slots import finalize_slots
from .wiring import AwsGateways

log = logging.getLogger(__name__)

# A call AWS rejected for good is tried again no sooner than this (then on the backoff):
# what fixes it (access, a quota) changes outside the manifest, and a spec change syncs at once.
REJECTED_RETRY_SECONDS = 300.0

# Decision phases whose actions (CreateEndpoint, UpdateEndpoint) start an endpoint transition.
STARTED_TRANSITIONS = frozenset({"Creating", "Updating"})


@dataclass(frozen=True)
class SyncResult:
    outcome: Outcome  # when to look again (see outcome.py)
    region: str | None = None
    endpoint_name: str | None = None
    endpoint_seen: tuple[str, datetime | None] | None = None  # (status, LastModifiedTime) just observed
    generation: int | None = None
    acted: bool = False  # actions were executed: the object is no longer new
    # Names of every SageMaker resource of the object, all made by this process at this
    # generation, while it is on its way to its first Ready: the next sync reads only
    # the endpoint (observe_made). None: the next sync observes in full.
    made: frozenset[str] | None = None
    account: AccountTarget | None = None  # where the object's calls go (None: nothing was called)


class Syncer:
    def __init__(self, kube: KubeGateway, aws: AwsGateways,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 prices: PriceTable | None = None, transition_warning_seconds: float = DEFAULT_WARNING_SECONDS,
                 prometheus: PrometheusReader | None = None, bindings: AccountBindings | None = None):
        self.kube = kube
        self.transition_warning_seconds = transition_warning_seconds  # see plan/overdue.py
        self.prometheus = prometheus or PrometheusReader()  # the Prometheus gates' server
        self.bindings = bindings or AccountBindings()  # which namespace may use which account
        self.idle = IdleReadings()  # Invocations read in bulk by the controller's idle sweep
        self.prices = prices or load_prices()  # status.cost; never fetched
        self.aws = aws
        self.clock = clock
        self.status = StatusWriter(kube, lambda: self.clock())  # status and conditions, one way

    # ---- entry ---------------------------------------------------------------------

    def sync(self, body: dict[str, Any], attempt: int = 0, urgent: bool = False,
             made: frozenset[str] | None = None) -> SyncResult:
        """`attempt`: failed syncs in a row before this one (a failure's traceback is logged
        once). `urgent`: the sweep saw this object's endpoint change; its reads may take the
        limiter's reserve, so the change is reported ahead of a burst's routine work.
        `made`: what the last sync's result said it made (SyncResult.made)."""
        with priority_reads(urgent), keeping_reads():
            return self._sync(body, attempt, made)

    def _sync(self, body: dict[str, Any], attempt: int, made: frozenset[str] | None = None) -> SyncResult:
        meta = body["metadata"]
        owner = Owner(namespace=meta["namespace"], name=meta["name"], uid=meta["uid"])
        generation = int(meta.get("generation") or 0)
        previous = _parse_status(body.get("status"))
        spec, spec_error = _parse_spec(body.get("spec"))

        if meta.get("deletionTimestamp"):
            return self._finalize(body, owner, spec, previous, attempt)
        if spec_error is not None:
            self.status.report(body, previous, plan_failure(spec_error, generation, previous))
            return SyncResult(DONE, generation=generation)
        try:
            # Before anything else: a role the namespace was not given is never assumed.
            account = choose_account(owner, spec.role_arn, self.bindings)
        except PlanError as error:
            self.status.report(body, previous, plan_failure(error, generation, previous))
            return SyncResult(DONE, generation=generation)
        first = constants.FINALIZER not in (meta.get("finalizers") or [])
        if first:
            # Before anything exists in AWS, so nothing can be created without the
            # finalizer that guarantees its deletion. Guarded by resourceVersion.
            try:
                self.kube.set_finalizers(owner.namespace, owner.name,
                                         [*(meta.get("finalizers") or []), constants.FINALIZER],
                                         meta["resourceVersion"])
            except Conflict:
                return SyncResult(retry(0.5))
        try:
            try:
                blueprint = _planning(build_blueprint, spec, owner, recorded=_recorded_name(previous))
            except PlanError as error:
                self.status.report(body, previous, plan_failure(error, generation, previous))
                return SyncResult(DONE, generation=generation)
            return self._reconcile(body, blueprint, spec.region, generation, previous, attempt, spec=spec,
                                   first=first, account=account, made=made)
        except PlanningCrashed as crashed:
            return self._planning_failed(body, previous, crashed.error, attempt, generation)

    # ---- create / update / drift ---------------------------------------------------

    def _reconcile(self, body, blueprint: Blueprint, region: str, generation: int,
                   previous: ModelEndpointStatus | None, attempt: int, *, spec: ModelEndpointSpec,
                   first: bool = False, account: AccountTarget = AccountTarget(),
                   made: frozenset[str] | None = None) -> SyncResult:
        """The planner is asked twice: what to read (plan/reading.py), then, given what
        was read, what to do (plan/deciding.py). Between the two, the handler reads."""
        aws = self.aws.for_account(account)
        sagemaker, s3 = aws.sagemaker(region), aws.s3(region)
        # A change of endpoint kind moves to the object's other endpoint name.
        rebuild = lambda name: build_blueprint(spec, blueprint.owner, endpoint_name=name)  # noqa: E731
        try:
            placement = _planning(place, blueprint, previous, rebuild)
        except PlanError as error:
            self.status.report(body, previous, plan_failure(error, generation, previous))
            return SyncResult(DONE, generation=generation)
        blueprint = placement.blueprint
        where: dict[str, Any] = dict(region=region, endpoint_name=blueprint.endpoint_name, generation=generation,
                                     account=account, made=None)
        try:
            reading = _planning(what_to_read, spec, placement, previous, rollout_command(body),
                                first=first, made=made)
            where["made"] = reading.made
            moved = _planning(account_moved, _any_recorded_arn(previous), _account_id(aws, account, region))
            if moved is not None:
                self.status.report(body, previous, plan_failure(moved, generation, previous))
                return SyncResult(DONE, **where)
            # First read: the endpoint (light, or in full).
            observed, light = observe_endpoint(sagemaker, s3, blueprint, reading)
            where["made"] = made_after_reading(reading, observed, light)
            if not light:
                # MultiModel: serve the artifact folder S3 already holds when it fits the spec.
                blueprint = _planning(served_blueprint, spec, blueprint, observed)
                # MultiModel under a rollout: which folder the primary serves (none at rest).
                observed = with_model_data(sagemaker, observed, _planning(models_to_describe, blueprint, observed, previous))
            # Brownfield adoption judges what the first read found and does its own I/O
            # (tags, the adopted config): a handler step, as is the ownership check, so
            # an endpoint refused or still waiting to be adopted is read no further.
            adoption = (brownfield.adopt(aws, self.kube, body, spec, blueprint, observed, previous, self.clock())
                        if spec.adopt is not None else None)
            foreign = adoption.refusal if adoption else (
                _planning(not_owned, observed.endpoint, blueprint.owner) if reading.with_tags and not light else None)
            if foreign is not None:
                self.status.report(body, previous, plan_failure(foreign, generation, previous))
                return SyncResult(DONE, **where)
            if adoption is not None:
                if adoption.wait:
                    return SyncResult(POLL, **where)
                observed = adoption.observed
            observed = observe_scaling_of(aws, region, blueprint.endpoint_name, reading, observed, light)
            now = self.clock()  # the judgement's time: after the endpoint and its scaling are read
            # Second read: the gates' query needs the endpoint seen (its config and the
            # canary's weight), so it is asked here, then the rest is read.
            query = _planning(gates_to_read, reading, spec, blueprint, observed, previous, now)
            readings = read_the_rest(aws, region, reading, observed, query, now, self.prometheus)
            readings = dataclasses.replace(readings, idle=self.idle.get((blueprint.owner.namespace,
                                                                         blueprint.owner.name)))
            observed = readings.observed
            decision = _planning(decide, spec, blueprint, placement, reading, readings, previous, generation, now,
                                 self.prices, self.transition_warning_seconds)
            if spec.adopt is not None or spec.replaces is not None:
                # Brownfield convergence collects and retires with its own reads and calls.
                decision = brownfield.converge(aws, self.kube, body, spec, blueprint, observed, decision,
                                               previous, now, adoption)
            for correction in decision.corrections:
                self.kube.post_event(body, "Warning", "DriftCorrected", correction)
            for type_, reason, message in decision.notices:
                self.kube.post_event(body, type_, reason, message)
            if decision.actions and not self.status.write_ahead(body, previous, decision):
                return SyncResult(retry(0.5), **where)
            deferred = False
            for index, action in enumerate(decision.actions):
                if index and sagemaker.budget_spent("mutation"):
                    deferred = True
                    break
                took_effect = execute(action, sagemaker, s3, aws.autoscaling(region), aws.cloudwatch(region))
                where["made"] = _made_after(where["made"], action, took_effect)
                self.kube.post_event(body, "Normal", type(action).__name__, action.describe())
            if deferred:
                # As after a crash between two actions: status is not written, the next
                # pass observes what was done and plans the rest.
                return SyncResult(YIELD, acted=True, **where)
            moved = migration_event(previous, decision)
            if moved is not None:
                self.kube.post_event(body, "Normal", *moved)
        except Transient as error:
            return self._transient(body, previous, error, attempt, where)
        except GatewayError as error:
            return self._rejected(body, previous, error, generation, where)
        except PlanError as error:  # what only the planner can judge, found past the blueprint
            self.status.report(body, previous, plan_failure(error, generation, previous))
            return SyncResult(DONE, **where)
        self.status.report(body, previous, decision)
        outcome, seen = outcome_of(decision, observed.endpoint)
        if outcome.next is Next.DONE:
            where["made"] = None  # at rest: from now on, full observations
        return SyncResult(outcome, endpoint_seen=seen, acted=bool(decision.actions), **where)

    # ---- delete ----------------------------------------------------------------------

    def _finalize(self, body, owner: Owner, spec: ModelEndpointSpec | None,
                  previous: ModelEndpointStatus | None, attempt: int) -> SyncResult:
        meta = body["metadata"]
        finalizers = list(meta.get("finalizers") or [])
        if constants.FINALIZER not in finalizers:
            return SyncResult(DONE)
        generation = int(meta.get("generation") or 0)
        endpoint_name, region, prefix = _deletion_target(owner, spec, previous)
        leftover = deletion_leftover(prefix, _recorded_prefix(previous))
        policy = spec.deletion_policy if spec is not None else DeletionPolicy.DELETE
        try:
            account = choose_account(owner, spec.role_arn if spec is not None else None, self.bindings)
        except PlanError as error:
            # The binding was taken away: the operator may no longer act in that account.
            self.kube.post_event(body, "Warning", error.reason, f"{error.message}; the finalizer is removed "
                                 "and whatever the endpoint left in that account is kept")
            region = None
            account = AccountTarget()
        aws = self.aws.for_account(account)
        if region is not None:
            try:
                moved = account_moved(_any_recorded_arn(previous), _account_id(aws, account, region))
            except Transient as error:
                return self._transient(body, previous, error, 0, dict(region=region, generation=generation))
            if moved is not None:
                self.kube.post_event(body, "Warning", moved.reason, f"{moved.message}; the finalizer is removed "
                                     "and the endpoint is kept where it is")
                region = None
        if region is None:
            decision = None  # nothing was ever created: no region was ever known
        else:
            sagemaker, s3 = aws.sagemaker(region), aws.s3(region)
            where = dict(region=region, endpoint_name=endpoint_name, generation=generation, account=account)
            try:
                if leftover is not None and policy is DeletionPolicy.DELETE:
                    # First, while status still records it (each report records the spec's).
                    for action in artifact_deletions(leftover, s3.list_artifacts(leftover)):
                        execute(action, sagemaker, s3, aws.autoscaling(region), aws.cloudwatch(region))
                        self.kube.post_event(body, "Normal", type(action).__name__, action.describe())
                # Tags prove ownership: an endpoint another owner made is never deleted.
                known = _status_variants(previous) | {PRIMARY}
                scaled = bool(spec is not None and spec.autoscaling) or _status_scaled(previous)
                decision, observed = finalize_slots(
                    sagemaker, s3, endpoint_name, prefix, policy, generation, owner,
                    add_scaling=lambda seen, name: self._with_scaling(seen, region, name, known, alarms=scaled, aws=aws),
                    recorded=_recorded_arn(previous, endpoint_name) is not None, scaled=scaled,
                    components=bool(previous and previous.components)
                    or (spec is not None and any(m.component is not None for m in spec.models)))
                for action in decision.actions:
                    execute(action, sagemaker, s3, aws.autoscaling(region), aws.cloudwatch(region))
                    self.kube.post_event(body, "Normal", type(action).__name__, action.describe())
            except Transient as error:
                return self._transient(body, previous, error, attempt, where)
            except GatewayError as error:
                return self._rejected(body, previous, error, generation, where)
            # With both endpoints gone, deleting what was listed is the last step: done
            # once it went through, without listing again to see nothing. Inference
            # components go first, so a wave that deletes them is never the last.
            last_wave = bool(decision.actions) and not observed.components and not any(
                isinstance(a, (DeleteEndpoint, DeleteInferenceComponent)) for a in decision.actions)
            if not decision.done and not last_wave:
                self.status.report(body, previous, decision)
                endpoint = observed.endpoint
                if any(isinstance(a, DeleteEndpoint) and a.name == endpoint_name for a in decision.actions):
                    # The sweep watches the deletion end (the name leaves ListEndpoints).
                    return SyncResult(AWAIT, endpoint_seen=("Deleting", None), acted=True, **where)
                if endpoint is not None and endpoint.name == endpoint_name and not decision.actions:
                    # Waiting for a transition to end before deleting: the sweep sees it end.
                    return SyncResult(AWAIT, endpoint_seen=(endpoint.status, endpoint.last_modified), **where)
                return SyncResult(POLL, **where)
            if policy is DeletionPolicy.RETAIN:
                try:
                    _mark_retained(sagemaker, observed, self.clock())
                except Transient as error:
                    return self._transient(body, previous, error, attempt, where)
                kept = [f"inference component {c}" for c in sorted(observed.components or {})]
                kept += [f"endpoint {endpoint_name}"] if observed.endpoint else []
                kept += [f"config {c}" for c in sorted(observed.configs)]
                kept += [f"model {m}" for m in sorted(observed.models)]
                self.kube.post_event(body, "Normal", "Retained",
                                     "deletionPolicy Retain: kept " + (", ".join(kept) or "nothing (none existed)"))
        finalizers.remove(constants.FINALIZER)
        try:
            self.kube.set_finalizers(owner.namespace, owner.name, finalizers, meta["resourceVersion"])
        except Conflict:
            return SyncResult(poll(0.5))
        return SyncResult(DONE)  # the DELETED event ends its tracking

    def _with_scaling(self, observed: Observed, region: str, endpoint_name: str,
                      variants: set[str] | frozenset[str] = frozenset(), alarms: bool = False,
                      components: set[str] | frozenset[str] = frozenset(),
                      aws: AwsGateways | None = None) -> Observed:
        aws = aws or self.aws
        return with_scaling(observed, aws.autoscaling(region), aws.cloudwatch(region),
                            endpoint_name, variants, alarms, components)

    # ---- failures ----------------------------------------------------------------------

    def _planning_failed(self, body, previous, error: Exception, attempt: int, generation: int) -> SyncResult:
        """The planner raised on a spec the API server accepted: a bug, not the user's
        fault. Ready=False / Degraded say so and name the field being planned; the object
        is retried on the work queue's backoff, and the traceback is logged once."""
        failure = planning_failure(error)
        if attempt == 0:
            log.error("planning %s/%s failed", body["metadata"]["namespace"], body["metadata"]["name"],
                      exc_info=error)
        else:
            log.warning("planning %s/%s failed again (attempt %d): %s", body["metadata"]["namespace"],
                        body["metadata"]["name"], attempt + 1, failure.message)
        self.status.report(body, previous, plan_failure(failure, generation, previous))
        return SyncResult(retry(), generation=generation)

    def _transient(self, body, previous, error: Transient, attempt: int, where: dict) -> SyncResult:
        """Throttling, 5xx, unreachable: not a failure of the object. Say so in
        Progressing and retry; Ready keeps what it was. A throttle is paced for the whole
        account by the limiter (it halves its pace), so the object retries when AWS's
        hint says, without a backoff that would send it minutes behind the others; a
        server error or an unreachable endpoint backs off."""
        if error.code == LIMITED_CODE:
            return self._queued_for_budget(body, previous, error, where)
        throttled = isinstance(error, Throttled)
        log.info("transient AWS error on %s: %s", where.get("endpoint_name"), error)
        self.status.report(body, previous, waiting_for_aws(
            f"AWS answered {error.code} to {error.operation}; retrying with backoff", where.get("generation")))
        return SyncResult(retry(error.retry_after, limited=throttled), **where)

    def _queued_for_budget(self, body, previous, error: Transient, where: dict) -> SyncResult:
        """The operator's own limiter refused the call: nothing failed, the object waits
        its turn. Retry when the limiter says a token is due (with a little jitter), not
        on an exponential backoff that would starve it behind objects that got lucky."""
        self.status.report(body, previous, waiting_for_aws(
            f"{error.operation} waits for the operator's budget of AWS calls in {where.get('region')}",
            where.get("generation")))
        return SyncResult(retry(error.retry_after, limited=True), **where)

    def _rejected(self, body, previous, error: GatewayError, generation: int, where: dict) -> SyncResult:
        """AWS refused the request for good (validation, access): the spec or the
        account must change. Ready=False names the call and AWS's message."""
        message = f"{error.operation} was rejected: {error.code}: {error.message}"
        self.kube.post_event(body, "Warning", "AwsRejected", message)
        where = {**where, "made": None}
        self.status.report(body, previous, aws_rejected(message, generation))
        # Access and quota problems get fixed outside the manifest: look again, slowly.
        return SyncResult(retry(REJECTED_RETRY_SECONDS), **where)


def outcome_of(decision: Decision, endpoint: ObservedEndpoint | None) -> tuple[Outcome, tuple[str, datetime | None]]:
    """The outcome of a sync that carried `decision` out, and the endpoint's (status,
    LastModifiedTime) it leaves: as observed, or as the decision's actions just started it."""
    started = bool(decision.actions) and decision.endpoint_phase in STARTED_TRANSITIONS
    if started:
        seen: tuple[str, datetime | None] = (decision.endpoint_phase, None)
    else:
        seen = (endpoint.status, endpoint.last_modified) if endpoint is not None else ("Missing", None)
    # requeue_after: a time-based deadline, e.g. a rollout pause ending.
    return after_acting(bool(decision.actions), decision.in_flight, started, seen[0], decision.requeue_after), seen


def _mark_retained(sagemaker, observed, now: datetime) -> None:
    """Tag what Retain leaves behind as released on purpose, so the orphan audit tells
    it from what a failure left."""
    mark = {constants.TAG_RETAINED: now.strftime("%Y-%m-%dT%H-%M-%SZ")}
    named = [("inference-component", c) for c in sorted(observed.components or {})]
    named += [("endpoint", observed.endpoint.name)] if observed.endpoint else []
    named += [("endpoint-config", c) for c in sorted(observed.configs)]
    named += [("model", m) for m in sorted(observed.models)]
    for kind, name in named:
        arn = sagemaker.resource_arn(kind, name)
        if arn is not None:
            sagemaker.add_tags(arn, mark)


class PlanningCrashed(Exception):
    """An unexpected exception raised by the planner (not a PlanError)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _planning(plan: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls a pure planning function; what it raises other than a PlanError is a
    PlanningCrashed, so it ends in a condition instead of the worker's catch-all."""
    try:
        return plan(*args, **kwargs)
    except (PlanError, GatewayError):
        raise
    except Exception as error:
        raise PlanningCrashed(error) from error


def _any_recorded_arn(previous: ModelEndpointStatus | None) -> str | None:
    """The ARN of whichever endpoint status recorded: the account it was made in."""
    return previous.endpoint.arn if previous and previous.endpoint else None


def _account_id(aws: AwsGateways, account: AccountTarget, region: str) -> str:
    """The account the object's calls go to: the role's, or the operator's own (STS, once)."""
    return account.account or aws.clients.account_id(region)


def _made_after(made: frozenset[str] | None, action: Action, took_effect: bool) -> frozenset[str] | None:
    """What this process made after `action`: a create adds its name; a create that found
    its name taken (another may own what exists) or any other action ends the record."""
    if made is None:
        return None
    match action:
        case CreateModel(model=model) if took_effect:
            return made | {model.name}
        case CreateEndpointConfig(config=config) if took_effect:
            return made | {config.name}
        case CreateEndpoint(name=name) if took_effect:
            return made | {name}
    return None


def _status_scaled(previous: ModelEndpointStatus | None) -> bool:
    """Status last saw an autoscaling target on some variant."""
    return any(v.max_instances is not None for v in (previous.variants or [])) if previous else False


def _recorded_name(previous: ModelEndpointStatus | None) -> str | None:
    """The endpoint name status recorded: an object keeps the name it has."""
    return previous.endpoint.name if previous and previous.endpoint and previous.endpoint.name else None


def rollout_command(body: dict) -> str | None:
    """The rollout annotation's value (plan/rollout.py reads its verbs)."""
    return ((body.get("metadata") or {}).get("annotations") or {}).get(constants.ROLLOUT_ANNOTATION)


def _parse_spec(raw: dict | None) -> tuple[ModelEndpointSpec | None, PlanError | None]:
    try:
        return validate_spec(raw or {}), None
    except InvalidSpec as error:
        first = error.errors[0]
        return None, PlanError(reason="InvalidSpec", field=first.field, message=str(first))


def _parse_status(raw: dict | None) -> ModelEndpointStatus | None:
    if not raw:
        return None
    try:
        return ModelEndpointStatus.model_validate(raw)
    except ValidationError:
        log.warning("ignoring a status the operator cannot read")
        return None


def _deletion_target(owner: Owner, spec: ModelEndpointSpec | None,
                     previous: ModelEndpointStatus | None) -> tuple[str, str | None, S3Object | None]:
    """Endpoint name, region and artifact prefix to delete, from the spec when it still
    parses, else from what status recorded (the endpoint ARN carries the region)."""
    recorded = _recorded_name(previous)
    # Artifacts a multi-model past left under the recorded prefix go too.
    recorded_prefix = _recorded_prefix(previous)
    if spec is not None:
        try:
            blueprint = build_blueprint(spec, owner, recorded=recorded)
            return blueprint.endpoint_name, spec.region, blueprint.artifact_prefix or recorded_prefix
        except PlanError:
            return naming.endpoint_name(owner, spec.endpoint_name, recorded), spec.region, recorded_prefix
    endpoint = previous.endpoint if previous else None
    name = endpoint.name if endpoint and endpoint.name else naming.endpoint_name(owner)
    region = endpoint.arn.split(":")[3] if endpoint and endpoint.arn and endpoint.arn.count(":") >= 5 else None
    return name, region, recorded_prefix
