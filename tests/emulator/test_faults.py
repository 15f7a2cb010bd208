"""Injected faults, seen by boto3 as AWS would send them, and gone once cleared."""

import pytest
from botocore.exceptions import ClientError

from .helpers import wait_for

pytestmark = pytest.mark.emulator


def failure(call, **params) -> dict:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response


def test_throttling_is_a_throttling_exception_until_cleared(aws):
    sagemaker = aws.client("sagemaker", max_attempts=1)
    aws.emulator.throttle(service="sagemaker", operation="ListEndpoints")

    response = failure(sagemaker.list_endpoints)
    assert response["Error"]["Code"] == "ThrottlingException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    sagemaker.list_models()  # another operation is untouched

    aws.emulator.clear_faults()
    sagemaker.list_endpoints()


def test_throttling_in_each_wire_protocol(aws):
    aws.emulator.throttle()
    autoscaling = aws.client("application-autoscaling", max_attempts=1)
    cloudwatch = aws.client("cloudwatch", max_attempts=1)
    sts = aws.client("sts", max_attempts=1)
    s3 = aws.client("s3", max_attempts=1)

    assert failure(autoscaling.describe_scalable_targets, ServiceNamespace="sagemaker")["Error"]["Code"] == (
        "ThrottlingException"
    )
    assert failure(cloudwatch.describe_alarms)["Error"]["Code"] == "ThrottlingException"
    assert failure(sts.get_caller_identity)["Error"]["Code"] == "Throttling"
    s3_response = failure(s3.list_buckets)
    assert (s3_response["Error"]["Code"], s3_response["ResponseMetadata"]["HTTPStatusCode"]) == ("SlowDown", 503)


def test_server_errors_carry_their_status(aws):
    sagemaker = aws.client("sagemaker", max_attempts=1)
    aws.emulator.server_error(service="sagemaker", status=500, count=1)
    aws.emulator.server_error(service="sagemaker", status=503, count=1)

    first = failure(sagemaker.list_endpoints)
    assert (first["Error"]["Code"], first["ResponseMetadata"]["HTTPStatusCode"]) == ("InternalFailure", 500)
    second = failure(sagemaker.list_endpoints)
    assert (second["Error"]["Code"], second["ResponseMetadata"]["HTTPStatusCode"]) == ("ServiceUnavailable", 503)
    sagemaker.list_endpoints()  # both counted out
    assert aws.emulator.faults() == []


def test_count_limits_a_fault_to_the_next_calls(aws):
    sagemaker = aws.client("sagemaker", max_attempts=1)
    aws.emulator.throttle(service="sagemaker", count=3)
    for _ in range(3):
        assert failure(sagemaker.list_endpoints)["Error"]["Code"] == "ThrottlingException"
    sagemaker.list_endpoints()


def test_botocore_retries_ride_over_a_short_fault(aws):
    aws.emulator.throttle(service="sagemaker", operation="ListEndpoints", count=1)
    retrying = aws.client("sagemaker", max_attempts=3)
    retrying.list_endpoints()
    outcomes = [(c["status"], c["error_code"]) for c in aws.emulator.calls(operation="ListEndpoints")]
    assert outcomes == [(400, "ThrottlingException"), (200, None)]


def test_slow_api_adds_latency(aws):
    fault = aws.emulator.slow(0.3, service="sagemaker", operation="ListModels")
    aws.sagemaker.list_models()
    aws.sagemaker.list_endpoints()
    slow, fast = aws.emulator.calls()
    assert slow["operation"] == "ListModels" and slow["duration_ms"] >= 300
    assert slow["faults"] == [fault] and fast["faults"] == []

    aws.emulator.remove_fault(fault)
    aws.sagemaker.list_models()
    assert aws.emulator.calls(operation="ListModels")[-1]["faults"] == []


def test_a_stalled_call_takes_effect_before_its_answer_arrives(aws):
    """The window a client crash falls into: another client already sees the result."""
    import threading

    aws.emulator.stall(1.5, service="sagemaker", operation="CreateModel", params={"ModelName": "held"})
    role, image = "arn:aws:iam::123456789012:role/r", {"Image": "img"}
    aws.sagemaker.create_model(ModelName="quick", ExecutionRoleArn=role, PrimaryContainer=image)  # params differ
    answered = threading.Event()
    caller = threading.Thread(target=lambda: (aws.sagemaker.create_model(
        ModelName="held", ExecutionRoleArn=role, PrimaryContainer=image), answered.set()))
    caller.start()
    wait_for(lambda: [f["fired"] for f in aws.emulator.faults()], lambda fired: fired == [1], every=0.05)
    seen = wait_for(lambda: [m["ModelName"] for m in aws.sagemaker.list_models()["Models"]],
                    lambda names: "held" in names, every=0.05)
    assert sorted(seen) == ["held", "quick"] and not answered.is_set()
    logged = aws.emulator.calls(operation="CreateModel")  # the log is what AWS did, answered or not
    assert [c["params"]["ModelName"] for c in logged] == ["quick", "held"] and not answered.is_set()
    caller.join(timeout=10)
    assert answered.is_set()


def test_a_fault_needs_its_settings(aws):
    for kind in ("stall", "latency"):
        with pytest.raises(Exception, match="seconds > 0"):
            aws.emulator.add_fault(kind, seconds=0)


def test_rate_limit_throttles_above_the_budget_per_operation_class(aws):
    sagemaker = aws.client("sagemaker", max_attempts=1)
    aws.emulator.rate_limit(per_second=3, service="sagemaker", operation_class="read")

    outcomes = []

    def throttled() -> bool:
        try:
            sagemaker.list_endpoints()
            outcomes.append("ok")
            return False
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
            return True

    wait_for(throttled, lambda hit: hit, every=0)
    assert outcomes[-1] == "ThrottlingException"
    assert outcomes.count("ok") >= 3  # the budget is spent before the first refusal

    # Writes have their own budget.
    sagemaker.create_model(ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
                           PrimaryContainer={"Image": "img"})

    aws.emulator.clear_faults()
    for _ in range(8):
        sagemaker.list_endpoints()


def test_bad_fault_specs_are_refused(aws):
    from endpoint_operator.sandbox.emulator import EmulatorControlError

    with pytest.raises(EmulatorControlError, match="kind"):
        aws.emulator.add_fault("explode")
    with pytest.raises(EmulatorControlError, match="per_second"):
        aws.emulator.add_fault("rate")
