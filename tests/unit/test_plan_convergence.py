"""The planner converges: a tiny in-memory world applies its actions with SageMaker's
rules (one operation at a time, nothing in use deleted, configs need their models)
and moves in-flight states one step per pass; the loop must come to rest.

A simulation of the planner's own loop, not an emulator of AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from test_plan_kit import bp_of, conditions_by_type, mme_spec, realtime_spec

from endpoint_operator.api.resources import ObservedConfig, ObservedEndpoint, ObservedVariant
from endpoint_operator.api.spec import DeletionPolicy
from endpoint_operator.plan import actions as a
from endpoint_operator.plan.blueprint import Blueprint
from endpoint_operator.api.conditions import merge_conditions
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.artifacts import served_blueprint
from endpoint_operator.plan.reconcile import finalize, reconcile
from endpoint_operator.plan.s3url import s3_url

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
MAX_PASSES = 12


@dataclass
class World:
    endpoint: dict | None = None  # name, status, config, pending, failure
    models: set[str] = field(default_factory=set)
    configs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)  # full key -> recorded source
    fail_next_update: bool = False
    calls: list[str] = field(default_factory=list)

    def observe(self, prefix_key: str | None) -> Observed:
        ep = None
        if self.endpoint is not None:
            ep = ObservedEndpoint(
                name=self.endpoint["name"], status=self.endpoint["status"], config_name=self.endpoint["config"],
                failure_reason=self.endpoint.get("failure"),
                variants=(ObservedVariant(name="primary", weight=1.0, current_instances=1, desired_instances=1),),
            )
        artifacts = {k[len(prefix_key):]: v for k, v in self.objects.items() if prefix_key and k.startswith(prefix_key)}
        return Observed(
            endpoint=ep,
            models=frozenset(self.models),
            configs={n: ObservedConfig(name=n, variant_models=m) for n, m in self.configs.items()},
            artifacts=artifacts,
        )

    def in_use(self) -> set[str]:
        if self.endpoint is None:
            return set()
        return {self.endpoint["config"], self.endpoint.get("pending")} - {None}

    def apply(self, action: a.Action) -> None:
        self.calls.append(type(action).__name__)
        ep = self.endpoint
        match action:
            case a.CreateModel(model=m):
                assert m.name not in self.models, "model created twice"
                self.models.add(m.name)
            case a.CreateEndpointConfig(config=c):
                assert c.name not in self.configs, "config created twice"
                assert all(v.model_name in self.models for v in c.variants), "config before its models"
                self.configs[c.name] = tuple(v.model_name for v in c.variants)
            case a.CreateEndpoint(name=n, config_name=c):
                assert ep is None and c in self.configs
                self.endpoint = {"name": n, "status": "Creating", "config": c}
            case a.UpdateEndpoint(config_name=c):
                assert ep is not None and ep["status"] == "InService" and c in self.configs, "update of a busy endpoint"
                ep.update(status="Updating", pending=c)
            case a.DeleteEndpoint():
                assert ep is not None and ep["status"] in ("InService", "Failed", "OutOfService")
                ep["status"] = "Deleting"
            case a.DeleteEndpointConfig(name=n):
                assert n not in self.in_use(), "deleted a config in use"
                del self.configs[n]
            case a.DeleteModel(name=n):
                used = {m for c in self.in_use() for m in self.configs.get(c, ())}
                assert n not in used, "deleted a model in use"
                self.models.remove(n)
            case a.CopyArtifact(copy=c):
                self.objects[c.target.key] = s3_url(c.source)
            case a.MarkArtifactRemoved(obj=o, source=source):
                self.objects[o.key] = source
            case a.DeleteArtifact(obj=o):
                del self.objects[o.key]

    def tick(self) -> None:
        """SageMaker moves on between two passes."""
        ep = self.endpoint
        if ep is None:
            return
        if ep["status"] == "Creating":
            ep["status"] = "InService"
        elif ep["status"] == "Updating":
            if self.fail_next_update:
                self.fail_next_update = False
                ep.update(status="RollingBack", failure="new fleet failed health checks")
            else:
                ep.update(status="InService", config=ep.pop("pending"), failure=None)
        elif ep["status"] == "RollingBack":
            ep.update(status="InService", pending=None)
        elif ep["status"] == "Deleting":
            self.endpoint = None


def run(world: World, bp: Blueprint, status=None, spec=None):
    """Plan, apply, let SageMaker move; until a pass has nothing to do and nothing in flight.
    With `spec` (MultiModel), each pass serves the artifact folder S3 holds, as the handler does."""
    prefix = bp.artifact_prefix.key if bp.artifact_prefix else None
    for passes in range(1, MAX_PASSES + 1):
        observed = world.observe(prefix)
        if spec is not None:
            bp = served_blueprint(spec, bp_of(spec), observed)
        decision = reconcile(bp, observed, passes, status)
        for action in decision.actions:
            world.apply(action)
        conditions = merge_conditions(status.conditions if status else None, decision.conditions, NOW)
        status = decision.status.model_copy(update={"conditions": conditions})
        world.tick()
        if not decision.actions and decision.in_flight is False:
            return decision, status, passes
    raise AssertionError(f"no rest after {MAX_PASSES} passes: {world}")


def delete(world: World, bp: Blueprint, policy=DeletionPolicy.DELETE) -> int:
    prefix = bp.artifact_prefix.key if bp.artifact_prefix else None
    for passes in range(1, MAX_PASSES + 1):
        decision = finalize(bp.endpoint_name, world.observe(prefix), policy, bp.artifact_prefix, 1)
        for action in decision.actions:
            world.apply(action)
        world.tick()
        if decision.done:
            return passes
    raise AssertionError(f"deletion did not finish: {world}")


def only(world: World, bp: Blueprint) -> None:
    """The world holds exactly what the blueprint desires, and serves it."""
    assert world.endpoint["status"] == "InService" and world.endpoint["config"] == bp.config.name
    assert world.models == {m.name for m in bp.models}
    assert set(world.configs) == {bp.config.name}
    served = {key: source for key, source in world.objects.items() if ".removed/" not in key}
    assert served == {c.target.key: s3_url(c.source) for c in bp.artifacts}


def test_realtime_create_update_delete():
    world = World()
    v7 = bp_of(realtime_spec())
    decision, status, _ = run(world, v7)
    assert conditions_by_type(decision)["Ready"] == ("True", "EndpointInService")
    only(world, v7)

    v8 = bp_of(realtime_spec(data="s3://models/recsys/v8/model.tar.gz"))
    decision, status, _ = run(world, v8, status)
    assert conditions_by_type(decision)["Ready"] == ("True", "EndpointInService")
    only(world, v8)  # the v7 config and model were collected

    delete(world, v8)
    assert world == World(calls=world.calls)


def test_multimodel_model_changes_touch_only_s3():
    world = World()
    two_spec = mme_spec(("alpha", "beta"))
    two = bp_of(two_spec)
    _, status, _ = run(world, two, spec=two_spec)
    only(world, two)

    world.calls.clear()
    three_spec = mme_spec(("alpha", "gamma", "delta"))
    decision, status, _ = run(world, bp_of(three_spec), status, spec=three_spec)
    three = served_blueprint(three_spec, bp_of(three_spec), world.observe(two.artifact_prefix.key))
    assert three.config.name == two.config.name
    only(world, three)
    assert sorted(world.calls) == ["CopyArtifact", "CopyArtifact", "DeleteArtifact", "MarkArtifactRemoved"]
    assert conditions_by_type(decision)["Ready"] == ("True", "EndpointInService")

    delete(world, three)
    assert world.endpoint is None and not world.models and not world.configs and not world.objects


def test_multimodel_changed_artifact_reaches_callers_through_a_new_fleet_and_leaves_no_copy():
    world = World()
    v1_spec = mme_spec(("alpha", "beta"))
    v1 = bp_of(v1_spec)
    _, status, _ = run(world, v1, spec=v1_spec)

    world.calls.clear()
    v2_spec = mme_spec(models=[{"name": "alpha", "modelDataUrl": "s3://models/alpha/v2/model.tar.gz"},
                               {"name": "beta", "modelDataUrl": "s3://models/beta/v1/model.tar.gz"}])
    decision, status, _ = run(world, bp_of(v2_spec), status, spec=v2_spec)
    v2 = served_blueprint(v2_spec, bp_of(v2_spec), world.observe(v1.artifact_prefix.key))
    # Never copied over the artifact a fleet loaded: a new folder, a new fleet, the old
    # folder collected once the new fleet serves; TargetModel names unchanged.
    assert v2.artifact_version != v1.artifact_version and v2.served_models == v1.served_models
    assert "UpdateEndpoint" in world.calls
    only(world, v2)
    assert conditions_by_type(decision)["Ready"] == ("True", "EndpointInService")

    delete(world, v2)
    assert world.endpoint is None and not world.models and not world.configs and not world.objects


def test_rolled_back_update_is_not_retried_until_the_spec_changes():
    world = World()
    v7 = bp_of(realtime_spec())
    _, status, _ = run(world, v7)

    world.fail_next_update = True
    v8 = bp_of(realtime_spec(data="s3://models/recsys/v8/model.tar.gz"))
    decision, status, _ = run(world, v8, status)
    assert conditions_by_type(decision)["Degraded"] == ("True", "UpdateFailed")
    assert world.calls.count("UpdateEndpoint") == 1
    # More passes at rest: still no second attempt.
    again, status, passes = run(world, v8, status)
    assert passes == 1 and again.actions == ()
    assert world.endpoint["config"] == v7.config.name  # the old fleet kept serving

    v9 = bp_of(realtime_spec(data="s3://models/recsys/v9/model.tar.gz"))
    decision, status, _ = run(world, v9, status)
    assert conditions_by_type(decision) == {
        "Ready": ("True", "EndpointInService"), "Progressing": ("False", "Reconciled"), "Degraded": ("False", "AsExpected"),
    }
    only(world, v9)  # v7's and the failed v8's resources collected
    ready = next(c for c in status.conditions if c.type == "Ready")
    assert ready.last_transition_time == NOW


def test_failed_endpoint_is_replaced_after_a_spec_change():
    world = World()
    v7 = bp_of(realtime_spec())
    _, status, _ = run(world, v7)
    world.endpoint.update(status="Failed", failure="instance capacity")
    decision, status, _ = run(world, v7, status)
    assert decision.actions == () and conditions_by_type(decision)["Degraded"] == ("True", "EndpointFailed")

    v8 = bp_of(realtime_spec(instances={"type": "ml.c5.large"}))
    decision, status, _ = run(world, v8, status)
    only(world, v8)


def test_drift_is_corrected():
    world = World()
    v7 = bp_of(realtime_spec())
    _, status, _ = run(world, v7)
    world.endpoint = None  # deleted out of band
    world.models.clear()
    decision, status, _ = run(world, v7, status)
    only(world, v7)
