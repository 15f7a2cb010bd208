"""reconcile(): blueprint x observed -> actions and conditions, as tables."""

from __future__ import annotations

import pytest
from test_plan_kit import OWNER, bp_of, built, conditions_by_type, endpoint, mme_spec, realtime_spec, short, status_of

from endpoint_operator.api import constants
from endpoint_operator.api.resources import ObservedConfig
from endpoint_operator.plan import actions as a, naming
from endpoint_operator.plan.artifacts import served_blueprint
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.s3url import s3_url
from endpoint_operator.plan.reconcile import plan_failure, reconcile
from endpoint_operator.plan.errors import PlanError

BP1 = bp_of(realtime_spec())
BP2 = bp_of(realtime_spec(data="s3://models/recsys/v8/model.tar.gz"))
BP3 = bp_of(realtime_spec(data="s3://models/recsys/v9/model.tar.gz"))
M1, C1 = BP1.models[0].name, BP1.config.name
M2, C2 = BP2.models[0].name, BP2.config.name
M3, C3 = BP3.models[0].name, BP3.config.name
NOTHING = Observed(endpoint=None)

READY = ("True", "EndpointInService")
AT_REST = {"Ready": READY, "Progressing": ("False", "Reconciled"), "Degraded": ("False", "AsExpected")}


def conds(ready, progressing, degraded=("False", "AsExpected")):
    return {"Ready": ready, "Progressing": progressing, "Degraded": degraded}


