"""build_blueprint() and resolve_mode(): what a spec becomes, and what it refuses."""

from __future__ import annotations

import pytest
from test_plan_kit import IMAGE, OWNER, bp_of, built, mme_spec, realtime_spec

from endpoint_operator.api import constants
from endpoint_operator.api.spec import Mode, ModelEndpointSpec
from endpoint_operator.plan.artifacts import served_blueprint
from endpoint_operator.plan.errors import PlanError
from endpoint_operator.plan.identity import Owner
from endpoint_operator.plan.mode import resolve_mode
from endpoint_operator.plan.naming import NAME_PATTERN

BASE = bp_of(realtime_spec())
MME = bp_of(mme_spec())


def test_realtime_blueprint():
    bp = BASE
    assert (bp.endpoint_name, bp.mode, bp.mode_reason) == ("ml-recs", Mode.REAL_TIME, "set in spec.mode")
    (model,) = bp.models
    assert model.container.image == IMAGE and model.container.mode == "SingleModel"
    assert model.container.model_data_url == "s3://models/recsys/v7/model.tar.gz"
    (variant,) = bp.config.variants
    assert (variant.name, variant.model_name, variant.instance_type, variant.initial_instance_count) == ("primary", model.name, "ml.m5.large", 1)
    assert bp.revision == bp.config.name
    assert bp.artifacts == () and bp.artifact_prefix is None


def test_multimodel_blueprint():
    (model,) = MME.models
    assert model.container.mode == "MultiModel" and model.container.model_cache is True
    # A folder per content version under the prefix: a changed artifact never lands
    # where a running fleet loaded the old one.
    folder = f"endpoint-operator/ml/recs/{MME.artifact_version}/"
    assert MME.artifact_version.startswith("v-")
    assert model.container.model_data_url == f"s3://models/{folder}"
    assert (MME.artifact_prefix.bucket, MME.artifact_prefix.key) == ("models", "endpoint-operator/ml/recs/")
    assert [(c.source.key, c.target.key) for c in MME.artifacts] == [
        ("alpha/v1/model.tar.gz", f"{folder}alpha.tar.gz"),
        ("beta/v1/model.tar.gz", f"{folder}beta.tar.gz"),
    ]
    assert MME.served_models == ("alpha.tar.gz", "beta.tar.gz")


@pytest.mark.parametrize("prefix, bucket, key", [
    ("s3://shared/mme/recs", "shared", "mme/recs/"),
    ("s3://shared/mme/recs/", "shared", "mme/recs/"),
], ids=["slash-added", "slash-kept"])
def test_multimodel_prefix_from_spec(prefix, bucket, key):
    bp = bp_of(mme_spec(multiModel={"artifactPrefix": prefix}))
    assert (bp.artifact_prefix.bucket, bp.artifact_prefix.key) == (bucket, key)
    assert all(c.target.key.startswith(key) for c in bp.artifacts)


@pytest.mark.parametrize("instances, count", [({"min": 1}, 1), ({"min": 3, "max": 5}, 3)], ids=["min1", "min3"])
def test_instance_count_is_min_at_least_one(instances, count):
    assert bp_of(realtime_spec(instances=instances)).config.variants[0].initial_instance_count == count


# (spec, changes the model name, changes the config name)
HASHING = [
    pytest.param(realtime_spec(image="other/image:1"), True, True, id="rt-image"),
    pytest.param(realtime_spec(models=[{"name": "recsys", "modelDataUrl": "s3://models/recsys/v7/model.tar.gz", "environment": {"A": "1"}}]), True, True, id="rt-env"),
    pytest.param(realtime_spec(data="s3://models/recsys/v8/model.tar.gz"), True, True, id="rt-model-data"),
    pytest.param(realtime_spec(executionRoleArn="arn:aws:iam::111122223333:role/other"), True, True, id="rt-role"),
    pytest.param(realtime_spec(instances={"type": "ml.g4dn.xlarge"}), False, True, id="rt-instance-type"),
    pytest.param(realtime_spec(instances={"min": 2, "max": 4}), False, False, id="rt-instance-count-is-the-autoscalers"),
    pytest.param(realtime_spec(instances={"max": 9}), False, False, id="rt-max-only-autoscaling"),
    pytest.param(realtime_spec(tags={"team": "recs"}), False, False, id="rt-tags"),
]


