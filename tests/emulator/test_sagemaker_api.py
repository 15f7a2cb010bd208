"""SageMaker API behaviour the emulator adds to moto: duplicates, weights, listing, tags."""

import pytest
from botocore.exceptions import ClientError

from .helpers import create_config, create_model, single_variant_endpoint, wait_for, wait_for_status

pytestmark = pytest.mark.emulator

ARN = "arn:aws:sagemaker:us-east-1:123456789012"


def error_of(call, **params) -> dict:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]


def test_duplicate_names_are_refused_with_the_aws_message(aws):
    sm = aws.sagemaker
    single_variant_endpoint(sm, "recs", "config-a")

    assert error_of(create_model, sagemaker=sm, name="config-a-model") == {
        "Code": "ValidationException",
        "Message": f'Cannot create already existing model "{ARN}:model/config-a-model".',
    }
    assert error_of(create_config, sagemaker=sm, name="config-a", variants={"p": ("config-a-model", 1, 1.0)}) == {
        "Code": "ValidationException",
        "Message": f'Cannot create already existing endpoint configuration "{ARN}:endpoint-config/config-a".',
    }
    assert error_of(sm.create_endpoint, EndpointName="recs", EndpointConfigName="config-a") == {
        "Code": "ValidationException",
        "Message": f'Cannot create already existing endpoint "{ARN}:endpoint/recs".',
    }


def test_deleting_what_does_not_exist_is_refused(aws):
    assert error_of(aws.sagemaker.delete_model, ModelName="ghost")["Message"] == (
        f'Could not find model "{ARN}:model/ghost".'
    )
    assert error_of(aws.sagemaker.delete_endpoint_config, EndpointConfigName="ghost")["Message"] == (
        f'Could not find endpoint configuration "{ARN}:endpoint-config/ghost".'
    )
    assert error_of(aws.sagemaker.delete_endpoint, EndpointName="ghost")["Code"] == "ValidationException"


def test_weights_update_keeps_instance_counts(aws):
    sm = aws.sagemaker
    create_model(sm, "v7")
    create_model(sm, "v8")
    create_config(sm, "canary", {"primary": ("v7", 3, 85.0), "canary": ("v8", 1, 15.0)})
    sm.create_endpoint(EndpointName="recs", EndpointConfigName="canary")
    wait_for_status(sm, "recs", "InService")

    sm.update_endpoint_weights_and_capacities(EndpointName="recs", DesiredWeightsAndCapacities=[
        {"VariantName": "primary", "DesiredWeight": 50.0},
        {"VariantName": "canary", "DesiredWeight": 50.0},
    ])
    updating = {v["VariantName"]: v for v in sm.describe_endpoint(EndpointName="recs")["ProductionVariants"]}
    assert sm.describe_endpoint(EndpointName="recs")["EndpointStatus"] == "Updating"
    assert updating["canary"]["CurrentWeight"] == 15.0
    assert updating["canary"]["DesiredWeight"] == 50.0

    done = wait_for_status(sm, "recs", "InService")
    variants = {v["VariantName"]: v for v in done["ProductionVariants"]}
    assert variants["primary"] == {"VariantName": "primary", "CurrentWeight": 50.0, "DesiredWeight": 50.0,
                                   "CurrentInstanceCount": 3, "DesiredInstanceCount": 3}
    assert variants["canary"]["CurrentInstanceCount"] == 1
    assert variants["canary"]["CurrentWeight"] == 50.0


def test_capacity_update_changes_only_that_variant(aws):
    sm = aws.sagemaker
    single_variant_endpoint(sm, "recs", instances=2)
    wait_for_status(sm, "recs", "InService")

    sm.update_endpoint_weights_and_capacities(EndpointName="recs", DesiredWeightsAndCapacities=[
        {"VariantName": "primary", "DesiredInstanceCount": 4},
    ])
    [variant] = wait_for_status(sm, "recs", "InService")["ProductionVariants"]
    assert (variant["CurrentInstanceCount"], variant["CurrentWeight"]) == (4, 1.0)

    assert "not present" in error_of(sm.update_endpoint_weights_and_capacities, EndpointName="recs",
                                     DesiredWeightsAndCapacities=[{"VariantName": "nope", "DesiredWeight": 1.0}])[
        "Message"]