REALTIME = [
    pytest.param(
        BP1, NOTHING, None,
        [f"CreateModel:{M1}", f"CreateEndpointConfig:{C1}", f"CreateEndpoint:{C1}"],
        conds(("False", "CreatingEndpoint"), ("True", "CreatingEndpoint")), 0, True,
        id="create-from-nothing",
    ),
    pytest.param(
        BP1, Observed(endpoint=None, models=frozenset({M1})), None,
        [f"CreateEndpointConfig:{C1}", f"CreateEndpoint:{C1}"],
        conds(("False", "CreatingEndpoint"), ("True", "CreatingEndpoint")), 0, True,
        id="create-with-model-already-there",
    ),
    pytest.param(
        BP1, built(BP1), status_of(BP1, ep_status=None, target_config=C1),
        [f"CreateEndpoint:{C1}"],
        conds(("False", "CreatingEndpoint"), ("True", "CreatingEndpoint")), 0, True,
        id="create-with-model-and-config-there",
    ),
    pytest.param(
        BP1, built(BP1, ep=endpoint(BP1, "Creating")), status_of(BP1, None, target_config=C1),
        [],
        conds(("False", "EndpointCreating"), ("True", "EndpointCreating")), 0, True,
        id="creating-waits",
    ),
    pytest.param(
        BP1, built(BP1, ep=endpoint(BP1)), status_of(BP1),
        [], AT_REST, 0, False,
        id="at-rest-no-op",
    ),
    pytest.param(
        BP1, built(BP1, ep=endpoint(BP1)), None,
        [], AT_REST, 0, False,
        id="at-rest-without-previous-status",
    ),
    pytest.param(
        BP2, built(BP1, ep=endpoint(BP1)), status_of(BP1),
        [f"CreateModel:{M2}", f"CreateEndpointConfig:{C2}", f"UpdateEndpoint:{C2}"],
        conds(("False", "UpdatingEndpoint"), ("True", "UpdatingEndpoint")), 0, True,
        id="model-change-new-config-and-update-nothing-deleted",
    ),
    pytest.param(
        BP2, built(BP1, BP2, ep=endpoint(BP1, "Updating", config=C1)), status_of(BP1, "InService", target_config=C2),
        [],
        conds(("False", "EndpointUpdating"), ("True", "EndpointUpdating")), 0, True,
        id="updating-waits-and-collects-nothing",
    ),
    pytest.param(
        BP2, built(BP1, BP2, ep=endpoint(BP2)), status_of(BP1, "Updating", config=C1, target_config=C2),
        [f"DeleteEndpointConfig:{C1}", f"DeleteModel:{M1}"],
        conds(READY, ("True", "CollectingGarbage")), 0, True,
        id="gc-after-in-service-on-new-config",
    ),
    pytest.param(
        BP1, built(BP1, ep=None), status_of(BP1),
        [f"CreateEndpoint:{C1}"],
        conds(("False", "CreatingEndpoint"), ("True", "CreatingEndpoint")), 1, True,
        id="drift-endpoint-deleted-out-of-band",
    ),
    pytest.param(
        BP1, built(BP1, BP2, ep=endpoint(BP1, config=C2)), status_of(BP1),
        [f"UpdateEndpoint:{C1}"],
        conds(("False", "UpdatingEndpoint"), ("True", "UpdatingEndpoint")), 1, True,
        id="drift-config-switched-out-of-band",
    ),
    pytest.param(
        BP1, Observed(endpoint=endpoint(BP1, config="hand-made"), models=frozenset({M1}), configs={C1: ObservedConfig(name=C1)}), None,
        [f"UpdateEndpoint:{C1}"],
        conds(("False", "UpdatingEndpoint"), ("True", "UpdatingEndpoint")), 1, True,
        id="drift-foreign-config-switched-back",
    ),
    pytest.param(
        BP1, Observed(endpoint=endpoint(BP1), configs={C1: ObservedConfig(name=C1, variant_models=(M1,))}), status_of(BP1),
        [f"CreateModel:{M1}"],
        conds(("False", "RestoringResources"), ("True", "RestoringResources")), 1, True,
        id="drift-model-deleted-out-of-band",
    ),
    pytest.param(
        BP1, Observed(endpoint=endpoint(BP1), models=frozenset({M1})), status_of(BP1),
        [f"CreateEndpointConfig:{C1}"],
        conds(("False", "RestoringResources"), ("True", "RestoringResources")), 1, True,
        id="drift-config-deleted-out-of-band",
    ),
    pytest.param(
        BP1, built(BP1, ep=endpoint(BP1, "Failed", failure_reason="image not found")), status_of(BP1, None, target_config=C1),
        [],
        conds(("False", "EndpointFailed"), ("False", "EndpointFailed"), ("True", "EndpointFailed")), 0, False,
        id="failed-on-desired-config-waits-for-spec-change",
    ),
    pytest.param(
        BP2, built(BP1, ep=endpoint(BP1, "Failed", failure_reason="image not found")), status_of(BP1, "Failed"),
        [f"CreateModel:{M2}", f"CreateEndpointConfig:{C2}", "DeleteEndpoint:ml-recs"],
        conds(("False", "ReplacingFailedEndpoint"), ("True", "ReplacingFailedEndpoint"), ("True", "EndpointFailed")), 0, True,
        id="failed-and-spec-changed-deletes-to-recreate",
    ),
    pytest.param(
        BP2, built(BP1, BP2, ep=None), status_of(BP1, "Failed"),
        [f"CreateEndpoint:{C2}"],
        conds(("False", "CreatingEndpoint"), ("True", "CreatingEndpoint")), 0, True,
        id="failed-endpoint-gone-recreated-without-drift-message",
    ),
    pytest.param(
        BP2, built(BP1, BP2, ep=endpoint(BP1, failure_reason="health check failed")), status_of(BP1, "RollingBack", target_config=C2),
        [],
        conds(("False", "UpdateFailed"), ("False", "UpdateFailed"), ("True", "UpdateFailed")), 0, False,
        id="rolled-back-update-recorded",
    ),
    pytest.param(
        BP2, built(BP1, BP2, ep=endpoint(BP1, failure_reason="health check failed")), status_of(BP1, failed_config=C2, failure_reason="health check failed"),
        [],
        conds(("False", "UpdateFailed"), ("False", "UpdateFailed"), ("True", "UpdateFailed")), 0, False,
        id="rolled-back-update-not-retried",
    ),
    pytest.param(
        BP3, built(BP1, BP2, ep=endpoint(BP1, failure_reason="health check failed")), status_of(BP2, config=C1, failed_config=C2, failure_reason="health check failed"),
        [f"CreateModel:{M3}", f"CreateEndpointConfig:{C3}", f"UpdateEndpoint:{C3}"],
        conds(("False", "UpdatingEndpoint"), ("True", "UpdatingEndpoint")), 0, True,
        id="spec-change-after-rollback-updates",
    ),
    pytest.param(
        BP2, built(BP1, BP2, ep=endpoint(BP1, failure_reason="old failure")), status_of(BP1, target_config=C2, failure_reason="old failure"),
        [f"UpdateEndpoint:{C2}"],
        conds(("False", "UpdatingEndpoint"), ("True", "UpdatingEndpoint")), 0, True,
        id="stale-failure-reason-is-not-a-rollback",
    ),
    pytest.param(
        BP1, built(BP1, ep=endpoint(BP1, "OutOfService")), status_of(BP1),
        [],
        conds(("False", "EndpointOutOfService"), ("False", "EndpointOutOfService"), ("True", "EndpointOutOfService")), 0, False,
        id="out-of-service-is-not-touched",
    ),
    pytest.param(
        BP1, Observed(endpoint=endpoint(BP1, tags={constants.TAG_UID: "uid-2", constants.TAG_NAMESPACE: "other", constants.TAG_NAME: "recs"})), None,
        [],
        conds(("False", "EndpointNotOwned"), ("False", "EndpointNotOwned"), ("True", "EndpointNotOwned")), 0, False,
        id="endpoint-of-another-owner-is-not-touched",
    ),
]


