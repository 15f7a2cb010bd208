"""spec.network, spec.encryption, spec.dataCapture and spec.provisioning in the plan:
each reaches the model, config or copy it belongs to, a change of it is a new model or
config (and so UpdateEndpoint, never an edit of a running one), and a spec without them
builds exactly the names it built before they existed."""

from __future__ import annotations

import pytest
from test_plan_kit import OWNER, bp_of, built, endpoint, mme_spec, realtime_spec, short, status_of

from endpoint_operator.api.resources import VariantProvisioning, VpcSettings
from endpoint_operator.aws.sagemaker import endpoint_config_request, model_request
from endpoint_operator.plan import rollout as ro
from endpoint_operator.plan.artifacts import sync_artifacts
from endpoint_operator.plan.blueprint import build_blueprint
from endpoint_operator.plan.errors import PlanError
from endpoint_operator.plan.reconcile import reconcile
from endpoint_operator.api.spec import ModelEndpointSpec

VPC = {"subnets": ["subnet-0a1b2c3d"], "securityGroupIds": ["sg-0a1b2c3d"]}
CAPTURE = {"samplingPercentage": 20, "destination": "s3://capture/recs/", "captureResponse": False,
           "jsonContentTypes": ["application/json"], "kmsKeyId": "alias/capture"}
PROVISIONING = {"volumeSizeGB": 200, "modelDataDownloadTimeoutSeconds": 1800,
                "containerStartupHealthCheckTimeoutSeconds": 1200,
                "inferenceAmiVersion": "al2-ami-sagemaker-inference-gpu-3-1"}

BASE = bp_of(realtime_spec())


def test_names_without_the_new_fields_are_those_built_before_them():
    # Computed by the release before these fields: an upgrade renames nothing and so
    # replaces no fleet.
    assert (BASE.config.name, BASE.models[0].name) == ("ml-recs-c-6133cbd5a0", "ml-recs-m-af0f6e52e9")
    mme = bp_of(mme_spec())
    assert (mme.config.name, mme.models[0].name, mme.artifact_version) == (
        "ml-recs-c-59db2fd129", "ml-recs-m-08d8856914", "v-c525dc5926")


def test_network_reaches_the_model_and_makes_a_new_one():
    bp = bp_of(realtime_spec(network={**VPC, "isolation": True}))
    (model,) = bp.models
    assert model.vpc == VpcSettings(subnets=("subnet-0a1b2c3d",), security_group_ids=("sg-0a1b2c3d",))
    assert model.network_isolation is True
    assert model.name != BASE.models[0].name and bp.config.name != BASE.config.name
    request = model_request(model)
    assert request["VpcConfig"] == {"SecurityGroupIds": ["sg-0a1b2c3d"], "Subnets": ["subnet-0a1b2c3d"]}
    assert request["EnableNetworkIsolation"] is True
    assert "VpcConfig" not in model_request(BASE.models[0]) and "EnableNetworkIsolation" not in model_request(BASE.models[0])


