"""InferenceComponents, planned: the blueprint, components x observed -> actions, the
order of a deletion, Auto's choice, the cost, and a migration from a multi-model
endpoint."""

from __future__ import annotations

import pytest

from endpoint_operator.api.pricing import load_prices
from endpoint_operator.api.resources import ComputePerCopy, ObservedComponent, ObservedConfig, ObservedEndpoint, ObservedVariant
from endpoint_operator.api.scaling import ObservedScaling, ScalableTarget, component_resource_id
from endpoint_operator.api.spec import DeletionPolicy, Mode, ModelEndpointSpec
from endpoint_operator.api.status import ComponentStatus, EndpointStatus, ModelEndpointStatus
from endpoint_operator.plan import actions as a
from endpoint_operator.plan import scaling_actions as s
from endpoint_operator.plan.components import plan_components
from endpoint_operator.plan.errors import PlanError
from endpoint_operator.plan.estimate import estimate
from endpoint_operator.plan.finalize import finalize
from endpoint_operator.plan.blueprint import build_blueprint
from endpoint_operator.plan.components import components_serve
from endpoint_operator.plan.migration import hand_over, place
from endpoint_operator.plan.mode import resolve_mode
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.reconcile import reconcile

from test_plan_kit import IMAGE, OWNER, ROLE, bp_of, mme_spec

GPU = "ml.g5.12xlarge"


def components_spec(mode: str = "InferenceComponents", **extra) -> ModelEndpointSpec:
    def model(name: str, calls: int, copies: dict | None = None) -> dict:
        component = {"memoryMB": 8192, "accelerators": 1, **({"copies": copies} if copies else {})}
        return {"name": name, "modelDataUrl": f"s3://models/{name}/model.tar.gz", "invocationsPerDay": calls,
                "component": component}
    raw = {
        "region": "us-east-1", "executionRoleArn": ROLE, "mode": mode, "image": IMAGE,
        "models": [model("home", 400000, {"min": 1, "max": 3}), model("search", 250000), model("churn", 300)],
        "instances": {"type": GPU, "min": 1, "max": 4},
        **extra,
    }
    return ModelEndpointSpec.model_validate(raw)


def serving(bp) -> ObservedEndpoint:
    return ObservedEndpoint(name=bp.endpoint_name, status="InService", config_name=bp.config.name,
                            variants=(ObservedVariant(name="primary", weight=1.0, current_instances=1, desired_instances=1),))


def world(bp, components, scaling=None) -> Observed:
    """The endpoint serving the blueprint's config, with these components."""
    return Observed(endpoint=serving(bp), configs={bp.config.name: ObservedConfig(name=bp.config.name)},
                    components=components, scaling=scaling if scaling is not None else ObservedScaling())


def observed_as_built(bp, status: str = "InService", **changes) -> dict[str, ObservedComponent]:
    return {c.name: ObservedComponent(**{
        "name": c.name, "status": status, "image": c.container.image, "artifact_url": c.container.model_data_url,
        "compute": c.compute, "desired_copies": c.copies, "current_copies": c.copies, **changes})
        for c in bp.components}


def test_the_blueprint_has_one_component_per_model_on_a_variant_with_managed_scaling():
    bp = bp_of(components_spec())
    [variant] = bp.config.variants
    assert variant.model_name is None and variant.instance_type == GPU
    assert (variant.managed_scaling.min_instances, variant.managed_scaling.max_instances) == (1, 4)
    assert bp.config.execution_role_arn == ROLE and bp.models == ()
    by_model = {c.model: c for c in bp.components}
    # Declared, and from the hints: 250000 calls a day is pinned, 300 sleeps.
    assert {m: (c.min_copies, c.max_copies, c.copies) for m, c in by_model.items()} == {
        "home": (1, 3, 1), "search": (1, 1, 1), "churn": (0, 1, 1)}
    assert by_model["churn"].compute == ComputePerCopy(memory_mb=8192, accelerators=1)
    scaled = {sc.target.resource_id: sc for sc in bp.scaling}
    assert set(scaled) == {component_resource_id(by_model[m].name) for m in ("home", "churn")}  # search is fixed at 1
    wake = scaled[component_resource_id(by_model["churn"].name)]
    assert [p.name.rsplit("-", 3)[-3:] for p in wake.policies][1] == ["wake", "from", "zero"]
    [alarm] = wake.alarms
    assert (alarm.alarm.metric_name, alarm.alarm.dimensions) == (
        "NoCapacityInvocationFailures", {"InferenceComponentName": by_model["churn"].name})