def _check(decision, actions, conditions, corrections, in_flight):
    assert [short(x) for x in decision.actions] == actions
    assert conditions_by_type(decision) == conditions
    assert len(decision.corrections) == corrections, decision.corrections
    assert decision.in_flight is in_flight
    assert all(c.observed_generation == 7 and c.last_transition_time is None for c in decision.conditions)


@pytest.mark.parametrize("bp, observed, previous, actions, conditions, corrections, in_flight", REALTIME)
def test_realtime(bp, observed, previous, actions, conditions, corrections, in_flight):
    _check(reconcile(bp, observed, 7, previous), actions, conditions, corrections, in_flight)


@pytest.mark.parametrize("status", ["Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"])
def test_in_flight_endpoint_is_never_acted_on(status):
    decision = reconcile(BP2, built(BP1, BP2, ep=endpoint(BP1, status)), 1, status_of(BP1))
    assert decision.actions == ()
    assert decision.in_flight is True
    assert conditions_by_type(decision)["Progressing"] == ("True", f"Endpoint{status}")
    assert decision.endpoint_phase == status


MME_AB = bp_of(mme_spec(("alpha", "beta")))
SERVING_AB = built(MME_AB, ep=endpoint(MME_AB))


def served(spec, observed=SERVING_AB):
    """The spec's blueprint on the artifact folder S3 holds, as the handler builds it."""
    return served_blueprint(spec, bp_of(spec), observed)


MME_ABC = served(mme_spec(("alpha", "beta", "gamma")))
MME_A = served(mme_spec(("alpha",)))
PREFIX = MME_AB.artifact_prefix
FOLDER = MME_AB.artifact_version + "/"


def test_mme_model_list_is_not_in_config_or_model_names():
    assert MME_AB.config.name == MME_ABC.config.name == MME_A.config.name
    assert MME_AB.models == MME_ABC.models


