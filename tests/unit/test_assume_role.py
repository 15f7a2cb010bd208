"""Assumed-role credentials: cached per role and session name, asked for again just
before they expire, and the clients signed with them rebuilt; calls count in the role's account."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from endpoint_operator.aws.assume import REFRESH_BEFORE, AssumedRoleClients, RoleCredentials
from endpoint_operator.aws.stats import CallStats

ROLE = "arn:aws:iam::222233334444:role/target"
START = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


class FakeSts:
    def __init__(self, now):
        self.calls: list[dict] = []
        self._now = now

    def assume_role(self, **params):
        self.calls.append(params)
        n = len(self.calls)
        return {"Credentials": {"AccessKeyId": f"AKIA{n}", "SecretAccessKey": "s", "SessionToken": "t",
                                "Expiration": self._now() + timedelta(seconds=params["DurationSeconds"])}}


class FakeFactory:
    """The operator's own ClientFactory, as far as the role's clients use it."""

    endpoint_url = None

    def __init__(self, now):
        self.stats = CallStats()
        self.sts = FakeSts(now)
        self.built: list[tuple[str, str, str]] = []

    def client(self, service, region):
        assert service == "sts"
        return self.sts

    def client_with(self, service, region, credentials):
        self.built.append((service, region, credentials.access_key_id))
        return (service, credentials.access_key_id)


def test_credentials_are_cached_then_renewed_before_they_expire():
    clock = [START]
    base = FakeFactory(lambda: clock[0])
    credentials = RoleCredentials(base, clock=lambda: clock[0])
    clients = AssumedRoleClients(base, credentials, ROLE, "ml.fraud")
    assert clients.account_id("us-east-1") == "222233334444"

    first = clients.client("sagemaker", "us-east-1")
    assert clients.client("sagemaker", "us-east-1") is first
    assert [c["RoleSessionName"] for c in base.sts.calls] == ["ml.fraud"]

    clock[0] = START + timedelta(hours=1) - REFRESH_BEFORE - timedelta(seconds=1)
    assert clients.client("sagemaker", "us-east-1") is first  # still good
    clock[0] += timedelta(seconds=2)  # within the renewal margin
    renewed = clients.client("sagemaker", "us-east-1")
    assert renewed == ("sagemaker", "AKIA2") and len(base.sts.calls) == 2
    assert base.stats.total(service="sts", operation="AssumeRole", outcome="ok") == 2


def test_objects_of_one_role_have_their_own_sessions():
    base = FakeFactory(lambda: START)
    credentials = RoleCredentials(base, clock=lambda: START)
    for name in ("ml.a", "ml.b", "ml.a"):
        AssumedRoleClients(base, credentials, ROLE, name).client("s3", "us-east-1")
    assert [c["RoleSessionName"] for c in base.sts.calls] == ["ml.a", "ml.b"]
