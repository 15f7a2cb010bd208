"""translate(): AWS error responses, parsed by botocore as on the wire, to domain errors."""

from __future__ import annotations

import json

import botocore.parsers
import botocore.session
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from endpoint_operator.aws.errors import (
    AlreadyExists,
    GatewayError,
    Invalid,
    NotFound,
    Throttled,
    Transient,
    translate,
)

_session = botocore.session.get_session()


def json_error(service: str, operation: str, status: int, code: str, message: str,
               headers: dict[str, str] | None = None) -> ClientError:
    """A ClientError as botocore raises it for a JSON-protocol service (SageMaker and friends)."""
    model = _session.get_service_model(service)
    body = json.dumps({"__type": f"com.amazonaws.{service}#{code}", "message": message}).encode()
    raw = {"status_code": status, "headers": {"x-amzn-requestid": "req-1", **(headers or {})}, "body": body}
    return _raise_as_botocore(model, operation, raw)


def query_error(service: str, operation: str, status: int, code: str, message: str) -> ClientError:
    """A ClientError as botocore raises it for a query-protocol service (STS, CloudWatch)."""
    model = _session.get_service_model(service)
    body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
            f"</Error><RequestId>req-1</RequestId></ErrorResponse>").encode()
    return _raise_as_botocore(model, operation, {"status_code": status, "headers": {}, "body": body}, "query")


def s3_error(operation: str, status: int, code: str | None, message: str = "",
             headers: dict[str, str] | None = None) -> ClientError:
    """A ClientError as botocore raises it for S3 (rest-xml; HEAD errors have no body)."""
    model = _session.get_service_model("s3")
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode() if code else b""
    return _raise_as_botocore(model, operation, {"status_code": status, "headers": headers or {}, "body": body})


def _raise_as_botocore(model, operation: str, raw: dict, protocol: str | None = None) -> ClientError:
    parser = botocore.parsers.create_parser(protocol or model.metadata["protocol"])
    parsed = parser.parse(raw, model.operation_model(operation).output_shape)
    return ClientError(parsed, operation)


ARN = "arn:aws:sagemaker:us-east-1:111122223333"

TABLE = [
    # (error, expected class, expected code)
    (json_error("sagemaker", "DescribeEndpoint", 400, "ValidationException",
                f'Could not find endpoint "{ARN}:endpoint/recs".'), NotFound, "ValidationException"),
    (json_error("sagemaker", "DescribeModel", 400, "ValidationException",
                f'Could not find model "{ARN}:model/recs-1a2b".'), NotFound, "ValidationException"),
    (json_error("sagemaker", "DeleteEndpointConfig", 400, "ValidationException",
                f'Could not find endpoint configuration "{ARN}:endpoint-config/recs-1a2b".'),
     NotFound, "ValidationException"),
    (json_error("sagemaker", "DescribeEndpoint", 400, "ValidationException",
                "Endpoint recs of account 111122223333 does not exist."), NotFound, "ValidationException"),
    (json_error("sagemaker", "DeleteInferenceComponent", 400, "ResourceNotFound",
                "Inference component not found"), NotFound, "ResourceNotFound"),
    (json_error("application-autoscaling", "DeregisterScalableTarget", 400, "ObjectNotFoundException",
                "No scalable target registered for service namespace: sagemaker"),
     NotFound, "ObjectNotFoundException"),
    (json_error("sagemaker", "CreateEndpoint", 400, "ValidationException",
                f'Could not find endpoint configuration "{ARN}:endpoint-config/recs-1a2b".'),
     Transient, "ValidationException"),
    (json_error("sagemaker", "UpdateEndpoint", 400, "ValidationException",
                f'Could not find endpoint configuration "{ARN}:endpoint-config/recs-3c4d".'),
     Transient, "ValidationException"),
    (json_error("sagemaker", "CreateModel", 400, "ValidationException",
                "Requested image 111122223333.dkr.ecr.us-east-1.amazonaws.com/inference:9.9 not found."),
     Invalid, "ValidationException"),
    (json_error("sagemaker", "CreateModel", 400, "ValidationException",
                f'Cannot create already existing model "{ARN}:model/recs-1a2b".'),
     AlreadyExists, "ValidationException"),
    (json_error("sagemaker", "CreateEndpoint", 400, "ValidationException",
                f'Cannot create already existing endpoint "{ARN}:endpoint/recs".'),
     AlreadyExists, "ValidationException"),
    (json_error("sagemaker", "CreateEndpointConfig", 400, "ValidationException",
                f'Cannot create already existing endpoint configuration "{ARN}:endpoint-config/recs-1a2b".'),
     AlreadyExists, "ValidationException"),
    (json_error("sagemaker", "CreateEndpoint", 400, "ValidationException",
                "1 validation error detected: Value 'Recs_1' at 'endpointName' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"),
     Invalid, "ValidationException"),
    (json_error("sagemaker", "CreateEndpointConfig", 400, "ValidationException",
                "The serverless config MemorySizeInMB 3000 is not one of 1024, 2048, 3072, 4096, 5120, 6144"),
     Invalid, "ValidationException"),
    (json_error("sagemaker", "CreateEndpoint", 400, "ResourceLimitExceeded",
                "The account-level service limit 'ml.g5.48xlarge for endpoint usage' is 0 Instances"),
     Invalid, "ResourceLimitExceeded"),
    (json_error("sagemaker", "CreateModel", 400, "AccessDeniedException",
                "User: arn:aws:sts::111122223333:assumed-role/op is not authorized to perform: "
                "sagemaker:CreateModel"), Invalid, "AccessDeniedException"),
    (json_error("sagemaker", "ListEndpoints", 403, "IncompleteSignature",
                "The request signature does not conform to AWS standards."), Invalid, "IncompleteSignature"),
    (json_error("sagemaker", "ListEndpoints", 400, "UnrecognizedClientException",
                "The security token included in the request is invalid."),
     Invalid, "UnrecognizedClientException"),
    (json_error("sagemaker", "UpdateEndpoint", 400, "ValidationException",
                f'Cannot update in-progress endpoint "{ARN}:endpoint/recs".'),
     Transient, "ValidationException"),
    (json_error("sagemaker", "DeleteModel", 400, "ResourceInUse", "Resource is in use"), Transient, "ResourceInUse"),
    (json_error("application-autoscaling", "PutScalingPolicy", 400, "ConcurrentUpdateException",
                "You already have a pending update to an Auto Scaling resource."),
     Transient, "ConcurrentUpdateException"),
    (json_error("sagemaker", "DescribeEndpoint", 400, "ThrottlingException", "Rate exceeded"),
     Throttled, "ThrottlingException"),
    (json_error("sagemaker", "ListEndpoints", 429, "TooManyRequestsException", "Too many requests"),
     Throttled, "TooManyRequestsException"),
    (query_error("cloudwatch", "GetMetricData", 400, "Throttling", "Rate exceeded"), Throttled, "Throttling"),
    (json_error("sagemaker", "DescribeEndpoint", 500, "InternalFailure",
                "An internal error occurred."), Transient, "InternalFailure"),
    (json_error("sagemaker", "CreateEndpoint", 503, "ServiceUnavailable",
                "Service is unavailable."), Transient, "ServiceUnavailable"),
    (query_error("sts", "GetCallerIdentity", 400, "ExpiredToken",
                 "The security token included in the request is expired"), Transient, "ExpiredToken"),
    (s3_error("HeadObject", 404, None), NotFound, "404"),
    (s3_error("GetObject", 404, "NoSuchKey", "The specified key does not exist."), NotFound, "NoSuchKey"),
    (s3_error("ListObjectsV2", 404, "NoSuchBucket", "The specified bucket does not exist"), NotFound, "NoSuchBucket"),
    (s3_error("CopyObject", 403, "AccessDenied", "Access Denied"), Invalid, "AccessDenied"),
    (s3_error("HeadObject", 403, None), Invalid, "403"),
    (s3_error("CopyObject", 503, "SlowDown", "Please reduce your request rate."), Throttled, "SlowDown"),
    (s3_error("CopyObject", 500, "InternalError", "We encountered an internal error. Please try again."),
     Transient, "InternalError"),
    (s3_error("CopyObject", 502, None), Transient, "502"),
    (s3_error("HeadObject", 503, None), Throttled, "503"),
]


