"""`endpoint-operator audit`: AWS resources carrying the operator's ownership tags
whose ModelEndpoint no longer exists (or exists with another uid).

Exits 1 while orphans exist, so it can run as a CronJob or a CI check; `--delete`
removes them (after confirmation, or at once with `--yes`).

Every account the operator works in is audited: its own, and each role it may assume
(`--role-arn`, or every role of the operator's `--account-bindings` file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .api.accounts import load_account_bindings
from .aws.assume import AssumedRoleClients, RoleCredentials
from .aws.errors import NotFound
from .aws.limiter import LimiterRegistry
from .aws.sagemaker import SageMakerGateway
from .aws.session import ClientFactory
from .kube.client import KubeGateway, load_api_client
from .plan.audit import DELETE_ORDER, Finding, TaggedResource, audit


def add_audit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", action="append", default=[],
                        help="region to audit (repeatable); default $AWS_DEFAULT_REGION or us-east-1")
    parser.add_argument("--kubeconfig", default=None, help="default: in-cluster, then $KUBECONFIG")
    parser.add_argument("--aws-endpoint-url", default=os.environ.get("ENDPOINT_OPERATOR_AWS_ENDPOINT_URL"))
    parser.add_argument("--role-arn", action="append", default=[],
                        help="also audit the account of this role, assumed through STS (repeatable)")
    parser.add_argument("--account-bindings", default=os.environ.get("ENDPOINT_OPERATOR_ACCOUNT_BINDINGS"),
                        help="also audit every role the operator's account bindings file names")
    parser.add_argument("--delete", action="store_true", help="delete the orphans found")
    parser.add_argument("--yes", action="store_true", help="do not ask before deleting")
    parser.add_argument("--output", choices=["table", "json"], default="table")
    parser.add_argument("--all", action="store_true", help="also list owned and retained resources")


def run_audit(args: argparse.Namespace) -> int:
    regions = args.region or [os.environ.get("AWS_DEFAULT_REGION", "us-east-1")]
    owners = KubeGateway(load_api_client(args.kubeconfig)).list_owners()
    clients = ClientFactory(endpoint_url=args.aws_endpoint_url)
    limiters = LimiterRegistry()
    accounts = [clients, *(AssumedRoleClients(clients, RoleCredentials(clients), role, "endpoint-operator-audit")
                           for role in _roles(args))]
    # Keyed by what each resource's ARN says: arn:aws:sagemaker:<region>:<account>:...
    gateways = {(account.account_id(region), region): SageMakerGateway(account, limiters, region)
                for account in accounts for region in regions}
    resources = [
        TaggedResource(kind, name, arn, region, gateway.tags_of(arn))
        for (_, region), gateway in gateways.items()
        for kind in DELETE_ORDER
        for name, arn in gateway.list_resources(kind)
    ]
    findings = audit(resources, owners)
    shown = findings if args.all else [f for f in findings if f.verdict == "orphan"]
    _print(shown, args.output)
    orphans = [f for f in findings if f.verdict == "orphan"]
    if not orphans:
        print(f"no orphans among {len(findings)} tagged resources in {', '.join(regions)}", file=sys.stderr)
        return 0
    if not args.delete:
        print(f"{len(orphans)} orphaned resource(s); run with --delete to remove them", file=sys.stderr)
        return 1
    if not args.yes and not _confirm(len(orphans)):
        return 1
    left = 0
    for finding in orphans:
        try:
            _delete(gateways[(_arn_account(finding.resource.arn), finding.resource.region)], finding.resource)
            print(f"deleted {finding.resource.kind} {finding.resource.name}", file=sys.stderr)
        except NotFound:
            pass
        except Exception as error:  # report and go on: one refusal must not hide the rest
            left += 1
            print(f"could not delete {finding.resource.kind} {finding.resource.name}: {error}", file=sys.stderr)
    return 1 if left else 0


def _roles(args: argparse.Namespace) -> list[str]:
    roles = list(args.role_arn)
    if args.account_bindings:
        for binding in load_account_bindings(args.account_bindings).namespaces.values():
            roles += [r for r in (binding.role_arn, *binding.allowed_role_arns) if r]
    return sorted(set(roles))


def _arn_account(arn: str) -> str:
    return arn.split(":")[4]


def _delete(gateway: SageMakerGateway, resource: TaggedResource) -> None:
    {"inference-component": gateway.delete_inference_component,
     "endpoint": gateway.delete_endpoint,
     "endpoint-config": gateway.delete_endpoint_config,
     "model": gateway.delete_model}[resource.kind](resource.name)


def _confirm(count: int) -> bool:
    if not sys.stdin.isatty():
        print("refusing to delete without a terminal to confirm on; pass --yes", file=sys.stderr)
        return False
    answer = input(f"delete {count} orphaned resource(s)? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _print(findings: list[Finding], output: str) -> None:
    if output == "json":
        print(json.dumps([{"kind": f.resource.kind, "name": f.resource.name, "region": f.resource.region,
                           "account": _arn_account(f.resource.arn), "arn": f.resource.arn, "verdict": f.verdict, "why": f.why} for f in findings], indent=2))
        return
    if not findings:
        return
    rows = [("VERDICT", "KIND", "NAME", "ACCOUNT", "REGION", "WHY")]
    rows += [(f.verdict, f.resource.kind, f.resource.name, _arn_account(f.resource.arn), f.resource.region, f.why)
             for f in findings]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
