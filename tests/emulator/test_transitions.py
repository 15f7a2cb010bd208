"""Endpoint status transitions, as a boto3 client sees them."""

import pytest
from botocore.exceptions import ClientError

from .helpers import create_config, create_model, single_variant_endpoint, wait_for, wait_for_status

pytestmark = pytest.mark.emulator


def test_create_goes_creating_then_in_service(aws):
    single_variant_endpoint(aws.sagemaker, "recs")

    first = aws.sagemaker.describe_endpoint(EndpointName="recs")
    assert first["EndpointStatus"] == "Creating"

    ready = wait_for_status(aws.sagemaker, "recs", "InService")
    assert ready["EndpointConfigName"] == "config-a"
    assert ready["LastModifiedTime"] > first["LastModifiedTime"]
    [variant] = ready["ProductionVariants"]
    assert variant == {"VariantName": "primary", "CurrentWeight": 1.0, "DesiredWeight": 1.0,
                       "CurrentInstanceCount": 2, "DesiredInstanceCount": 2}


def test_update_reports_old_config_until_in_service_on_new(aws):
    single_variant_endpoint(aws.sagemaker, "recs", "config-a", instances=2)
    wait_for_status(aws.sagemaker, "recs", "InService")
    create_model(aws.sagemaker, "model-b")
    create_config(aws.sagemaker, "config-b", {"primary": ("model-b", 3, 1.0)})

    aws.sagemaker.update_endpoint(EndpointName="recs", EndpointConfigName="config-b")

    updating = aws.sagemaker.describe_endpoint(EndpointName="recs")
    assert updating["EndpointStatus"] == "Updating"
    assert updating["EndpointConfigName"] == "config-a"
    assert updating["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    assert updating["PendingDeploymentSummary"]["EndpointConfigName"] == "config-b"

    done = wait_for_status(aws.sagemaker, "recs", "InService")
    assert done["EndpointConfigName"] == "config-b"
    assert done["ProductionVariants"][0]["CurrentInstanceCount"] == 3
    assert "PendingDeploymentSummary" not in done


def test_update_refused_while_in_flight_or_to_a_missing_config(aws):
    single_variant_endpoint(aws.sagemaker, "recs")

    with pytest.raises(ClientError) as in_flight:
        aws.sagemaker.update_endpoint(EndpointName="recs", EndpointConfigName="config-a")
    assert in_flight.value.response["Error"]["Code"] == "ValidationException"
    assert "Cannot update in-progress endpoint" in in_flight.value.response["Error"]["Message"]

    wait_for_status(aws.sagemaker, "recs", "InService")
    with pytest.raises(ClientError) as missing:
        aws.sagemaker.update_endpoint(EndpointName="recs", EndpointConfigName="nope")
    assert missing.value.response["Error"]["Message"].startswith("Could not find endpoint configuration")

    with pytest.raises(ClientError) as no_endpoint:
        aws.sagemaker.update_endpoint(EndpointName="ghost", EndpointConfigName="config-a")
    assert no_endpoint.value.response["Error"]["Message"].startswith("Could not find endpoint")


def test_delete_goes_deleting_then_gone(aws):
    single_variant_endpoint(aws.sagemaker, "recs")
    wait_for_status(aws.sagemaker, "recs", "InService")

    aws.sagemaker.delete_endpoint(EndpointName="recs")
    assert aws.sagemaker.describe_endpoint(EndpointName="recs")["EndpointStatus"] == "Deleting"

    def describe_error():
        try:
            return aws.sagemaker.describe_endpoint(EndpointName="recs")["EndpointStatus"]
        except ClientError as error:
            return error.response["Error"]

    gone = wait_for(describe_error, lambda r: isinstance(r, dict))
    assert gone["Code"] == "ValidationException"
    assert gone["Message"] == (
        'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/recs".'
    )
    assert aws.sagemaker.list_endpoints()["Endpoints"] == []


def test_injected_failure_shows_failure_reason(aws):
    aws.emulator.fail_next("recs", "Image pull failed: no such tag", operation="create")
    single_variant_endpoint(aws.sagemaker, "recs")

    failed = wait_for_status(aws.sagemaker, "recs", "Failed")
    assert failed["FailureReason"] == "Image pull failed: no such tag"

    with pytest.raises(ClientError) as refused:
        aws.sagemaker.update_endpoint(EndpointName="recs", EndpointConfigName="config-a")
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_injected_update_failure_keeps_the_old_config(aws):
    single_variant_endpoint(aws.sagemaker, "recs", "config-a")
    wait_for_status(aws.sagemaker, "recs", "InService")
    create_model(aws.sagemaker, "model-b")
    create_config(aws.sagemaker, "config-b", {"primary": ("model-b", 1, 1.0)})
    aws.emulator.fail_next("recs", "Health check failed", operation="update", rollback=True)

    aws.sagemaker.update_endpoint(EndpointName="recs", EndpointConfigName="config-b")
    assert aws.sagemaker.describe_endpoint(EndpointName="recs")["EndpointStatus"] == "Updating"

    rolled_back = wait_for(lambda: aws.sagemaker.describe_endpoint(EndpointName="recs"),
                           lambda d: d["EndpointStatus"] != "Updating")
    assert rolled_back["EndpointStatus"] == "InService"
    assert rolled_back["EndpointConfigName"] == "config-a"
    assert rolled_back["FailureReason"] == "Health check failed"


def test_manual_pace_advances_per_describe(aws):
    aws.emulator.set_describes_per_transition(3)
    single_variant_endpoint(aws.sagemaker, "recs")

    statuses = [aws.sagemaker.describe_endpoint(EndpointName="recs")["EndpointStatus"] for _ in range(3)]
    assert statuses == ["Creating", "Creating", "InService"]


def test_zero_delay_is_in_service_at_once(aws):
    aws.emulator.set_delay(0)
    single_variant_endpoint(aws.sagemaker, "recs")
    assert aws.sagemaker.describe_endpoint(EndpointName="recs")["EndpointStatus"] == "InService"


def test_delete_refused_while_creating_or_updating(aws):
    single_variant_endpoint(aws.sagemaker, "recs")
    with pytest.raises(ClientError) as creating:
        aws.sagemaker.delete_endpoint(EndpointName="recs")
    assert creating.value.response["Error"]["Code"] == "ValidationException"
    assert "Cannot delete in-progress endpoint" in creating.value.response["Error"]["Message"]

    wait_for_status(aws.sagemaker, "recs", "InService")
    aws.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="recs", DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 3}])
    with pytest.raises(ClientError) as updating:
        aws.sagemaker.delete_endpoint(EndpointName="recs")
    assert "Cannot delete in-progress endpoint" in updating.value.response["Error"]["Message"]

    wait_for_status(aws.sagemaker, "recs", "InService")
    aws.sagemaker.delete_endpoint(EndpointName="recs")
    assert aws.sagemaker.describe_endpoint(EndpointName="recs")["EndpointStatus"] == "Deleting"


