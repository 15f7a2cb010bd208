"""Serverless and Async blueprints, and serverless concurrency changed in place."""

from __future__ import annotations

import pytest
from test_plan_kit import bp_of, built, conditions_by_type, endpoint, realtime_spec, status_of

from endpoint_operator.api.resources import AsyncConfig, ObservedVariant, ServerlessConfig
from endpoint_operator.api.spec import Mode
from endpoint_operator.aws.sagemaker import endpoint_config_request, weights_request
from endpoint_operator.plan import actions as a
from endpoint_operator.plan.errors import PlanError
from endpoint_operator.plan.reconcile import reconcile

OUT = {"outputPath": "s3://results/out/"}


def serverless_spec(**settings):
    return realtime_spec(mode="Serverless", instances=None, serverless=settings)


def async_spec(**settings):
    return realtime_spec(mode="Async", **{"async": {**OUT, **settings}})


def test_serverless_blueprint_has_no_instances():
    bp = bp_of(serverless_spec(memorySizeMB=3072, maxConcurrency=10, provisionedConcurrency=2))
    (variant,) = bp.config.variants
    assert bp.mode is Mode.SERVERLESS
    assert variant.instance_type is None and variant.initial_instance_count is None
    assert variant.serverless == ServerlessConfig(memory_size_mb=3072, max_concurrency=10, provisioned_concurrency=2)
    request = endpoint_config_request(bp.config)["ProductionVariants"][0]
    assert request["ServerlessConfig"] == {"MemorySizeInMB": 3072, "MaxConcurrency": 10, "ProvisionedConcurrency": 2}
    assert "InstanceType" not in request and "InitialInstanceCount" not in request


def test_serverless_defaults():
    (variant,) = bp_of(realtime_spec(mode="Serverless", instances=None)).config.variants
    assert variant.serverless == ServerlessConfig(memory_size_mb=2048, max_concurrency=20)


# (change, whether a new config is needed)
SERVERLESS_HASHING = [
    pytest.param({"maxConcurrency": 50}, False, id="max-concurrency-in-place"),
    pytest.param({"provisionedConcurrency": 4}, True, id="turning-provisioned-on-needs-a-config"),
    pytest.param({"memorySizeMB": 4096}, True, id="memory-needs-a-config"),
]


@pytest.mark.parametrize("change, new_config", SERVERLESS_HASHING)
def test_what_makes_a_new_serverless_config(change, new_config):
    before = bp_of(serverless_spec(maxConcurrency=10))
    after = bp_of(serverless_spec(**{"maxConcurrency": 10, **change}))
    assert (before.config.name != after.config.name) is new_config
    assert before.models == after.models


def test_provisioned_value_changes_in_place():
    assert bp_of(serverless_spec(provisionedConcurrency=2)).config.name == bp_of(serverless_spec(provisionedConcurrency=8)).config.name


def _serving(bp, current: ServerlessConfig):
    return endpoint(bp, variants=(ObservedVariant(name="primary", weight=1.0, current_serverless=current),))


def test_concurrency_change_is_applied_in_place():
    bp = bp_of(serverless_spec(maxConcurrency=50, provisionedConcurrency=5))
    running = ServerlessConfig(memory_size_mb=2048, max_concurrency=10, provisioned_concurrency=2)
    decision = reconcile(bp, built(bp, ep=_serving(bp, running)), 2, status_of(bp))
    assert decision.actions == (a.UpdateServerlessConcurrency(name=bp.endpoint_name, variant="primary", serverless=bp.config.variants[0].serverless),)
    assert conditions_by_type(decision)["Progressing"] == ("True", "UpdatingConcurrency")
    assert conditions_by_type(decision)["Ready"][0] == "True"
    rows = weights_request({}, {}, {"primary": bp.config.variants[0].serverless})
    assert rows == [{"VariantName": "primary", "ServerlessUpdateConfig": {"MaxConcurrency": 50, "ProvisionedConcurrency": 5}}]


def test_serving_the_desired_concurrency_is_at_rest():
    bp = bp_of(serverless_spec(maxConcurrency=10))
    decision = reconcile(bp, built(bp, ep=_serving(bp, bp.config.variants[0].serverless)), 1, status_of(bp))
    assert decision.actions == ()
    assert conditions_by_type(decision)["Ready"] == ("True", "EndpointInService")


def test_memory_change_updates_the_endpoint_to_a_new_config():
    old = bp_of(serverless_spec(memorySizeMB=2048))
    new = bp_of(serverless_spec(memorySizeMB=4096))
    decision = reconcile(new, built(old, new, ep=_serving(old, old.config.variants[0].serverless)), 2, status_of(old))
    assert decision.actions == (a.UpdateEndpoint(name=new.endpoint_name, config_name=new.config.name),)


def test_async_blueprint():
    bp = bp_of(async_spec(failurePath="s3://results/failed/", successTopicArn="arn:aws:sns:us-east-1:111122223333:ok",
                          errorTopicArn="arn:aws:sns:us-east-1:111122223333:err", kmsKeyId="alias/results",
                          maxConcurrentInvocationsPerInstance=4))
    assert bp.mode is Mode.ASYNC and not bp.scale_to_zero
    assert bp.config.variants[0].instance_type == "ml.m5.large"
    assert bp.config.async_config == AsyncConfig(
        output_path="s3://results/out/", failure_path="s3://results/failed/",
        success_topic_arn="arn:aws:sns:us-east-1:111122223333:ok", error_topic_arn="arn:aws:sns:us-east-1:111122223333:err",
        kms_key_id="alias/results", max_concurrent_invocations_per_instance=4)
    request = endpoint_config_request(bp.config)["AsyncInferenceConfig"]
    assert request == {
        "OutputConfig": {"S3OutputPath": "s3://results/out/", "S3FailurePath": "s3://results/failed/", "KmsKeyId": "alias/results",
                         "NotificationConfig": {"SuccessTopic": "arn:aws:sns:us-east-1:111122223333:ok",
                                                "ErrorTopic": "arn:aws:sns:us-east-1:111122223333:err"}},
        "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 4},
    }


def test_async_settings_make_a_new_config():
    assert bp_of(async_spec()).config.name != bp_of(async_spec(failurePath="s3://results/failed/")).config.name
    assert bp_of(async_spec()).models == bp_of(realtime_spec()).models  # same container either way


def test_async_scale_to_zero_starts_with_one_instance():
    bp = bp_of(realtime_spec(
        mode="Async", instances={"type": "ml.m5.large", "min": 0, "max": 2}, **{"async": {**OUT, "scaleToZero": True}}))
    assert bp.scale_to_zero
    assert bp.config.variants[0].initial_instance_count == 1


def test_auto_async_needs_an_output_path():
    with pytest.raises(PlanError) as caught:
        bp_of(realtime_spec(mode="Auto", traffic={"maxProcessingSeconds": 600}))
    assert caught.value.field == "spec.async.outputPath"


def test_auto_scheduled_scales_to_zero():
    bp = bp_of(realtime_spec(mode="Auto", traffic={"pattern": "Scheduled"}, **{"async": OUT}))
    assert (bp.mode, bp.scale_to_zero) == (Mode.ASYNC, True)
    assert "Batch Transform" in bp.mode_reason