@pytest.mark.parametrize("spec, model_changes, config_changes", HASHING)
def test_what_makes_new_names_realtime(spec, model_changes, config_changes):
    bp = bp_of(spec)
    assert (bp.models[0].name != BASE.models[0].name) is model_changes
    assert (bp.config.name != BASE.config.name) is config_changes


MME_HASHING = [
    pytest.param(mme_spec(("alpha", "beta", "gamma")), False, False, id="mme-add-model"),
    pytest.param(mme_spec(("alpha",)), False, False, id="mme-remove-model"),
    pytest.param(mme_spec(models=[{"name": "alpha", "modelDataUrl": "s3://models/alpha/v2/model.tar.gz"}, {"name": "beta", "modelDataUrl": "s3://models/beta/v1/model.tar.gz"}]), True, True, id="mme-model-data"),
    pytest.param(mme_spec(image="other/image:1"), True, True, id="mme-image"),
    pytest.param(mme_spec(multiModel={"modelCache": False}), True, True, id="mme-cache-setting"),
    pytest.param(mme_spec(multiModel={"artifactPrefix": "s3://shared/mme/"}), True, True, id="mme-prefix"),
    pytest.param(mme_spec(instances={"type": "ml.c5.xlarge"}), False, True, id="mme-instance-type"),
]


@pytest.mark.parametrize("spec, model_changes, config_changes", MME_HASHING)
def test_what_makes_new_names_multimodel(spec, model_changes, config_changes):
    # As the handler builds it: on the artifact folder the running endpoint serves.
    bp = served_blueprint(spec, bp_of(spec), built(MME))
    assert (bp.models[0].name != MME.models[0].name) is model_changes
    assert (bp.config.name != MME.config.name) is config_changes


def test_blueprint_is_deterministic():
    assert bp_of(realtime_spec()) == BASE
    assert bp_of(mme_spec()) == MME


def test_tags_on_every_resource():
    bp = bp_of(mme_spec(tags={"team": "recs", constants.TAG_UID: "forged"}))
    expected = {"team": "recs", constants.TAG_NAMESPACE: "ml", constants.TAG_NAME: "recs", constants.TAG_UID: "uid-1",
                constants.TAG_MANAGED_BY: constants.MANAGED_BY}
    assert bp.tags == expected
    assert all(m.tags == expected for m in bp.models)
    assert bp.config.tags == expected


@pytest.mark.parametrize("owner", [
    Owner("ml", "recs", "u"),
    Owner("a-very-long-namespace-name-for-the-team", "an-even-longer-model-endpoint-name.with.dots", "u"),
    Owner("x" * 63, "y" * 253, "u"),
], ids=["short", "long-with-dots", "longest"])
def test_names_fit_sagemaker(owner):
    bp = bp_of(realtime_spec(), owner)
    for name in (bp.endpoint_name, bp.models[0].name, bp.config.name):
        assert len(name) <= 63 and NAME_PATTERN.match(name), name
    assert bp_of(realtime_spec(), owner) == bp


def test_endpoint_name_override():
    assert bp_of(realtime_spec(endpointName="recs-prod")).endpoint_name == "recs-prod"


MODES = [
    pytest.param({"mode": "RealTime"}, 1, (Mode.REAL_TIME, "set in spec.mode"), id="explicit-realtime"),
    pytest.param({"mode": "MultiModel"}, 2, (Mode.MULTI_MODEL, "set in spec.mode"), id="explicit-multimodel"),
    pytest.param({"mode": "Auto"}, 1, (Mode.REAL_TIME, "one model, no traffic hints: real-time"), id="auto-one-model"),
    pytest.param({"mode": "Auto"}, 3, (Mode.MULTI_MODEL, "3 models share one image: only a multi-model endpoint serves several models (from 5 models it also pays off)"), id="auto-shared-image"),
    pytest.param({"mode": "Auto", "traffic": {"maxPayloadMB": 5}}, 1, (Mode.REAL_TIME, "steady traffic on one model: real-time"), id="auto-small-payload"),
]


def _spec(extra: dict, count: int) -> ModelEndpointSpec:
    names = tuple(f"m{i}" for i in range(count))
    return mme_spec(names, **extra)