MULTI_MODEL = [
    pytest.param(
        MME_AB, NOTHING, None,
        [f"CreateModel:{MME_AB.models[0].name}", f"CreateEndpointConfig:{MME_AB.config.name}",
         "CopyArtifact:alpha.tar.gz", "CopyArtifact:beta.tar.gz", f"CreateEndpoint:{MME_AB.config.name}"],
        conds(("False", "CreatingEndpoint"), ("True", "CreatingEndpoint")),
        id="create-copies-artifacts-before-endpoint",
    ),
    pytest.param(MME_AB, built(MME_AB, ep=endpoint(MME_AB)), None, [], AT_REST, id="at-rest"),
    pytest.param(
        MME_ABC, built(MME_AB, ep=endpoint(MME_AB)), status_of(MME_AB),
        ["CopyArtifact:gamma.tar.gz"],
        conds(("False", "SyncingArtifacts"), ("True", "SyncingArtifacts")),
        id="add-model-is-one-s3-copy",
    ),
    pytest.param(
        MME_A, built(MME_AB, ep=endpoint(MME_AB)), status_of(MME_AB),
        ["MarkArtifactRemoved:beta.tar.gz", "DeleteArtifact:beta.tar.gz"],
        conds(("False", "SyncingArtifacts"), ("True", "SyncingArtifacts")),
        id="remove-model-is-one-s3-delete-and-its-marker",
    ),
    pytest.param(
        served(mme_spec(("alpha",)), built(MME_AB, ep=endpoint(MME_AB), artifacts={FOLDER + "beta.tar.gz": "s3://models/beta/v1/model.tar.gz"})),
        built(MME_AB, ep=endpoint(MME_AB), artifacts={FOLDER + "beta.tar.gz": "s3://models/beta/v1/model.tar.gz"}), status_of(MME_AB),
        ["CopyArtifact:alpha.tar.gz", "MarkArtifactRemoved:beta.tar.gz", "DeleteArtifact:beta.tar.gz"],
        conds(("False", "SyncingArtifacts"), ("True", "SyncingArtifacts")),
        id="copies-before-deletes",
    ),
    pytest.param(
        MME_AB, built(MME_AB, ep=endpoint(MME_AB), artifacts={FOLDER + "alpha.tar.gz": "", FOLDER + "beta.tar.gz": "s3://models/beta/v1/model.tar.gz",
                                                            "v-old/alpha.tar.gz": "s3://models/alpha/v0/model.tar.gz"}), status_of(MME_AB),
        ["CopyArtifact:alpha.tar.gz", "DeleteArtifact:alpha.tar.gz"],
        conds(("False", "SyncingArtifacts"), ("True", "SyncingArtifacts")),
        id="object-changed-out-of-band-copied-again-and-superseded-folder-collected",
    ),
    pytest.param(
        MME_AB, built(MME_AB, ep=endpoint(MME_AB), artifacts={FOLDER + "alpha.tar.gz": "", FOLDER + "beta.tar.gz": "s3://models/beta/v1/model.tar.gz"}), status_of(MME_AB),
        ["CopyArtifact:alpha.tar.gz"],
        conds(("False", "SyncingArtifacts"), ("True", "SyncingArtifacts")),
        id="unknown-source-copied-again",
    ),
]


@pytest.mark.parametrize("bp, observed, previous, actions, conditions", MULTI_MODEL)
def test_multimodel(bp, observed, previous, actions, conditions):
    decision = reconcile(bp, observed, 7, previous)
    assert [short(x) for x in decision.actions] == actions
    assert conditions_by_type(decision) == conditions


def test_mme_copy_targets_are_under_the_prefix_with_target_model_names():
    decision = reconcile(MME_ABC, built(MME_AB, ep=endpoint(MME_AB)), 1, status_of(MME_AB))
    (copy,) = [x.copy for x in decision.actions]
    assert copy.target.bucket == PREFIX.bucket == "models"
    assert copy.target.key == f"endpoint-operator/ml/recs/{FOLDER}gamma.tar.gz"
    assert copy.source.key == "gamma/v1/model.tar.gz"


