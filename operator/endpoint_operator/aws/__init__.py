"""The AWS gateway: typed observe/apply over boto3, domain errors, client-side rate limits.

It never sleeps and never retries: a throttle, a spent budget or a 5xx is a Transient
error with a suggested delay, and the caller requeues.
"""

from .errors import AlreadyExists, GatewayError, Invalid, NotFound, Throttled, Transient, translate
from .limiter import Backoff, LimiterRegistry, RateLimiter
from .s3 import S3Gateway
from .sagemaker import SageMakerGateway
from .session import AwsTarget, ClientFactory
from .stats import CallStats

__all__ = [
    "AlreadyExists", "AwsTarget", "Backoff", "CallStats", "ClientFactory", "GatewayError",
    "Invalid", "LimiterRegistry", "NotFound", "RateLimiter", "S3Gateway", "SageMakerGateway",
    "Throttled", "Transient", "translate",
]