@pytest.mark.parametrize("observed, expected", [
    pytest.param({}, [a.CreateInferenceComponent] * 3, id="missing-are-created"),
    pytest.param({"status": "Creating"}, [], id="in-flight-waits"),
    pytest.param({"image": "other:1"}, [a.UpdateInferenceComponent] * 3, id="a-changed-image-updates-in-place"),
    pytest.param({"desired_copies": 2}, [a.SetComponentCopies], id="a-fixed-count-is-held"),
    pytest.param({"status": "Updating", "desired_copies": 2}, [], id="copies-moving-serve-and-get-no-call"),
])
def test_components_against_what_exists(observed, expected):
    bp = bp_of(components_spec())
    seen = {} if observed == {} else observed_as_built(bp, **observed)
    plan = plan_components(bp.components, bp.scaling, Observed(endpoint=serving(bp), components=seen,
                                                               scaling=ObservedScaling()), serving=True)
    assert [type(x) for x in plan.actions] == expected
    if expected == [a.SetComponentCopies]:
        assert plan.actions[0].name == next(c.name for c in bp.components if c.model == "search")
    assert plan.settled == (not expected and observed.get("status") != "Creating")


def test_a_removed_component_goes_only_after_its_target():
    bp = bp_of(components_spec())
    old = bp_of(components_spec(models=[{"name": "gone", "modelDataUrl": "s3://models/gone/model.tar.gz",
                                         "component": {"memoryMB": 1024, "copies": {"min": 0, "max": 1}}}]))
    [gone] = old.components
    seen = {**observed_as_built(bp), **observed_as_built(old)}
    with_target = ObservedScaling(targets=(ScalableTarget(resource_id=component_resource_id(gone.name),
                                                          min_capacity=0, max_capacity=1),))
    first = reconcile(bp, world(bp, seen, with_target), 1, None)
    kinds = [type(x) for x in first.actions]
    assert s.DeregisterScalableTarget in kinds and a.DeleteInferenceComponent not in kinds
    second = plan_components(bp.components, bp.scaling, Observed(endpoint=serving(bp), components=seen,
                                                                 scaling=ObservedScaling()), serving=True)
    assert second.removals == (a.DeleteInferenceComponent(gone.name),)


def test_ready_waits_for_every_component_and_status_counts_the_pinned():
    bp = bp_of(components_spec())
    creating = reconcile(bp, world(bp, observed_as_built(bp, "Creating")), 1, None)
    ready = {c.type: c for c in creating.conditions}["Ready"]
    assert (ready.status, ready.reason) == ("False", "DeployingComponents")
    done = reconcile(bp, world(bp, observed_as_built(bp)), 1, None)
    assert {c.type: c for c in done.conditions}["Ready"].status == "True"
    assert done.status.pinned == "2/3"
    assert {c.model: (c.status, c.current_copies, c.min_copies) for c in done.status.components} == {
        "home": ("InService", 1, 1), "search": ("InService", 1, 1), "churn": ("InService", 1, 0)}


def test_a_failed_component_is_degraded_naming_it_and_sagemakers_reason():
    bp = bp_of(components_spec())
    seen = observed_as_built(bp)
    name = bp.components[0].name
    seen[name] = seen[name].model_copy(update={"status": "Failed", "failure_reason": "copy does not fit"})
    decision = reconcile(bp, world(bp, seen), 1, None)
    degraded = {c.type: c for c in decision.conditions}["Degraded"]
    assert degraded.reason == "ComponentFailed" and name in degraded.message and "copy does not fit" in degraded.message


def test_deletion_removes_targets_and_components_before_the_endpoint():
    bp = bp_of(components_spec())
    seen = observed_as_built(bp)
    targets = ObservedScaling(targets=tuple(sc.target for sc in bp.scaling))
    ep = serving(bp)
    first = finalize(bp.endpoint_name, Observed(endpoint=ep, components=seen, scaling=targets), DeletionPolicy.DELETE,
                     None, 1)
    kinds = [type(x) for x in first.actions]
    assert a.DeleteEndpoint not in kinds
    assert kinds.index(a.DeleteInferenceComponent) > max(i for i, k in enumerate(kinds) if k is s.DeregisterScalableTarget)
    assert kinds.count(a.DeleteInferenceComponent) == 3
    waiting = finalize(bp.endpoint_name, Observed(endpoint=ep, components=observed_as_built(bp, "Deleting")),
                       DeletionPolicy.DELETE, None, 1)
    assert waiting.actions == () and not waiting.done
    last = finalize(bp.endpoint_name, Observed(endpoint=ep, components={}), DeletionPolicy.DELETE, None, 1)
    assert a.DeleteEndpoint in [type(x) for x in last.actions]


