"""boto3 clients from one injected session, configured for a caller that requeues.

botocore's own retries are off (one attempt): a retry that sleeps inside a call
blocks a worker and hides throttling from the limiter. The caller requeues instead.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from .errors import translate
from .stats import OK, CallStats

ENDPOINT_URL_ENV = "ENDPOINT_OPERATOR_AWS_ENDPOINT_URL"

CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=20,
)


@dataclass(frozen=True)
class AwsTarget:
    """Where calls go: a region, and the emulator's URL when not AWS itself."""

    region: str
    endpoint_url: str | None = None


class ClientFactory:
    """Builds each (service, region) client once and shares it; clients are thread-safe,
    creating them from one session is not, hence the lock.

    `stats` counts the calls of every gateway built on this factory (unless a gateway is
    given its own), so one process has one set of numbers."""

    def __init__(
        self,
        session: boto3.Session | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
        stats: CallStats | None = None,
    ) -> None:
        self._session = session or boto3.Session()
        self.stats = stats if stats is not None else CallStats()
        self.endpoint_url = endpoint_url or os.environ.get(ENDPOINT_URL_ENV) or None
        self._config = CLIENT_CONFIG.merge(config) if config else CLIENT_CONFIG
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._account_id: str | None = None
        # Workers start together: without this lock each would ask STS at once.
        self._account_lock = threading.Lock()

    def target(self, region: str) -> AwsTarget:
        return AwsTarget(region=region, endpoint_url=self.endpoint_url)

    def client(self, service: str, region: str) -> Any:
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:
                client = self._session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=self._config
                )
                self._clients[(service, region)] = client
            return client

    def client_with(self, service: str, region: str, credentials: Any) -> Any:
        """A new client of this session (its fence included) signed with `credentials`
        (access_key_id, secret_access_key, session_token): another account's role."""
        with self._lock:
            return self._session.client(
                service, region_name=region, endpoint_url=self.endpoint_url, config=self._config,
                aws_access_key_id=credentials.access_key_id, aws_secret_access_key=credentials.secret_access_key,
                aws_session_token=credentials.session_token)

    def account_id(self, region: str) -> str:
        """The caller's account (STS GetCallerIdentity), looked up once.

        Raises a GatewayError when STS cannot answer; nothing is cached then."""
        if self._account_id is not None:
            return self._account_id
        with self._account_lock:
            if self._account_id is None:
                self._account_id = self._caller_account(region)
        return self._account_id

    def _caller_account(self, region: str) -> str:
        try:
            identity = self.client("sts", region).get_caller_identity()
        except Exception as error:
            failure = translate(error, "GetCallerIdentity")
            self.stats.record("sts", "GetCallerIdentity", type(failure).__name__)
            raise failure from error
        self.stats.record("sts", "GetCallerIdentity", OK)
        return identity["Account"]