def test_messages_name_what_is_happening():
    decision = reconcile(BP1, built(BP1, ep=endpoint(BP1, "Creating")), 1, None)
    progressing = next(c for c in decision.conditions if c.type == "Progressing")
    assert progressing.message == f"Endpoint ml-recs is Creating on config {C1}"
    failed = reconcile(BP1, built(BP1, ep=endpoint(BP1, "Failed", failure_reason="CannotStartContainerError")), 1, None)
    degraded = next(c for c in failed.conditions if c.type == "Degraded")
    assert "CannotStartContainerError" in degraded.message and C1 in degraded.message


def test_corrections_say_what_drifted():
    decision = reconcile(BP1, built(BP1, ep=None), 1, status_of(BP1))
    assert decision.corrections == ("Endpoint ml-recs was deleted out of band; recreating it",)


def test_an_out_of_band_delete_caught_while_deleting_is_said_once():
    seen_deleting = reconcile(BP1, built(BP1, ep=endpoint(BP1, "Deleting")), 1, status_of(BP1))
    assert seen_deleting.actions == ()
    assert seen_deleting.corrections == ("Endpoint ml-recs is being deleted out of band; it will be recreated",)
    gone = reconcile(BP1, built(BP1, ep=None), 1, seen_deleting.status)
    assert [type(a).__name__ for a in gone.actions][-1] == "CreateEndpoint"
    assert gone.corrections == ()


def test_replacing_a_failed_endpoint_is_not_called_drift():
    deleting = reconcile(BP1, built(BP1, ep=endpoint(BP1, "Deleting")), 1, status_of(BP1, "Failed"))
    assert deleting.corrections == ()


def test_rollback_is_recorded_in_status_and_carried():
    first = reconcile(BP2, built(BP1, BP2, ep=endpoint(BP1, failure_reason="boom")), 1, status_of(BP1, "Updating", target_config=C2))
    assert first.status.endpoint.failed_config == C2
    assert first.status.endpoint.target_config is None
    again = reconcile(BP2, built(BP1, BP2, ep=endpoint(BP1, failure_reason="boom")), 1, first.status)
    assert again.actions == () and again.status.endpoint.failed_config == C2


def test_update_records_its_target_until_it_lands():
    sent = reconcile(BP2, built(BP1, BP2, ep=endpoint(BP1)), 1, status_of(BP1))
    assert sent.status.endpoint.target_config == C2
    waiting = reconcile(BP2, built(BP1, BP2, ep=endpoint(BP1, "Updating")), 1, sent.status)
    assert waiting.status.endpoint.target_config == C2
    landed = reconcile(BP2, built(BP1, BP2, ep=endpoint(BP2)), 1, waiting.status)
    assert landed.status.endpoint.target_config is None and landed.status.endpoint.failed_config is None


def test_status_reports_mode_revision_variants_and_instances():
    ep = endpoint(BP1).model_copy(update={"variants": (
        endpoint(BP1).variants[0].model_copy(update={"current_instances": 1, "desired_instances": 2}),
    )})
    status = reconcile(BP1, built(BP1, ep=ep), 3, None).status
    assert (status.mode, status.mode_reason, status.revision) == ("RealTime", "set in spec.mode", C1)
    assert status.observed_generation == 3
    assert status.variants_summary == "primary=100"
    assert status.instances == "1/2"
    assert status.variants[0].model == M1
    assert status.endpoint.config_name == C1 and status.endpoint.status == "InService"
    assert status.models == ["recsys"]
    assert status.conditions is None


def test_mme_status_lists_target_models():
    status = reconcile(MME_AB, built(MME_AB, ep=endpoint(MME_AB)), 1, None).status
    assert status.models == ["alpha.tar.gz", "beta.tar.gz"]