def test_serverless_update_config_is_applied(aws):
    sm = aws.sagemaker
    create_model(sm, "small")
    sm.create_endpoint_config(EndpointConfigName="sls", ProductionVariants=[{
        "VariantName": "primary", "ModelName": "small",
        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 20},
    }])
    sm.create_endpoint(EndpointName="sporadic", EndpointConfigName="sls")
    wait_for_status(sm, "sporadic", "InService")

    sm.update_endpoint_weights_and_capacities(EndpointName="sporadic", DesiredWeightsAndCapacities=[
        {"VariantName": "primary", "ServerlessUpdateConfig": {"MaxConcurrency": 50}},
    ])
    [variant] = wait_for_status(sm, "sporadic", "InService")["ProductionVariants"]
    assert variant["CurrentServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 50}


def test_list_endpoints_pages_filters_and_tracks_changes(aws):
    sm = aws.sagemaker
    single_variant_endpoint(sm, "fleet-000")
    for n in range(1, 120):
        sm.create_endpoint(EndpointName=f"fleet-{n:03d}", EndpointConfigName="config-a")

    first = sm.list_endpoints(MaxResults=100)
    assert len(first["Endpoints"]) == 100
    rest = sm.list_endpoints(MaxResults=100, NextToken=first["NextToken"])
    assert len(rest["Endpoints"]) == 20 and "NextToken" not in rest
    row = first["Endpoints"][0]
    assert {"EndpointName", "EndpointArn", "EndpointStatus", "CreationTime", "LastModifiedTime"} <= set(row)

    assert {e["EndpointName"] for e in sm.list_endpoints(NameContains="fleet-11")["Endpoints"]} == {
        f"fleet-11{n}" for n in range(10)
    }
    assert error_of(sm.list_endpoints, MaxResults=500)["Code"] == "ValidationException"

    def row_of(name):
        return next(e for e in sm.list_endpoints(NameContains=name)["Endpoints"] if e["EndpointName"] == name)

    sm.create_endpoint(EndpointName="watched", EndpointConfigName="config-a")
    creating = row_of("watched")
    assert creating["EndpointStatus"] == "Creating"
    in_service = wait_for(lambda: row_of("watched"), lambda e: e["EndpointStatus"] == "InService")
    assert in_service["LastModifiedTime"] > creating["LastModifiedTime"]


def test_tags_on_endpoint_config_and_model(aws):
    sm = aws.sagemaker
    single_variant_endpoint(sm, "recs", "config-a")
    for arn in (f"{ARN}:endpoint/recs", f"{ARN}:endpoint-config/config-a", f"{ARN}:model/config-a-model"):
        sm.add_tags(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "ml"}, {"Key": "tier", "Value": "1"}])
        sm.add_tags(ResourceArn=arn, Tags=[{"Key": "tier", "Value": "2"}])
        assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "owner", "Value": "ml"}, {"Key": "tier", "Value": "2"}]
        sm.delete_tags(ResourceArn=arn, TagKeys=["owner"])
        assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "tier", "Value": "2"}]

    assert error_of(sm.list_tags, ResourceArn=f"{ARN}:endpoint/ghost")["Code"] == "ValidationException"


def test_regions_are_separate(aws):
    single_variant_endpoint(aws.sagemaker, "recs")
    europe = aws.in_region("eu-west-1").sagemaker
    assert europe.list_endpoints()["Endpoints"] == []
    single_variant_endpoint(europe, "recs")
    assert europe.describe_endpoint(EndpointName="recs")["EndpointArn"].startswith("arn:aws:sagemaker:eu-west-1:")


def test_reset_forgets_everything(aws):
    single_variant_endpoint(aws.sagemaker, "recs")
    aws.emulator.throttle(service="s3")
    aws.emulator.reset()
    assert aws.sagemaker.list_endpoints()["Endpoints"] == []
    assert aws.sagemaker.list_models()["Models"] == []
    assert aws.emulator.faults() == []
    assert [c["operation"] for c in aws.emulator.calls()] == ["ListEndpoints", "ListModels"]


def test_a_serverless_config_holds_one_production_variant(aws):
    sm = aws.sagemaker
    create_model(sm, "sl-a")
    create_model(sm, "sl-b")
    serverless = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    assert error_of(sm.create_endpoint_config, EndpointConfigName="sl-two", ProductionVariants=[
        {"VariantName": "primary", "ModelName": "sl-a", "ServerlessConfig": serverless},
        {"VariantName": "canary", "ModelName": "sl-b", "ServerlessConfig": serverless},
    ]) == {"Code": "ValidationException", "Message": "Serverless inference does not support multiple production variants."}
    sm.create_endpoint_config(EndpointConfigName="sl-one", ProductionVariants=[
        {"VariantName": "primary", "ModelName": "sl-a", "ServerlessConfig": serverless}])
