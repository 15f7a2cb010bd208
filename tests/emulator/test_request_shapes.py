"""The emulator judges requests against botocore's service model, as AWS does: what
AWS would refuse is refused here with AWS's ValidationException, and what AWS sells
(every instance type the model lists) is accepted, though moto's own list is old."""

import pytest
from botocore.exceptions import ClientError
from botocore.loaders import Loader

from .helpers import IMAGE, ROLE, create_model, wait_for_status

pytestmark = pytest.mark.emulator

SOLD = Loader().load_service_model("sagemaker", "service-2")["shapes"]["ProductionVariantInstanceType"]["enum"]
# Sold and priced by the shipped table, refused by moto's own list.
CURRENT = ["ml.g5.xlarge", "ml.g6.xlarge", "ml.p4d.24xlarge", "ml.p5.48xlarge", "ml.inf2.xlarge",
           "ml.trn1.2xlarge", "ml.m6i.large", "ml.c6i.large"]


def error_of(call, **params) -> dict:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]


def variant(instance_type: str, model: str = "m") -> dict:
    return {"VariantName": "primary", "ModelName": model, "InstanceType": instance_type, "InitialInstanceCount": 1}


@pytest.mark.parametrize("instance_type", CURRENT)
def test_a_current_instance_type_serves(aws, instance_type):
    sm = aws.sagemaker
    create_model(sm, "m")
    sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant(instance_type)])
    sm.create_endpoint(EndpointName="e", EndpointConfigName="c")
    served = wait_for_status(sm, "e", "InService")
    assert served["ProductionVariants"][0]["CurrentInstanceCount"] == 1
    assert sm.describe_endpoint_config(EndpointConfigName="c")["ProductionVariants"][0]["InstanceType"] == instance_type


def test_every_instance_type_the_service_model_lists_is_accepted(aws):
    sm = aws.sagemaker
    create_model(sm, "m")
    for index, instance_type in enumerate(SOLD):
        sm.create_endpoint_config(EndpointConfigName=f"c{index}", ProductionVariants=[variant(instance_type)])
    assert len(SOLD) > 250


def test_an_instance_type_no_one_sells_is_refused_as_aws_refuses_it(aws):
    sm = aws.sagemaker
    create_model(sm, "m")
    error = error_of(sm.create_endpoint_config, EndpointConfigName="c", ProductionVariants=[variant("ml.m5.huge")])
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "1 validation error detected: Value 'ml.m5.huge' at 'productionVariants.1.member.instanceType' failed to "
        f"satisfy constraint: Member must satisfy enum value set: [{', '.join(SOLD)}]")
    assert error_of(sm.describe_endpoint_config, EndpointConfigName="c")["Code"] == "ValidationException"


def test_a_model_aws_would_refuse_is_refused_naming_each_member(aws):
    sm = aws.sagemaker
    error = error_of(sm.create_model, ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker exec",
                     PrimaryContainer={"Image": "a" * 256, "ModelDataUrl": "s3://models/m/model.tar.gz",
                                       "Environment": {"MODEL-NAME": "x"}},
                     Tags=[{"Key": "team", "Value": "ml<ops>"}])
    assert error["Code"] == "ValidationException"
    message = error["Message"]
    assert message.startswith("4 validation errors detected: Value ")
    assert message.count("; Value ") == 3
    assert ("Value 'arn:aws:iam::123456789012:role/sagemaker exec' at 'executionRoleArn' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+") in message
    assert (f"Value '{'a' * 256}' at 'primaryContainer.image' failed to satisfy constraint: "
            "Member must have length less than or equal to 255") in message
    assert ("Value '{MODEL-NAME=x}' at 'primaryContainer.environment' failed to satisfy constraint: Map keys must "
            "satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z_][a-zA-Z0-9_]*]") in message
    assert ("Value 'ml<ops>' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)") in message
    assert error_of(sm.describe_model, ModelName="m")["Message"].startswith("Could not find model")


def test_numeric_ranges_are_judged(aws):
    sm = aws.sagemaker
    create_model(sm, "m")
    error = error_of(sm.create_endpoint_config, EndpointConfigName="c", ProductionVariants=[
        {"VariantName": "primary", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 8192, "MaxConcurrency": 5}}])
    assert error["Message"] == (
        "1 validation error detected: Value '8192' at 'productionVariants.1.member.serverlessConfig.memorySizeInMB' "
        "failed to satisfy constraint: Member must have value less than or equal to 6144")


def test_valid_requests_pass_untouched(aws):
    sm = aws.sagemaker
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, Tags=[{"Key": "team", "Value": "ml ops"}],
                    PrimaryContainer={"Image": IMAGE, "ModelDataUrl": "s3://models/m/model.tar.gz",
                                      "Environment": {"SAGEMAKER_PROGRAM": "serve.py"}})
    assert sm.describe_model(ModelName="m")["PrimaryContainer"]["Image"] == IMAGE


def test_application_auto_scaling_requests_are_judged_too(aws):
    error = error_of(aws.autoscaling.put_scheduled_action, ServiceNamespace="sagemaker",
                     ScheduledActionName="recs-primary-night:weekdays",
                     ResourceId="endpoint/recs/variant/primary",
                     ScalableDimension="sagemaker:variant:DesiredInstanceCount", Schedule="cron(0 22 * * ? *)",
                     ScalableTargetAction={"MinCapacity": 1})
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(
        "1 validation error detected: Value 'recs-primary-night:weekdays' at 'scheduledActionName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: ")
