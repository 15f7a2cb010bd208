"""The production settings end to end: what the manifest says reaches CreateModel,
CreateEndpointConfig and CopyObject (the emulator's request log), and a change of any
of them on a serving endpoint goes through a new model or config and UpdateEndpoint
while the endpoint keeps serving."""

from __future__ import annotations


from . import kit


def sent(emulator, operation: str, after: int, **match) -> list[dict]:
    """The parameters of each successful `operation` since `after` whose members match."""
    return [c["params"] for c in emulator.client.calls(operation=operation, after=after)
            if c["status"] == 200 and all(c["params"].get(k) == v for k, v in match.items())]


def last_seq(emulator) -> int:
    calls = emulator.client.calls()
    return calls[-1]["seq"] if calls else 0


def update_without_downtime(control_plane, emulator, namespace: str, name: str, patch: dict, generation: int) -> tuple[dict, int]:
    """Patch the spec and wait for Ready on it, watching the endpoint the whole time."""
    obj = kit.get(control_plane, namespace, name)
    endpoint_name = obj["status"]["endpoint"]["name"]
    before = obj["status"]["endpoint"]["configName"]
    start = last_seq(emulator)
    sm = kit.client(emulator, "sagemaker")
    with kit.watching(sm, endpoint_name) as seen:
        kit.patch_spec(control_plane, namespace, name, patch)
        obj = kit.wait_condition(control_plane, namespace, name, "Ready", generation=generation, timeout=90)
    assert obj["status"]["endpoint"]["configName"] != before
    assert [p["EndpointConfigName"] for p in sent(emulator, "UpdateEndpoint", start, EndpointName=endpoint_name)] == [
        obj["status"]["endpoint"]["configName"]]
    assert "Updating" in seen, seen
    assert set(seen) <= {"InService", "Updating"}, f"the endpoint stopped serving: {sorted(set(seen))}"
    return obj, start


def test_network_encryption_capture_and_provisioning_reach_aws_and_update_without_downtime(
        operator, control_plane, emulator, namespace):
    doc = kit.example("production/private-fraud-scoring.yaml", namespace)
    spec, name = doc["spec"], doc["metadata"]["name"]
    start = last_seq(emulator)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)
    config_name = obj["status"]["endpoint"]["configName"]

    [model] = sent(emulator, "CreateModel", start)
    assert model["VpcConfig"] == {"Subnets": spec["network"]["subnets"],
                                  "SecurityGroupIds": spec["network"]["securityGroupIds"]}
    assert model["EnableNetworkIsolation"] is True
    [config] = sent(emulator, "CreateEndpointConfig", start, EndpointConfigName=config_name)
    assert config["KmsKeyId"] == spec["encryption"]["volumeKmsKeyId"]
    capture = spec["dataCapture"]
    assert config["DataCaptureConfig"] == {
        "EnableCapture": True, "InitialSamplingPercentage": 20, "DestinationS3Uri": capture["destination"],
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}], "KmsKeyId": capture["kmsKeyId"],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]}}
    [variant] = config["ProductionVariants"]
    assert (variant["VolumeSizeInGB"], variant["ModelDataDownloadTimeoutInSeconds"],
            variant["ContainerStartupHealthCheckTimeoutInSeconds"]) == (100, 1200, 900)

    # Network: a new model (CreateModel's VpcConfig), a new config, UpdateEndpoint.
    network = {**spec["network"], "subnets": [*spec["network"]["subnets"], "subnet-0c1d2e3f4a5b60728"]}
    obj, start = update_without_downtime(control_plane, emulator, namespace, name, {"network": network}, 2)
    [model] = sent(emulator, "CreateModel", start)
    assert model["VpcConfig"]["Subnets"] == network["subnets"]

    # Config-level settings: a new config on the same model.
    patch = {"dataCapture": {**capture, "samplingPercentage": 50, "captureResponse": False},
             "encryption": {"volumeKmsKeyId": "alias/volumes-2027"}}
    obj, start = update_without_downtime(control_plane, emulator, namespace, name, patch, 3)
    assert sent(emulator, "CreateModel", start) == []
    [config] = sent(emulator, "CreateEndpointConfig", start, EndpointConfigName=obj["status"]["endpoint"]["configName"])
    assert config["KmsKeyId"] == "alias/volumes-2027"
    assert (config["DataCaptureConfig"]["InitialSamplingPercentage"], config["DataCaptureConfig"]["CaptureOptions"]) == (
        50, [{"CaptureMode": "Input"}])

    # Per-instance settings: a new config whose variant carries them.
    provisioning = {"volumeSizeGB": 250, "modelDataDownloadTimeoutSeconds": 3600,
                    "containerStartupHealthCheckTimeoutSeconds": 3600}
    obj, start = update_without_downtime(control_plane, emulator, namespace, name, {"provisioning": provisioning}, 4)
    [config] = sent(emulator, "CreateEndpointConfig", start, EndpointConfigName=obj["status"]["endpoint"]["configName"])
    [variant] = config["ProductionVariants"]
    assert (variant["VolumeSizeInGB"], variant["ModelDataDownloadTimeoutInSeconds"],
            variant["ContainerStartupHealthCheckTimeoutInSeconds"]) == (250, 3600, 3600)


