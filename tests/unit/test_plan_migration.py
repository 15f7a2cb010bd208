"""Mode changes across endpoint kinds: the new endpoint serves before the old goes."""

from __future__ import annotations

from test_plan_kit import OWNER, bp_of, built, endpoint, realtime_spec, short, status_of

from endpoint_operator.api import constants
from endpoint_operator.api.resources import ObservedVariant, ServerlessConfig
from endpoint_operator.api.status import MigrationStatus
from endpoint_operator.plan import naming
from endpoint_operator.plan.identity import owner_tags
from endpoint_operator.plan.migration import alternate_name, hand_over, migration_event, place, rehome
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.reconcile import reconcile

REALTIME = bp_of(realtime_spec())
SERVERLESS = bp_of(realtime_spec(mode="Serverless", instances=None))
MME = bp_of(realtime_spec(mode="MultiModel"))
BASE, ALT = REALTIME.endpoint_name, alternate_name(REALTIME.endpoint_name)
TAGS = owner_tags(OWNER)


def written(bp, **fields):
    return status_of(bp).model_copy(update={"mode": bp.mode.value, **fields})


def test_alternate_name_is_a_valid_sagemaker_name():
    long = "x" * 63
    assert alternate_name(long) != long and len(alternate_name(long)) <= 63
    assert naming.NAME_PATTERN.match(alternate_name(long)) and ALT == f"{BASE}-alt"


def test_same_kind_stays_in_place():
    assert place(MME, written(REALTIME)).blueprint == MME  # RealTime -> MultiModel: UpdateEndpoint
    assert place(REALTIME, None).blueprint == REALTIME


def test_change_of_kind_moves_to_the_other_slot():
    placement = place(SERVERLESS, written(REALTIME))
    assert placement.blueprint.endpoint_name == ALT
    assert (placement.retiring, placement.from_mode) == (BASE, "RealTime")
    assert all(m.name.startswith(f"{ALT}-m-") for m in placement.blueprint.models)
    assert placement.blueprint.config.name.startswith(f"{ALT}-c-")
    assert placement.blueprint.config.variants[0].model_name == placement.blueprint.models[0].name


def test_and_back_again():
    on_alt = rehome(SERVERLESS, ALT)
    placement = place(REALTIME, written(on_alt))
    assert (placement.blueprint.endpoint_name, placement.retiring) == (BASE, ALT)


def test_a_migration_in_progress_keeps_retiring_the_old_endpoint():
    on_alt = rehome(SERVERLESS, ALT)
    migration = MigrationStatus(from_endpoint=BASE, from_mode="RealTime", to_endpoint=ALT, to_mode="Serverless")
    placement = place(SERVERLESS, written(on_alt, migration=migration))
    assert (placement.blueprint, placement.retiring) == (on_alt, BASE)


def _old_world() -> Observed:
    return built(REALTIME, ep=endpoint(REALTIME, tags=TAGS))


def test_old_endpoint_serves_until_the_new_one_does():
    placement = place(SERVERLESS, written(REALTIME))
    new = placement.blueprint
    creating = reconcile(new, built(new, ep=endpoint(new, status="Creating", variants=())), 2, written(REALTIME))
    decision = hand_over(creating, placement, _old_world(), 2)
    assert decision.actions == ()  # nothing of the old endpoint is touched
    assert decision.status.migration.from_endpoint == BASE and decision.status.migration.to_endpoint == ALT
    progressing = next(c for c in decision.conditions if c.type == "Progressing")
    assert (progressing.status, progressing.reason) == ("True", "MigratingMode")
    reason, message = migration_event(written(REALTIME), decision)
    assert reason == "MigratingMode" and "RealTime -> Serverless" in message and BASE in message


def test_old_endpoint_goes_once_the_new_one_serves_then_its_configs_and_models():
    placement = place(SERVERLESS, written(REALTIME))
    new = placement.blueprint
    serverless = ServerlessConfig(memory_size_mb=2048, max_concurrency=20)
    ep = endpoint(new, variants=(ObservedVariant(name="primary", weight=1.0, current_serverless=serverless),))
    serving = reconcile(new, built(new, ep=ep), 2, written(REALTIME))
    decision = hand_over(serving, placement, _old_world(), 2)
    assert [short(a) for a in decision.actions] == [f"DeleteEndpoint:{BASE}"]
    gone = hand_over(serving, placement, built(REALTIME, ep=None), 2)
    assert sorted(short(a) for a in gone.actions) == sorted(
        [f"DeleteEndpointConfig:{REALTIME.config.name}", f"DeleteModel:{REALTIME.models[0].name}"])
    done = hand_over(serving, placement, Observed(endpoint=None), 2)
    assert done.actions == () and done.status.migration is None
    previous = written(new, migration=decision.status.migration)
    reason, message = migration_event(previous, done)
    assert reason == "MigratedMode" and BASE in message


def test_an_endpoint_of_another_owner_in_the_old_slot_is_never_deleted():
    placement = place(SERVERLESS, written(REALTIME))
    new = placement.blueprint
    serving = reconcile(new, built(new, ep=endpoint(new)), 2, written(REALTIME))
    foreign = built(REALTIME, ep=endpoint(REALTIME, tags={**TAGS, constants.TAG_UID: "someone-else"}))
    assert hand_over(serving, placement, foreign, 2).actions == ()


def test_the_spec_is_rebuilt_on_the_other_name_when_it_can_be():
    spec = realtime_spec(mode="Serverless", instances=None)
    rebuilt = place(SERVERLESS, written(REALTIME), lambda name: bp_of_named(spec, name)).blueprint
    renamed = rehome(SERVERLESS, ALT)
    assert (rebuilt.endpoint_name, rebuilt.models, rebuilt.config.variants) == (ALT, renamed.models, renamed.config.variants)
    assert rebuilt.config.name.startswith(f"{ALT}-c-") and rebuilt.revision == rebuilt.config.name


def bp_of_named(spec, name):
    from endpoint_operator.plan.blueprint import build_blueprint
    return build_blueprint(spec, OWNER, endpoint_name=name)