def test_an_instance_based_endpoint_cannot_be_updated_to_a_serverless_config(aws):
    single_variant_endpoint(aws.sagemaker, "recs")
    wait_for_status(aws.sagemaker, "recs", "InService")
    create_model(aws.sagemaker, "model-s")
    aws.sagemaker.create_endpoint_config(EndpointConfigName="config-s", ProductionVariants=[{
        "VariantName": "primary", "ModelName": "model-s",
        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}])

    with pytest.raises(ClientError) as refused:
        aws.sagemaker.update_endpoint(EndpointName="recs", EndpointConfigName="config-s")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "serverless" in refused.value.response["Error"]["Message"]
    assert aws.sagemaker.describe_endpoint(EndpointName="recs")["EndpointStatus"] == "InService"


def test_registering_a_range_moves_the_running_count_into_it_through_an_update(aws):
    single_variant_endpoint(aws.sagemaker, "recs", instances=4)
    wait_for_status(aws.sagemaker, "recs", "InService")

    aws.autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId="endpoint/recs/variant/primary",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount", MinCapacity=1, MaxCapacity=2)
    updating = aws.sagemaker.describe_endpoint(EndpointName="recs")
    assert updating["EndpointStatus"] == "Updating"
    [variant] = updating["ProductionVariants"]
    assert (variant["CurrentInstanceCount"], variant["DesiredInstanceCount"]) == (4, 2)
    [variant] = wait_for_status(aws.sagemaker, "recs", "InService")["ProductionVariants"]
    assert variant["CurrentInstanceCount"] == 2

    # A minimum above the count scales out; a range that holds the count changes nothing.
    aws.autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId="endpoint/recs/variant/primary",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount", MinCapacity=3, MaxCapacity=5)
    [variant] = wait_for_status(aws.sagemaker, "recs", "InService")["ProductionVariants"]
    assert variant["CurrentInstanceCount"] == 3
    aws.autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker", ResourceId="endpoint/recs/variant/primary",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount", MinCapacity=1)
    assert aws.sagemaker.describe_endpoint(EndpointName="recs")["EndpointStatus"] == "InService"