@pytest.mark.parametrize(("error", "expected", "code"), TABLE, ids=lambda v: getattr(v, "__name__", None))
def test_client_errors_become_domain_errors(error, expected, code):
    translated = translate(error, error.operation_name)

    assert type(translated) is expected
    assert translated.code == code
    assert translated.operation == error.operation_name
    assert translated.message == error.response["Error"].get("Message", "")


def test_the_operation_and_the_code_are_in_the_text():
    error = translate(json_error("sagemaker", "DescribeEndpoint", 400, "ThrottlingException", "Rate exceeded"),
                      "DescribeEndpoint")
    assert str(error) == "DescribeEndpoint: ThrottlingException: Rate exceeded"


@pytest.mark.parametrize(("error", "least"), [
    (json_error("sagemaker", "DescribeEndpoint", 400, "ThrottlingException", "Rate exceeded"), 0.5),
    (json_error("sagemaker", "DescribeEndpoint", 500, "InternalFailure", "oops"), 0.5),
    (json_error("sagemaker", "UpdateEndpoint", 400, "ValidationException", "Cannot update in-progress endpoint"), 5),
])
def test_transient_errors_suggest_a_delay(error, least):
    translated = translate(error, error.operation_name)
    assert translated.retry_after >= least


def test_a_retry_after_header_is_honoured():
    error = s3_error("CopyObject", 503, "SlowDown", "Please reduce your request rate.", headers={"retry-after": "7"})
    assert translate(error, "CopyObject").retry_after == 7.0
    dated = s3_error("CopyObject", 503, "SlowDown", "", headers={"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert translate(dated, "CopyObject").retry_after > 0


@pytest.mark.parametrize(("error", "expected"), [
    (EndpointConnectionError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com/"), Transient),
    (ConnectTimeoutError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com/"), Transient),
    (ReadTimeoutError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com/"), Transient),
    (NoCredentialsError(), Transient),
    (ParamValidationError(report="Invalid length for parameter EndpointName, value: 0"), Invalid),
])
def test_botocore_failures_become_domain_errors(error, expected):
    translated = translate(error, "DescribeEndpoint")
    assert type(translated) is expected
    assert translated.code == type(error).__name__
    assert translated.operation == "DescribeEndpoint"


def test_anything_else_is_a_plain_gateway_error():
    translated = translate(KeyError("EndpointArn"), "DescribeEndpoint")
    assert type(translated) is GatewayError
    assert translated.code == "KeyError"


def test_a_domain_error_passes_through_unchanged():
    original = NotFound("DescribeEndpoint", "ValidationException", "Could not find endpoint")
    assert translate(original, "Other") is original


def test_throttled_is_transient_and_every_domain_error_is_a_gateway_error():
    assert issubclass(Throttled, Transient)
    for cls in (NotFound, AlreadyExists, Invalid, Transient):
        assert issubclass(cls, GatewayError)
