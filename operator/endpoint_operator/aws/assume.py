"""Clients of another account: the operator assumes an IAM role there through STS.

The credentials of each (role, session name) are cached and asked for again a few
minutes before they expire; the clients built on them are rebuilt with them. Calls made
with them land in the role's account, so the gateways' limiter (one per account and
region) is that account's. The session name identifies the object in CloudTrail.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from ..api.accounts import account_of
from .errors import translate
from .session import ClientFactory
from .stats import OK

# STS AssumeRole, DurationSeconds: 900 up to the role's maximum session duration
# (3600 unless the role says more): one hour always works.
SESSION_SECONDS = 3600
# Asked for again this long before expiry: no call is signed with credentials about to lapse.
REFRESH_BEFORE = timedelta(minutes=5)


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expires: datetime


class RoleCredentials:
    """One cache of assumed-role credentials per process, shared by every object of a role."""

    service = "sts"  # the IAM policy check reads the operations this module calls

    def __init__(self, base: ClientFactory, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self._base = base
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: dict[tuple[str, str], Credentials] = {}

    def get(self, role_arn: str, session_name: str, region: str) -> Credentials:
        key = (role_arn, session_name)
        with self._lock:
            cached = self._cached.get(key)
            if cached is None or cached.expires - REFRESH_BEFORE <= self._clock():
                cached = self._cached[key] = self._assume(role_arn, session_name, region)
            return cached

    def _assume(self, role_arn: str, session_name: str, region: str) -> Credentials:
        try:
            answer = self._base.client("sts", region).assume_role(
                RoleArn=role_arn, RoleSessionName=session_name, DurationSeconds=SESSION_SECONDS)
        except Exception as error:
            failure = translate(error, "AssumeRole")
            self._base.stats.record("sts", "AssumeRole", type(failure).__name__)
            raise failure from error
        self._base.stats.record("sts", "AssumeRole", OK)
        found = answer["Credentials"]
        expires = found["Expiration"]
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=timezone.utc)
        return Credentials(found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"], expires)


class AssumedRoleClients:
    """What ClientFactory offers the gateways (client, account_id, stats), for one role
    and session name: clients signed with that role's credentials."""

    def __init__(self, base: ClientFactory, credentials: RoleCredentials, role_arn: str, session_name: str):
        self._base = base
        self._credentials = credentials
        self.role_arn = role_arn
        self.session_name = session_name
        self.stats = base.stats
        self.endpoint_url = base.endpoint_url
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], tuple[str, Any]] = {}

    def account_id(self, region: str) -> str:
        return account_of(self.role_arn)

    def client(self, service: str, region: str) -> Any:
        credentials = self._credentials.get(self.role_arn, self.session_name, region)
        with self._lock:
            cached = self._clients.get((service, region))
            if cached is None or cached[0] != credentials.access_key_id:
                cached = (credentials.access_key_id, self._base.client_with(service, region, credentials))
                self._clients[(service, region)] = cached
            return cached[1]
