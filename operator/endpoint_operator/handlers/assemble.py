"""Builds the controller from settings: the one place the pieces meet."""

from __future__ import annotations

from ..api.pricing import load_prices
from ..aws.limiter import Backoff, LimiterRegistry
from ..aws.session import ClientFactory
from ..kube.client import KubeGateway, load_api_client
from ..kube.lease import LeaseElector, LeaseSettings
from .config import OperatorConfig
from .controller import Controller
from .sync import Syncer
from .wiring import AwsGateways


def build_controller(config: OperatorConfig, kubeconfig: str | None = None) -> Controller:
    kube = KubeGateway(load_api_client(kubeconfig))
    clients = ClientFactory(endpoint_url=config.aws_endpoint_url)
    limiters = LimiterRegistry(reads_per_second=config.reads_per_second,
                               mutations_per_second=config.mutations_per_second, burst=config.burst)
    aws = AwsGateways(clients, limiters)
    syncer = Syncer(kube, aws, Backoff(), prices=load_prices(config.prices_path))
    return Controller(syncer, aws, config)


def build_elector(settings: LeaseSettings, kubeconfig: str | None = None) -> LeaseElector:
    return LeaseElector(load_api_client(kubeconfig), settings)