def test_volume_key_capture_and_provisioning_reach_the_config_and_make_a_new_one():
    bp = bp_of(realtime_spec(encryption={"volumeKmsKeyId": "alias/volumes"}, dataCapture=CAPTURE,
                             provisioning=PROVISIONING))
    assert bp.models == BASE.models  # the model is the same: only the config changes
    assert bp.config.name != BASE.config.name
    request = endpoint_config_request(bp.config)
    assert request["KmsKeyId"] == "alias/volumes"
    assert request["DataCaptureConfig"] == {
        "EnableCapture": True, "InitialSamplingPercentage": 20, "DestinationS3Uri": "s3://capture/recs/",
        "CaptureOptions": [{"CaptureMode": "Input"}], "KmsKeyId": "alias/capture",
        "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]}}
    [variant] = request["ProductionVariants"]
    assert (variant["VolumeSizeInGB"], variant["ModelDataDownloadTimeoutInSeconds"],
            variant["ContainerStartupHealthCheckTimeoutInSeconds"], variant["InferenceAmiVersion"]) == (
        200, 1800, 1200, "al2-ami-sagemaker-inference-gpu-3-1")
    assert not {"KmsKeyId", "DataCaptureConfig"} & set(endpoint_config_request(BASE.config))


@pytest.mark.parametrize("change", [
    {"network": {"isolation": True}},
    {"network": VPC},
    {"encryption": {"volumeKmsKeyId": "alias/volumes"}},
    {"dataCapture": CAPTURE},
    {"dataCapture": {**CAPTURE, "samplingPercentage": 50}},
    {"provisioning": {"volumeSizeGB": 100}},
    {"provisioning": {"containerStartupHealthCheckTimeoutSeconds": 900}},
    {"provisioning": {"modelDataDownloadTimeoutSeconds": 900}},
    {"provisioning": {"inferenceAmiVersion": "al2-ami-sagemaker-inference-gpu-2"}},
], ids=lambda c: next(iter(c)) + "." + next(iter(next(iter(c.values())))))
def test_a_change_on_a_serving_endpoint_is_a_new_config_and_update_endpoint(change):
    before = bp_of(realtime_spec(dataCapture={**CAPTURE, "samplingPercentage": 10}))
    after = bp_of(realtime_spec(**{"dataCapture": {**CAPTURE, "samplingPercentage": 10}, **change}))
    assert after.config.name != before.config.name
    serving = endpoint(after, config=before.config.name)  # InService on the old config
    decision = reconcile(after, built(before, ep=serving), 2, status_of(before))
    plan = [short(x) for x in decision.actions]
    assert plan[-1] == f"UpdateEndpoint:{after.config.name}"
    assert f"CreateEndpointConfig:{after.config.name}" in plan
    assert not any(p.startswith("Delete") for p in plan)  # the old config serves until the new one does


def test_a_canary_keeps_the_config_settings_and_the_primary_its_provisioning():
    old = bp_of(realtime_spec(provisioning={"volumeSizeGB": 50}, encryption={"volumeKmsKeyId": "alias/volumes"},
                              dataCapture=CAPTURE))
    new = bp_of(realtime_spec("s3://models/recsys/v8/model.tar.gz", provisioning={"volumeSizeGB": 50},
                              encryption={"volumeKmsKeyId": "alias/volumes"}, dataCapture=CAPTURE,
                              rollout={"steps": [{"weight": 15}, {"weight": 100}]}))
    canary = ro.canary_config(new, old.config.variants[0], 1, 15)
    assert (canary.kms_key_id, canary.data_capture) == (new.config.kms_key_id, new.config.data_capture)
    assert {v.name: v.provisioning for v in canary.variants} == {
        "primary": VariantProvisioning(volume_size_gb=50), "canary": VariantProvisioning(volume_size_gb=50)}


def test_the_artifact_key_encrypts_the_copies_and_a_new_key_is_a_new_folder():
    plain = bp_of(mme_spec())
    keyed = bp_of(mme_spec(encryption={"artifactKmsKeyId": "alias/models"}))
    assert {c.kms_key_id for c in keyed.artifacts} == {"alias/models"}
    assert keyed.artifact_version != plain.artifact_version
    assert keyed.models[0].container.model_data_url != plain.models[0].container.model_data_url
    # S3 holds the unencrypted copies the endpoint serves: none of them fits, all are copied again.
    sync = sync_artifacts(keyed, built(plain))
    assert sorted(short(c) for c in sync.copies) == ["CopyArtifact:alpha.tar.gz", "CopyArtifact:beta.tar.gz"]
    assert all(c.copy.target.key.startswith(f"endpoint-operator/ml/recs/{keyed.artifact_version}/") for c in sync.copies)
    # Copies under the key are recognised as such: nothing to copy.
    prefix = keyed.artifact_prefix.key
    present = {c.target.key[len(prefix):]: f"s3://{c.source.bucket}/{c.source.key} sse-kms:alias/models"
               for c in keyed.artifacts}
    assert sync_artifacts(keyed, built(keyed, artifacts=present)).copies == ()


def test_a_removal_marker_is_encrypted_as_the_copies():
    keyed = bp_of(mme_spec(encryption={"artifactKmsKeyId": "alias/models"}))
    prefix = keyed.artifact_prefix.key
    present = {c.target.key[len(prefix):]: f"s3://{c.source.bucket}/{c.source.key} sse-kms:alias/models"
               for c in keyed.artifacts}
    fewer = build_blueprint(mme_spec(("alpha",), encryption={"artifactKmsKeyId": "alias/models"}), OWNER,
                            artifact_version=keyed.artifact_version)
    [mark] = sync_artifacts(fewer, built(fewer, artifacts=present)).marks
    assert mark.kms_key_id == "alias/models"


@pytest.mark.parametrize("field, settings", [
    ("spec.network", {"network": {"isolation": True}}),
    ("spec.dataCapture", {"dataCapture": CAPTURE}),
    ("spec.provisioning", {"provisioning": {"volumeSizeGB": 10}}),
    ("spec.encryption.volumeKmsKeyId", {"encryption": {"volumeKmsKeyId": "alias/volumes"}}),
])
def test_auto_choosing_serverless_refuses_instance_settings_naming_the_field(field, settings):
    spec = ModelEndpointSpec.model_validate({
        "region": "us-east-1", "executionRoleArn": BASE.models[0].execution_role_arn,
        "image": BASE.models[0].container.image, "traffic": {"pattern": "Sporadic"},
        "models": [{"name": "recsys", "modelDataUrl": "s3://models/recsys/v7/model.tar.gz", "invocationsPerDay": 50}],
        **settings})
    with pytest.raises(PlanError) as refused:
        bp_of(spec)
    assert refused.value.field == field