@pytest.mark.parametrize("extra, count, expected", MODES)
def test_resolve_mode(extra, count, expected):
    assert resolve_mode(_spec(extra, count)) == expected


CANARY = {"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}]}
ERRORS = [
    pytest.param(lambda: realtime_spec(mode="Auto", traffic={"maxPayloadMB": 100}), "InvalidSpec", "spec.async.outputPath", id="auto-async-without-output"),
    pytest.param(lambda: mme_spec(mode="Auto", traffic={"maxPayloadMB": 100}), "InvalidSpec", "spec.models", id="auto-async-several-models"),
    pytest.param(lambda: realtime_spec(traffic={"maxProcessingSeconds": 600}), "InvalidSpec", "spec.traffic.maxProcessingSeconds", id="realtime-too-slow"),
    pytest.param(lambda: realtime_spec(traffic={"maxPayloadMB": 20}), "InvalidSpec", "spec.traffic.maxPayloadMB", id="realtime-payload-too-big"),
    pytest.param(lambda: realtime_spec(mode="Auto", traffic={"maxPayloadMB": 100},
                                       rollout={**CANARY, "shadow": {"pause": "1h"}},
                                       **{"async": {"outputPath": "s3://models/out/"}}),
                 "InvalidSpec", "spec.rollout.shadow", id="auto-async-with-a-shadow-step"),
    pytest.param(lambda: realtime_spec(mode="Auto", traffic={"maxPayloadMB": 100},
                                       rollout={**CANARY, "analysis": {"metrics": [{"name": "OverheadLatency", "max": "50ms"}]}},
                                       **{"async": {"outputPath": "s3://models/out/"}}),
                 "InvalidSpec", "spec.rollout.analysis.metrics", id="auto-async-gated-on-a-metric-it-does-not-publish"),
    pytest.param(lambda: mme_spec(("a", "b", "c"), mode="Auto", rollout={**CANARY, "shadow": {"pause": "1h"}}),
                 "InvalidSpec", "spec.rollout.shadow", id="auto-multi-model-with-shadow"),
    pytest.param(lambda: realtime_spec(mode="Auto", instances=None), "InvalidSpec", "spec.instances", id="auto-without-instances"),
    pytest.param(lambda: mme_spec(mode="Auto", models=[{"name": "a", "modelDataUrl": "s3://models/a.tar.gz"}, {"name": "b", "modelDataUrl": "s3://models/b.tar.gz", "image": "x/y:1"}]),
                 "InvalidSpec", "spec.models", id="auto-different-images"),
    pytest.param(lambda: mme_spec(models=[{"name": "a", "modelDataUrl": "s3://models/a.tar.gz"}, {"name": "b", "modelDataUrl": "s3://models/b.tar.gz", "image": "x/y:1"}]),
                 "InvalidSpec", "spec.models[1].image", id="mme-different-images"),
    pytest.param(lambda: mme_spec(models=[{"name": "a", "modelDataUrl": "s3://models/a.tar.gz"}, {"name": "b", "modelDataUrl": "s3://models/b.tar.gz", "environment": {"X": "1"}}]),
                 "InvalidSpec", "spec.models[1].environment", id="mme-different-env"),
    pytest.param(lambda: mme_spec(multiModel={"artifactPrefix": "s3://models/alpha/"}), "InvalidSpec", "spec.models[0].modelDataUrl", id="mme-source-under-prefix"),
    pytest.param(lambda: mme_spec(multiModel={"artifactPrefix": "s3://models"}), "InvalidSpec", "spec.multiModel.artifactPrefix", id="mme-bucket-root-prefix"),
    pytest.param(lambda: realtime_spec(tags={"aws:cost": "x"}), "InvalidSpec", "spec.tags", id="reserved-tag"),
    pytest.param(lambda: realtime_spec(tags={f"t{i}": "v" for i in range(47)}), "InvalidSpec", "spec.tags", id="too-many-tags"),
]


@pytest.mark.parametrize("make_spec, reason, field", ERRORS)
def test_plan_errors_name_the_field(make_spec, reason, field):
    with pytest.raises(PlanError) as caught:
        bp_of(make_spec())
    assert (caught.value.reason, caught.value.field) == (reason, field)
    assert field in caught.value.message
