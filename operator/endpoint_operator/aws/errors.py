"""Domain errors of the gateway: callers decide on these, never on botocore's.

Four outcomes matter to a reconciler: the thing is not there (NotFound), it is there
already (AlreadyExists), asking again will not help until the spec or the account
changes (Invalid), or asking again later will (Transient, with a suggested delay).
"""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    ConnectionError as BotoConnectionError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    ParamValidationError,
)


class GatewayError(Exception):
    """An AWS call failed; `code` is AWS's error code (or the botocore exception's name)."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation}: {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = message


class NotFound(GatewayError):
    pass


class AlreadyExists(GatewayError):
    pass


class Invalid(GatewayError):
    """Terminal for this request: the spec, the permissions or a quota must change."""


class Transient(GatewayError):
    """Worth asking again after `retry_after` seconds."""

    def __init__(self, operation: str, code: str, message: str, retry_after: float = 1.0) -> None:
        super().__init__(operation, code, message)
        self.retry_after = retry_after


class Throttled(Transient):
    """AWS said slow down; the limiter of the account and region should hear of it."""


# Suggested delays when AWS gives no Retry-After.
THROTTLE_DELAY = 2.0
SERVER_ERROR_DELAY = 1.0
CONFLICT_DELAY = 10.0
CONNECTION_DELAY = 2.0
CREDENTIALS_DELAY = 30.0

THROTTLING_CODES = frozenset({
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "BandwidthLimitExceeded",
})
NOT_FOUND_CODES = frozenset({
    "404",
    "NotFound",
    "NoSuchKey",
    "NoSuchBucket",
    "NoSuchEntity",
    "ResourceNotFound",
    "ResourceNotFoundException",
    "ObjectNotFoundException",
    "ObjectNotFound",
})
ALREADY_EXISTS_CODES = frozenset({
    "ResourceAlreadyExists",
    "ResourceAlreadyExistsException",
    "AlreadyExistsException",
    "BucketAlreadyOwnedByYou",
})
# Another change is under way; it ends by itself.
CONFLICT_CODES = frozenset({
    "ResourceInUse",
    "ResourceInUseException",
    "ConflictException",
    "ConcurrentUpdateException",
    "ConcurrentModificationException",
    "OperationAborted",
})
SERVER_ERROR_CODES = frozenset({
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "InternalServiceError",
    "InternalServerException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
})
# Credentials that will refresh by themselves (an IRSA token rotated late, a clock skew).
EXPIRED_CREDENTIALS_CODES = frozenset({
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "IDPCommunicationError",
})

NOT_FOUND_PHRASES = ("could not find", "does not exist")
ALREADY_EXISTS_PHRASES = ("cannot create already existing", "already exists")
IN_PROGRESS_PHRASES = ("in-progress", "in progress", "currently being")


def translate(error: Exception, operation: str) -> GatewayError:
    """The domain error for anything a boto3 call raised. Never raises itself."""
    if isinstance(error, GatewayError):
        return error
    if isinstance(error, ClientError):
        return _from_client_error(error, operation)
    name = type(error).__name__
    if isinstance(error, (BotoConnectionError, HTTPClientError)):  # refused, timed out, reset
        return Transient(operation, name, str(error), retry_after=CONNECTION_DELAY)
    if isinstance(error, (NoCredentialsError, CredentialRetrievalError)):
        return Transient(operation, name, str(error), retry_after=CREDENTIALS_DELAY)
    if isinstance(error, ParamValidationError):
        return Invalid(operation, name, str(error))
    return GatewayError(operation, name, str(error))


def _from_client_error(error: ClientError, operation: str) -> GatewayError:
    details = error.response.get("Error", {})
    meta = error.response.get("ResponseMetadata", {})
    code = str(details.get("Code") or meta.get("HTTPStatusCode") or "Unknown")
    message = str(details.get("Message") or "")
    status = int(meta.get("HTTPStatusCode") or 0)
    lowered = message.lower()
    hint = _retry_after_header(meta.get("HTTPHeaders", {}))

    # A bare 503 is S3 answering a HEAD with SlowDown: a HEAD error has no body to say so.
    if code in THROTTLING_CODES or status == 429 or code == "503":
        return Throttled(operation, code, message, retry_after=hint or THROTTLE_DELAY)
    if code in NOT_FOUND_CODES or status == 404:
        return NotFound(operation, code, message)
    if code in ALREADY_EXISTS_CODES or any(p in lowered for p in ALREADY_EXISTS_PHRASES):
        return AlreadyExists(operation, code, message)
    if code == "ValidationException" and any(p in lowered for p in NOT_FOUND_PHRASES):
        if operation.startswith(("Create", "Update")):
            # What is missing is a dependency (the config of a new endpoint) created a
            # moment ago and not yet visible (SageMaker is eventually consistent), or
            # the target went away meanwhile: either way, observe again and re-plan.
            return Transient(operation, code, message, retry_after=hint or SERVER_ERROR_DELAY)
        return NotFound(operation, code, message)
    if code in CONFLICT_CODES or any(p in lowered for p in IN_PROGRESS_PHRASES):
        return Transient(operation, code, message, retry_after=hint or CONFLICT_DELAY)
    if code in SERVER_ERROR_CODES or status >= 500:
        return Transient(operation, code, message, retry_after=hint or SERVER_ERROR_DELAY)
    if code in EXPIRED_CREDENTIALS_CODES:
        return Transient(operation, code, message, retry_after=hint or CREDENTIALS_DELAY)
    # ValidationException, AccessDenied, ResourceLimitExceeded (a quota is raised by a
    # person, not by waiting), IncompleteSignature, UnrecognizedClient, ...
    return Invalid(operation, code, message)


def _retry_after_header(headers: dict) -> float | None:
    value = headers.get("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from AWS, and the defaults serve as well
    return seconds if seconds and seconds > 0 else None
