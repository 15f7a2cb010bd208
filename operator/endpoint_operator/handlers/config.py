"""Operator settings: intervals, concurrency, where AWS is."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kube.lease import LeaseSettings
from ..plan.overdue import DEFAULT_WARNING_SECONDS


@dataclass(frozen=True)
class OperatorConfig:
    # While anything is in flight an object is re-read this often (SageMaker has no watch).
    fast_poll_seconds: float = 10.0
    # One ListEndpoints sweep per region this often at rest: drift and out-of-band changes.
    sweep_seconds: float = 60.0
    # Invocations of the endpoints with spec.costControls.idleAfter are read this often:
    # one GetMetricData per account, region and idleAfter for all of them.
    idle_check_seconds: float = 600.0
    # One sweep of every scaling target and policy per region this often: a scaling
    # policy or range changed out of band is seen within this.
    scaling_sweep_seconds: float = 600.0
    # A full re-observation of each object this often at rest (models and configs deleted
    # out of band are invisible to both sweeps). Spread over the period by object. Five
    # reads per object every 6 h: under one AWS call per endpoint-hour.
    resync_seconds: float = 21600.0
    workers: int = 8
    aws_endpoint_url: str | None = None
    # Sandbox only: follow the emulator's virtual clock (handlers/time_scale.py).
    follow_emulator_clock: bool = False
    reads_per_second: float = 10.0
    mutations_per_second: float = 5.0
    burst: int = 20
    # Read tokens kept (below the burst) for the ListEndpoints sweep and the syncs that
    # report what it saw: transitions are reported on time even while a burst of syncs
    # spends every other read. One sweep of 1,000 endpoints is ten pages.
    sweep_read_reserve: int = 10
    namespaces: tuple[str, ...] = field(default_factory=tuple)  # empty: all namespaces
    # A price file over the shipped table (status.cost); read once at start, never fetched.
    prices_path: str | None = None
    # The Prometheus server of the Prometheus gates that name none.
    prometheus_url: str | None = None
    # Which namespace may use which other account (api/accounts.py); read once at start.
    account_bindings_path: str | None = None
    # /metrics and /healthz; 0 disables.
    metrics_port: int = 0
    # An endpoint Creating or Updating longer than this gets the Overdue condition and a
    # Warning event (plan/overdue.py); polling is unchanged.
    transition_warning_seconds: float = DEFAULT_WARNING_SECONDS
    # Only the holder of this Lease acts; None runs unconditionally (a single replica).
    lease: LeaseSettings | None = None