def test_multi_model_copies_are_encrypted_and_a_new_key_moves_to_a_new_folder_without_downtime(
        operator, control_plane, emulator, namespace):
    doc = kit.example("production/multimodel-sse-kms.yaml", namespace)
    name = doc["metadata"]["name"]
    start = last_seq(emulator)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)

    copies = sent(emulator, "CopyObject", start)
    assert len(copies) == len(doc["spec"]["models"])
    assert {(c["ServerSideEncryption"], c["SSEKMSKeyId"]) for c in copies} == {("aws:kms", "alias/model-artifacts")}
    s3 = kit.client(emulator, "s3")
    for copy in copies:
        assert s3.head_object(Bucket=copy["Bucket"], Key=copy["Key"])["ServerSideEncryption"] == "aws:kms"

    obj, start = update_without_downtime(control_plane, emulator, namespace, name,
                                         {"encryption": {"artifactKmsKeyId": "alias/model-artifacts-2027"}}, 2)
    recopied = sent(emulator, "CopyObject", start)
    assert {c["SSEKMSKeyId"] for c in recopied} == {"alias/model-artifacts-2027"}
    assert len(recopied) == len(doc["spec"]["models"])
    assert not {c["Key"] for c in recopied} & {c["Key"] for c in copies}  # a new folder, never over a served copy


def test_a_large_model_gets_its_timeouts_and_ami_and_a_new_ami_updates_without_downtime(
        operator, control_plane, emulator, namespace):
    doc = kit.example("production/large-model.yaml", namespace)
    name = doc["metadata"]["name"]
    start = last_seq(emulator)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)

    [config] = sent(emulator, "CreateEndpointConfig", start, EndpointConfigName=obj["status"]["endpoint"]["configName"])
    [variant] = config["ProductionVariants"]
    assert (variant["ModelDataDownloadTimeoutInSeconds"], variant["ContainerStartupHealthCheckTimeoutInSeconds"],
            variant["InferenceAmiVersion"]) == (3600, 3600, "al2-ami-sagemaker-inference-gpu-3-1")
    assert "VolumeSizeInGB" not in variant and "KmsKeyId" not in config  # ml.g5: local NVMe storage

    provisioning = {**doc["spec"]["provisioning"], "inferenceAmiVersion": "al2023-ami-sagemaker-inference-gpu-4-1"}
    obj, start = update_without_downtime(control_plane, emulator, namespace, name, {"provisioning": provisioning}, 2)
    [config] = sent(emulator, "CreateEndpointConfig", start, EndpointConfigName=obj["status"]["endpoint"]["configName"])
    assert config["ProductionVariants"][0]["InferenceAmiVersion"] == "al2023-ami-sagemaker-inference-gpu-4-1"
