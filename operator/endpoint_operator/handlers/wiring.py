"""Gateways per account and region, built once and shared by every worker."""

from __future__ import annotations

import threading

from ..aws.assume import AssumedRoleClients, RoleCredentials
from ..aws.autoscaling import AutoScalingGateway
from ..aws.calls import ServiceGateway
from ..aws.cloudwatch import CloudWatchGateway
from ..aws.invocations import InvocationsGateway
from ..aws.limiter import LimiterRegistry
from ..aws.s3 import S3Gateway
from ..aws.sagemaker import SageMakerGateway
from ..aws.session import ClientFactory
from ..plan.accounts import AccountTarget


class AwsGateways:
    """The operator's own account's gateways; `for_account` gives another account's,
    through a role the operator assumes, sharing the limiters and the call counts."""

    def __init__(self, clients: ClientFactory | AssumedRoleClients, limiters: LimiterRegistry,
                 credentials: RoleCredentials | None = None):
        self.clients = clients
        self.limiters = limiters
        self._credentials = credentials
        self._accounts: dict[tuple[str, str], AwsGateways] = {}
        self._lock = threading.Lock()
        self._sagemaker: dict[str, SageMakerGateway] = {}
        self._s3: dict[str, S3Gateway] = {}
        self._others: dict[tuple[type, str], ServiceGateway] = {}

    def for_account(self, target: AccountTarget) -> "AwsGateways":
        if target.role_arn is None or target.session_name is None:
            return self
        key = (target.role_arn, target.session_name)
        with self._lock:
            if key not in self._accounts:
                if self._credentials is None:
                    self._credentials = RoleCredentials(self.clients)
                clients = AssumedRoleClients(self.clients, self._credentials, *key)
                self._accounts[key] = AwsGateways(clients, self.limiters)
            return self._accounts[key]

    def sagemaker(self, region: str) -> SageMakerGateway:
        with self._lock:
            if region not in self._sagemaker:
                self._sagemaker[region] = SageMakerGateway(self.clients, self.limiters, region)
            return self._sagemaker[region]

    def s3(self, region: str) -> S3Gateway:
        with self._lock:
            if region not in self._s3:
                self._s3[region] = S3Gateway(self.clients, self.limiters, region)
            return self._s3[region]

    def autoscaling(self, region: str) -> AutoScalingGateway:
        return self._gateway(AutoScalingGateway, region)

    def cloudwatch(self, region: str) -> CloudWatchGateway:
        return self._gateway(CloudWatchGateway, region)

    def invocations(self, region: str) -> InvocationsGateway:
        return self._gateway(InvocationsGateway, region)

    def _gateway(self, kind: type, region: str):
        with self._lock:
            if (kind, region) not in self._others:
                self._others[(kind, region)] = kind(self.clients, self.limiters, region)
            return self._others[(kind, region)]