def test_gc_ignores_names_of_other_endpoints():
    stranger = naming.config_name("ml-recs-b", "0123456789")  # shares the prefix 'ml-recs-'
    observed = built(BP1, ep=endpoint(BP1))
    observed = Observed(endpoint=observed.endpoint, models=observed.models | {naming.model_name("ml-recs-b", "0123456789")},
                        configs={**observed.configs, stranger: ObservedConfig(name=stranger)})
    assert reconcile(BP1, observed, 1, status_of(BP1)).actions == ()


def test_gc_keeps_models_the_serving_config_references():
    observed = built(BP1, BP2, ep=endpoint(BP2))
    configs = dict(observed.configs)
    configs[C2] = ObservedConfig(name=C2, variant_models=(M2, M1))  # as if the serving config used both
    decision = reconcile(BP2, Observed(endpoint=observed.endpoint, models=observed.models, configs=configs), 1, status_of(BP2))
    assert [short(x) for x in decision.actions] == [f"DeleteEndpointConfig:{C1}"]


def test_every_created_resource_carries_the_owner_tags():
    decision = reconcile(BP1, NOTHING, 1, None)
    tag_sets = [x.model.tags for x in decision.actions[:1]] + [decision.actions[1].config.tags, decision.actions[2].tags]
    for tags in tag_sets:
        assert tags[constants.TAG_UID] == OWNER.uid
        assert tags[constants.TAG_MANAGED_BY] == constants.MANAGED_BY


def test_plan_failure_keeps_what_status_showed():
    previous = status_of(BP1)
    error = PlanError("InvalidSpec", "spec.models[1].image", "spec.models[1].image: no image")
    decision = plan_failure(error, 4, previous)
    assert decision.actions == ()
    assert conditions_by_type(decision) == {"Ready": ("False", "InvalidSpec"), "Progressing": ("False", "InvalidSpec"), "Degraded": ("True", "InvalidSpec")}
    assert all("spec.models[1].image" in c.message and c.observed_generation == 4 for c in decision.conditions)
    assert decision.status.revision == previous.revision and decision.status.observed_generation == 4
    assert plan_failure(error, 1, None).status.observed_generation == 1


V2_SPEC = mme_spec(models=[{"name": "alpha", "modelDataUrl": "s3://models/alpha/v2/model.tar.gz"},
                           {"name": "beta", "modelDataUrl": "s3://models/beta/v1/model.tar.gz"}])


def test_a_changed_artifact_goes_into_a_new_folder_and_a_new_fleet_not_over_the_old_one():
    v2 = served(V2_SPEC)
    assert v2.artifact_version not in ("", MME_AB.artifact_version)
    assert v2.config.name != MME_AB.config.name
    decision = reconcile(v2, SERVING_AB, 2, status_of(MME_AB))
    copies = [x.copy for x in decision.actions if isinstance(x, a.CopyArtifact)]
    # Every model of the new folder is copied; nothing under the served folder is touched.
    assert sorted(c.target.key for c in copies) == [f"{PREFIX.key}{v2.artifact_version}/alpha.tar.gz",
                                                     f"{PREFIX.key}{v2.artifact_version}/beta.tar.gz"]
    assert not [x for x in decision.actions if isinstance(x, a.DeleteArtifact)]
    assert [short(x) for x in decision.actions if isinstance(x, a.UpdateEndpoint)] == [f"UpdateEndpoint:{v2.config.name}"]
    # TargetModel names do not change for callers.
    assert v2.served_models == MME_AB.served_models == ("alpha.tar.gz", "beta.tar.gz")