def test_auto_takes_the_case_studys_shape_to_inference_components_with_its_reason():
    mode, reason = resolve_mode(components_spec(mode="Auto"))
    assert mode is Mode.INFERENCE_COMPONENTS
    assert reason.startswith("2 hot models stay pinned and 1 cold ones load on demand on one image")
    assert resolve_mode(components_spec()) == (Mode.INFERENCE_COMPONENTS, "set in spec.mode")
    # Without components, the same models are a multi-model endpoint's, as before.
    plain = mme_spec(names=("a", "b", "c", "d", "e"), mode="Auto")
    assert resolve_mode(plain)[0] is Mode.MULTI_MODEL


def test_auto_refuses_components_on_some_models_only_naming_the_first_without():
    spec = components_spec(mode="Auto")
    spec = spec.model_copy(update={"models": [*spec.models[:2], spec.models[2].model_copy(update={"component": None})]})
    with pytest.raises(PlanError) as refused:
        resolve_mode(spec)
    assert refused.value.field == "spec.models[2].component"


def test_cost_counts_instances_from_managed_scaling_not_models():
    prices = load_prices()
    pinned = estimate(components_spec(), Mode.INFERENCE_COMPONENTS, prices)
    hourly = prices.instance_hourly("us-east-1", GPU)
    assert pinned.hourly_usd == pytest.approx(hourly) and pinned.peak_instances == 4
    assert any("2 of the 3 components stay pinned" in line for line in pinned.assumptions)
    asleep = components_spec(instances={"type": GPU, "min": 0, "max": 2}, models=[
        {"name": "churn", "modelDataUrl": "s3://models/churn/model.tar.gz", "invocationsPerDay": 300,
         "component": {"memoryMB": 8192, "accelerators": 1}}])
    idle = estimate(asleep, Mode.INFERENCE_COMPONENTS, prices)
    assert idle.hourly_usd == 0 and idle.peak_instances == 2


def test_multi_model_to_components_builds_the_other_endpoint_and_retires_the_old_one_once_every_component_serves():
    mme = bp_of(mme_spec())
    previous = ModelEndpointStatus(mode="MultiModel", endpoint=EndpointStatus(name=mme.endpoint_name))
    bp = bp_of(components_spec())
    placement = place(bp, previous, rebuild=lambda name: build_blueprint(components_spec(), OWNER, endpoint_name=name))
    assert placement.retiring == mme.endpoint_name and placement.blueprint.endpoint_name != mme.endpoint_name
    assert all(c.endpoint_name == placement.blueprint.endpoint_name for c in placement.blueprint.components)
    target = placement.blueprint
    creating = reconcile(target, world(target, observed_as_built(target, "Creating")), 2, previous)
    old = Observed(endpoint=serving(mme).model_copy(update={"tags": dict(mme.tags)}), configs={})
    waiting = hand_over(creating, placement, old, 2)
    assert not any(isinstance(x, a.DeleteEndpoint) for x in waiting.actions)
    assert waiting.status.migration is not None and waiting.status.migration.to_mode == "InferenceComponents"
    served = reconcile(target, world(target, observed_as_built(target)), 2, previous)
    retiring = hand_over(served, placement, old, 2)
    assert any(isinstance(x, a.DeleteEndpoint) and x.name == mme.endpoint_name for x in retiring.actions)


def test_status_components_that_have_not_all_landed_do_not_count_as_serving():
    assert components_serve([ComponentStatus(name="a", status="InService"), ComponentStatus(name="b", status="InService")])
    assert not components_serve([ComponentStatus(name="a", status="InService"), ComponentStatus(name="b", status="Creating")])


def test_a_rollout_on_auto_resolving_to_inference_components_is_refused_naming_it():
    spec = components_spec(mode="Auto", rollout={"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}]})
    with pytest.raises(PlanError) as refused:
        build_blueprint(spec, OWNER)
    assert refused.value.field == "spec.rollout" and "UpdateInferenceComponent" in refused.value.message
