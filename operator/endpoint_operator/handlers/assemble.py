"""Builds the controller from settings: the one place the pieces meet."""

from __future__ import annotations

from ..api.accounts import load_account_bindings
from ..api.pricing import load_prices
from ..aws.fence import fenced_session
from ..aws.limiter import LimiterRegistry
from ..aws.session import ClientFactory
from ..kube.client import load_api_client
from ..kube.fenced import FencedKubeGateway
from ..kube.lease import LeaseElector, LeaseSettings
from .config import OperatorConfig
from .controller import Controller
from .prometheus import PrometheusReader
from .sync import Syncer
from .time_scale import WallClock, sandbox_clock
from .wiring import AwsGateways


def build_controller(config: OperatorConfig, kubeconfig: str | None = None) -> Controller:
    kube = FencedKubeGateway(load_api_client(kubeconfig), lambda: controller.acting)
    # Writes only while the controller acts: a sync still running in a worker thread
    # when the lease is lost changes nothing the next leader owns, in AWS or in the cluster.
    clients = ClientFactory(fenced_session(lambda: controller.acting), endpoint_url=config.aws_endpoint_url)
    limiters = LimiterRegistry(reads_per_second=config.reads_per_second,
                               mutations_per_second=config.mutations_per_second, burst=config.burst,
                               read_reserve=min(config.sweep_read_reserve, config.burst - 1))
    aws = AwsGateways(clients, limiters)
    clock = sandbox_clock(config.aws_endpoint_url) if config.follow_emulator_clock else WallClock()
    syncer = Syncer(kube, aws, clock=clock.now, prices=load_prices(config.prices_path),
                    transition_warning_seconds=config.transition_warning_seconds,
                    prometheus=PrometheusReader(config.prometheus_url),
                    bindings=load_account_bindings(config.account_bindings_path))
    controller = Controller(syncer, aws, config, clock=clock)
    return controller


def build_elector(settings: LeaseSettings, kubeconfig: str | None = None) -> LeaseElector:
    return LeaseElector(load_api_client(kubeconfig), settings)
