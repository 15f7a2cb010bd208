"""endpoint-operator: run | plan | assess | audit | crd | sandbox up | demo."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="endpoint-operator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the operator against the current kubeconfig")
    _add_run_arguments(run)

    plan = sub.add_parser("plan", help="what manifests would build and cost, offline (no cluster, no AWS)")
    from .cli_plan import add_plan_arguments
    add_plan_arguments(plan)

    sub.add_parser("crd", help="print the ModelEndpoint CRD generated from the models")

    simulate = sub.add_parser("simulate-scaling", help="replay a request-rate trace through a manifest's autoscaling, 60-s vs 10-s metrics")
    from .cli_simulate import add_simulate_arguments
    add_simulate_arguments(simulate)

    audit = sub.add_parser("audit", help="AWS resources with the operator's tags whose ModelEndpoint is gone")
    from .audit_command import add_audit_arguments
    add_audit_arguments(audit)

    assess = sub.add_parser("assess", help="read a running account (read-only): the waste, a consolidation, manifests")
    from .assess_command import add_assess_arguments
    add_assess_arguments(assess)

    sandbox = sub.add_parser("sandbox", help="the local control plane and SageMaker emulator")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", required=True)
    sandbox_sub.add_parser("up", help="start both in the foreground until Ctrl-C")

    demo = sub.add_parser("demo", help="sandbox + operator + examples, end to end, no cloud account")
    demo.add_argument("--examples", default=None, help="directory of manifests (default: the repo's examples/)")
    demo.add_argument("--exit", action="store_true", help="stop everything after printing the result")
    demo.add_argument("--timeout", type=float, default=180.0)
    demo.add_argument("--brownfield", action="store_true",
                      help="the migration journey instead: seed an account, assess, adopt, consolidate, drain")
    demo.add_argument("--idle-for", default="1m", help="--brownfield: how long a replaced endpoint must be idle")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "run":
        return _run(args)
    if args.command == "plan":
        from .cli_plan import run_plan
        return run_plan(args)
    if args.command == "audit":
        from .audit_command import run_audit
        return run_audit(args)
    if args.command == "assess":
        from .assess_command import run_assess
        return run_assess(args)
    if args.command == "simulate-scaling":
        from .cli_simulate import run_simulate
        return run_simulate(args)
    if args.command == "crd":
        from .api.crd import render_crd_yaml
        sys.stdout.write(render_crd_yaml())
        return 0
    if args.command == "sandbox":
        return _sandbox_up()
    if args.command == "demo" and args.brownfield:
        from .sandbox.demo_brownfield import run_brownfield_demo
        return run_brownfield_demo(keep=not args.exit, timeout=args.timeout, idle_for=args.idle_for)
    if args.command == "demo":
        from .sandbox.demo import run_demo
        return run_demo(examples=args.examples, keep=not args.exit, timeout=args.timeout)
    return 2


def _add_run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument("--kubeconfig", default=None, help="default: in-cluster, then $KUBECONFIG")
    run.add_argument("--namespace", "-n", action="append", default=[], help="watch this namespace (repeatable); default all")
    run.add_argument("--aws-endpoint-url", default=os.environ.get("ENDPOINT_OPERATOR_AWS_ENDPOINT_URL"),
                     help="an AWS-compatible endpoint (the sandbox's emulator); default: real AWS")
    run.add_argument("--follow-emulator-clock", action="store_true",
                     default=os.environ.get("ENDPOINT_OPERATOR_FOLLOW_EMULATOR_CLOCK", "") == "1",
                     help="sandbox only: follow the emulator's virtual clock and its time scale "
                          "(refused unless --aws-endpoint-url is the emulator on loopback)")
    run.add_argument("--fast-poll-seconds", type=float, default=10.0, help="re-read interval while something is in flight")
    run.add_argument("--sweep-seconds", type=float, default=60.0, help="ListEndpoints sweep interval at rest")
    run.add_argument("--scaling-sweep-seconds", type=float, default=600.0,
                     help="interval of the sweep of every scaling target and policy (out-of-band scaling changes)")
    run.add_argument("--resync-seconds", type=float, default=21600.0, help="full re-observation interval at rest")
    run.add_argument("--idle-check-seconds", type=float, default=600.0,
                     help="how often the Invocations of endpoints with spec.costControls.idleAfter are read (in bulk)")
    run.add_argument("--workers", type=int, default=8)
    run.add_argument("--mutations-per-second", type=float, default=5.0)
    run.add_argument("--reads-per-second", type=float, default=10.0)
    run.add_argument("--sweep-read-reserve", type=int, default=10,
                     help="read tokens kept for the ListEndpoints sweep and the syncs reporting what it saw; 0 disables")
    run.add_argument("--liveness-port", type=int, default=8080, help="serves /healthz; 0 disables")
    run.add_argument("--metrics-port", type=int, default=8081, help="serves /metrics and /healthz; 0 disables")
    run.add_argument("--leader-election", action="store_true",
                     help="act only while holding a Lease, so that several replicas can run")
    run.add_argument("--lease-name", default="sagemaker-endpoint-operator")
    run.add_argument("--lease-namespace", default=os.environ.get("POD_NAMESPACE", "default"),
                     help="default: $POD_NAMESPACE, else default")
    run.add_argument("--lease-duration", type=float, default=15.0,
                     help="seconds a follower waits after the leader's last renewal before taking over")
    run.add_argument("--renew-deadline", type=float, default=10.0,
                     help="seconds without a renewal after which the leader stops acting")
    run.add_argument("--retry-period", type=float, default=2.0, help="seconds between lease attempts")
    run.add_argument("--transition-warning-seconds", type=float, default=1200.0,
                     help="warn (condition Overdue, a Warning event) when an endpoint stays Creating or Updating longer")
    run.add_argument("--prices", default=None, help="price file over the shipped table for status.cost (a mounted ConfigMap)")
    run.add_argument("--prometheus-url", default=os.environ.get("ENDPOINT_OPERATOR_PROMETHEUS_URL"),
                     help="Prometheus server of the rollout's Prometheus gates that name no url")
    run.add_argument("--account-bindings", default=os.environ.get("ENDPOINT_OPERATOR_ACCOUNT_BINDINGS"),
                     help="which namespaces may use which other AWS accounts' roles (a mounted ConfigMap; "
                          "docs/operations.md); default: none, every endpoint in the operator's own account")
    run.add_argument("--verbose", "-v", action="store_true")


def _run(args: argparse.Namespace) -> int:
    if args.prices:
        from .api.pricing import PriceFileError, load_prices
        try:
            load_prices(args.prices)  # a bad price file stops the start, not every sync
        except PriceFileError as error:
            print(f"error: --prices {error}", file=sys.stderr)
            return 2
    if args.follow_emulator_clock:
        from .handlers.time_scale import TimeScaleRefused, sandbox_clock
        try:
            sandbox_clock(args.aws_endpoint_url)  # refused here, at start, not in every sync
        except TimeScaleRefused as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if args.account_bindings:
        from .api.accounts import AccountBindingsError, load_account_bindings
        try:
            load_account_bindings(args.account_bindings)  # a bad file stops the start, not every sync
        except (AccountBindingsError, OSError) as error:
            print(f"error: --account-bindings {error}", file=sys.stderr)
            return 2
    if args.kubeconfig:
        # kopf logs in through the client library, which read $KUBECONFIG into its
        # default location once, at import (other subcommands may have imported it).
        import kubernetes.config.kube_config as kube_config
        os.environ["KUBECONFIG"] = args.kubeconfig
        kube_config.KUBE_CONFIG_DEFAULT_LOCATION = args.kubeconfig
    if not args.verbose:
        logging.getLogger("kopf.objects").setLevel(logging.WARNING)  # one line per watch event otherwise
    import kopf

    from .handlers import operator as _registered  # noqa: F401  (registers the handlers)
    from .handlers.assemble import build_controller
    from .handlers.assemble import build_elector
    from .handlers.config import OperatorConfig
    from .kube.lease import LeaseSettings

    lease = LeaseSettings(
        name=args.lease_name, namespace=args.lease_namespace, lease_duration=args.lease_duration,
        renew_deadline=args.renew_deadline, retry_period=args.retry_period,
    ) if args.leader_election else None
    config = OperatorConfig(
        fast_poll_seconds=args.fast_poll_seconds, sweep_seconds=args.sweep_seconds,
        scaling_sweep_seconds=args.scaling_sweep_seconds,
        resync_seconds=args.resync_seconds, workers=args.workers, idle_check_seconds=args.idle_check_seconds,
        aws_endpoint_url=args.aws_endpoint_url, follow_emulator_clock=args.follow_emulator_clock,
        reads_per_second=args.reads_per_second,
        mutations_per_second=args.mutations_per_second, sweep_read_reserve=args.sweep_read_reserve,
        namespaces=tuple(args.namespace),
        prices_path=args.prices, transition_warning_seconds=args.transition_warning_seconds,
        prometheus_url=args.prometheus_url, account_bindings_path=args.account_bindings,
        metrics_port=args.metrics_port, lease=lease,
    )
    memo = kopf.Memo(config=config, build_controller=lambda c: build_controller(c, args.kubeconfig),
                     build_elector=lambda s: build_elector(s, args.kubeconfig))
    liveness = f"http://0.0.0.0:{args.liveness_port}/healthz" if args.liveness_port else None
    kopf.run(
        clusterwide=not args.namespace, namespaces=args.namespace,
        liveness_endpoint=liveness, standalone=True, memo=memo,
    )
    return 0


def _sandbox_up() -> int:
    from .sandbox.controlplane import ControlPlane
    from .sandbox.emulator import Emulator

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with ControlPlane() as control_plane, Emulator() as emulator:
        print(f"export KUBECONFIG={control_plane.kubeconfig}", flush=True)
        print(f"export ENDPOINT_OPERATOR_AWS_ENDPOINT_URL={emulator.url}", flush=True)
        print("# sandbox is up; Ctrl-C stops it", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