def test_the_old_folder_stays_while_the_update_runs_and_goes_once_the_new_fleet_serves():
    v2 = served(V2_SPEC)
    both = {**built(MME_AB).artifacts, **built(v2).artifacts}
    updating = built(MME_AB, v2, ep=endpoint(MME_AB, status="Updating"), artifacts=both)
    assert served_blueprint(V2_SPEC, bp_of(V2_SPEC), updating).artifact_version == v2.artifact_version
    assert not [x for x in reconcile(v2, updating, 2, status_of(v2, "Updating")).actions if isinstance(x, a.DeleteArtifact)]
    on_new = built(MME_AB, v2, ep=endpoint(v2), artifacts=both)
    deleted = [x.obj.key for x in reconcile(v2, on_new, 2, status_of(v2)).actions if isinstance(x, a.DeleteArtifact)]
    assert deleted == [f"{PREFIX.key}{MME_AB.artifact_version}/alpha.tar.gz", f"{PREFIX.key}{MME_AB.artifact_version}/beta.tar.gz"]


def test_a_legacy_prefix_keeps_serving_until_an_artifact_changes():
    legacy = {"alpha.tar.gz": "s3://models/alpha/v1/model.tar.gz", "beta.tar.gz": "s3://models/beta/v1/model.tar.gz"}
    kept = served(mme_spec(("alpha", "beta")), Observed(endpoint=None, artifacts=legacy))
    assert kept.artifact_version == "" and kept.models[0].container.model_data_url == f"s3://models/{PREFIX.key}"
    moved = served(V2_SPEC, Observed(endpoint=None, artifacts=legacy))
    assert moved.artifact_version.startswith("v-")


def test_the_folder_the_endpoint_serves_is_kept_over_another_that_fits_as_well():
    # gamma was added into the folder in service (MME_AB's); a leftover folder named by
    # the new model list holds the same three models. The endpoint stays where it is.
    abc = mme_spec(("alpha", "beta", "gamma"))
    own = bp_of(abc)
    assert own.artifact_version != MME_AB.artifact_version
    in_service = {FOLDER + c.target.key.rsplit("/", 1)[1]: s3_url(c.source) for c in own.artifacts}
    leftover = {own.artifact_version + "/" + k.split("/", 1)[1]: v for k, v in in_service.items()}
    observed = Observed(endpoint=SERVING_AB.endpoint, models=SERVING_AB.models, configs=SERVING_AB.configs,
                        artifacts={**in_service, **leftover})
    kept = served_blueprint(abc, own, observed)
    assert kept.artifact_version == MME_AB.artifact_version and kept.config.name == MME_AB.config.name
    assert not [x for x in reconcile(kept, observed, 2, status_of(MME_AB)).actions if isinstance(x, a.UpdateEndpoint)]


def test_a_model_added_back_with_another_source_gets_a_new_fleet():
    # beta was removed from the folder in service; its instances may still hold beta v1.
    removed = served(mme_spec(("alpha",)))
    decision = reconcile(removed, SERVING_AB, 2, status_of(MME_AB))
    [mark] = [x for x in decision.actions if isinstance(x, a.MarkArtifactRemoved)]
    assert mark.obj.key == f"{PREFIX.key}{MME_AB.artifact_version}.removed/beta.tar.gz"
    assert mark.source == "s3://models/beta/v1/model.tar.gz"
    after = Observed(endpoint=SERVING_AB.endpoint, models=SERVING_AB.models, configs=SERVING_AB.configs,
                     artifacts={FOLDER + "alpha.tar.gz": "s3://models/alpha/v1/model.tar.gz",
                                MME_AB.artifact_version + ".removed/beta.tar.gz": mark.source})
    # The same artifact back: the folder in service takes it again.
    assert served(mme_spec(("alpha", "beta")), after).config.name == MME_AB.config.name
    # Another artifact under the same name: a new folder and a new fleet.
    other = mme_spec(models=[{"name": "alpha", "modelDataUrl": "s3://models/alpha/v1/model.tar.gz"},
                             {"name": "beta", "modelDataUrl": "s3://models/beta/v2/model.tar.gz"}])
    assert served(other, after).config.name != MME_AB.config.name
    # The served folder's markers stay; they go with the folder.
    assert not [x for x in reconcile(served(mme_spec(("alpha",)), after), after, 3, status_of(MME_AB)).actions]
