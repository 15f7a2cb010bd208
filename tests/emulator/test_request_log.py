"""The request log: every call with its parameters, outcome and duration."""

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.emulator


def test_log_records_calls_with_parameters_and_outcomes(aws):
    aws.sagemaker.list_endpoints(NameContains="recs", MaxResults=10)
    with pytest.raises(ClientError):
        aws.sagemaker.describe_endpoint(EndpointName="ghost")
    aws.s3.create_bucket(Bucket="models")
    aws.s3.put_object(Bucket="models", Key="recs/v7/model.tar.gz", Body=b"weights")
    aws.autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")
    aws.cloudwatch.describe_alarms(AlarmNames=["recs-5xx"])
    aws.sts.get_caller_identity()

    calls = aws.emulator.calls()
    summary = [(c["service"], c["operation"], c["status"], c["error_code"]) for c in calls]
    assert summary == [
        ("sagemaker", "ListEndpoints", 200, None),
        ("sagemaker", "DescribeEndpoint", 400, "ValidationException"),
        ("s3", "CreateBucket", 200, None),
        ("s3", "PutObject", 200, None),
        ("application-autoscaling", "DescribeScalableTargets", 200, None),
        ("cloudwatch", "DescribeAlarms", 200, None),
        ("sts", "GetCallerIdentity", 200, None),
    ]
    assert calls[0]["params"] == {"NameContains": "recs", "MaxResults": 10}
    assert calls[3]["params"] == {"Bucket": "models", "Key": "recs/v7/model.tar.gz"}
    assert calls[5]["params"] == {"AlarmNames": ["recs-5xx"]}
    assert all(c["region"] == "us-east-1" and c["duration_ms"] >= 0 for c in calls)
    assert [c["seq"] for c in calls] == sorted(c["seq"] for c in calls)
    assert calls[0]["timestamp"] <= calls[-1]["timestamp"]


def test_log_filters_and_clears(aws):
    aws.sagemaker.list_endpoints()
    aws.sagemaker.list_models()
    first, second = aws.emulator.calls()

    assert [c["operation"] for c in aws.emulator.calls(operation="ListModels")] == ["ListModels"]
    assert aws.emulator.calls(service="s3") == []
    assert aws.emulator.calls(after=first["seq"]) == [second]

    aws.emulator.clear_log()
    assert aws.emulator.calls() == []


def test_control_calls_are_not_logged(aws):
    aws.emulator.set_delay(0.1)
    aws.emulator.faults()
    assert aws.emulator.calls() == []
